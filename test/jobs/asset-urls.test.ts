// Asset URLs per storage mode, and the signed media tokens behind private-bucket playback.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assetDirUrl } from '../../src/jobs/asset-urls.ts';
import { checkMediaToken, mediaTokenKey, signMediaPath } from '../../src/jobs/media-token.ts';

const key = mediaTokenKey('control-plane-secret');
const job = { outputPrefix: 'assets/0190f0a0-1111-7000-8000-000000000001' };

describe('media tokens', () => {
  const token = signMediaPath(key, job.outputPrefix, 2_000_000_000);

  it('accepts its own asset directory until it expires', () => {
    assert.equal(checkMediaToken(key, job.outputPrefix, token, 1_999_999_999), 'ok');
    assert.equal(checkMediaToken(key, job.outputPrefix, token, 2_000_000_000), 'ok');
    assert.equal(checkMediaToken(key, job.outputPrefix, token, 2_000_000_001), 'expired');
  });

  it('refuses another directory, another key, a moved expiry and malformed tokens', () => {
    assert.equal(checkMediaToken(key, 'assets/other', token, 0), 'invalid');
    assert.equal(checkMediaToken(mediaTokenKey('another-secret'), job.outputPrefix, token, 0), 'invalid');
    const [, mac] = token.split('.');
    assert.equal(checkMediaToken(key, job.outputPrefix, `2000000300.${mac}`, 0), 'invalid');
    for (const bad of ['', 'abc', '2000000000.', `x.${mac}`, `${token}A`, token.replace(/.$/, '=')]) {
      assert.equal(checkMediaToken(key, job.outputPrefix, bad, 0), 'invalid', bad);
    }
  });

  it('is not the callback token of the same secret', () => {
    assert.notDeepEqual(key, Buffer.from('control-plane-secret'));
  });
});

describe('asset directory URLs', () => {
  it('public: under the base URL, trailing slashes ignored', () => {
    assert.equal(assetDirUrl({ kind: 'public', baseUrl: 'https://cdn.example.com/vod/' })(job), `https://cdn.example.com/vod/${job.outputPrefix}`);
  });

  it('signed: a token in the path that expires on a 5-minute grid after the lifetime', () => {
    let now = 1_700_000_000_000;
    const url = assetDirUrl({ kind: 'signed', mediaBaseUrl: 'http://live2vod:8080/media', key, ttlSeconds: 3600, now: () => now });
    const first = url(job);
    const match = /^http:\/\/live2vod:8080\/media\/s\/(\d+)\.[\w-]{43}\/(.+)$/.exec(first);
    assert.ok(match, first);
    assert.equal(match[2], job.outputPrefix);
    const expiresAt = Number(match[1]);
    assert.equal(expiresAt % 300, 0);
    assert.ok(expiresAt >= now / 1000 + 3600 && expiresAt < now / 1000 + 3900);
    now += 1000;
    assert.equal(url(job), first, 'the same link within one grid step (cacheable)');
    now += 300_000;
    assert.notEqual(url(job), first, 'a later link lives longer');
    assert.equal(checkMediaToken(key, job.outputPrefix, first.split('/')[5] ?? '', expiresAt), 'ok');
  });
});
