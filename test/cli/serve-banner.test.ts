// The banner of `live2vod serve` lists only what is served and prints a first request that works
// as printed: with the Authorization header when tokens are on, and never naming a file in the
// watched folder (which would make that file a job twice).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { serveBanner } from '../../src/cli/serve-banner.ts';
import { loadConfig } from '../../src/config/load.ts';
import { buildAdapters } from '../../src/ingest/adapters.ts';

async function bannerFor(overrides: Record<string, unknown>, options: { watching?: boolean } = {}): Promise<string> {
  const config = await loadConfig({ env: {}, overrides: { dataDir: '/srv/live2vod', ...overrides } });
  const hooks = [...buildAdapters(config, config.recordDir).keys()];
  return serveBanner(config, { base: 'http://127.0.0.1:8080', hooks, ...(options.watching ?? true ? { inbox: '/srv/live2vod/inbox' } : {}) });
}

const curls = (banner: string) => banner.split('\n').filter((l) => l.includes('curl '));

describe('serve banner', () => {
  test('the defaults: the S3 hook only (recorder hooks need recordDir, generic a secret), the inbox, an upload example', async () => {
    const banner = await bannerFor({});
    assert.match(banner, /webhooks {4}http:\/\/127\.0\.0\.1:8080\/hooks\/s3\n/);
    assert.doesNotMatch(banner, /hooks\/(nginx-rtmp|srs|mediamtx|generic)/);
    assert.doesNotMatch(banner, /recordings/, 'no record directory line without one');
    assert.match(banner, /inbox {7}drop a recording into \/srv\/live2vod\/inbox/);
    assert.ok(curls(banner).length > 0);
    for (const line of curls(banner)) {
      assert.doesNotMatch(line, /inbox/, 'no example into the watched folder');
      assert.doesNotMatch(line, /Authorization/, 'no header without tokens');
    }
    assert.match(banner, /\/v1\/uploads\?filename=recording\.mp4' -H 'content-type: video\/mp4' --data-binary @recording\.mp4/);
  });

  test('the recorder hooks and generic when configured; no inbox line without the watch folder', async () => {
    const banner = await bannerFor({ recordDir: '/var/rec', ingest: { generic: { secret: `whsec_${Buffer.from('0123456789abcdef').toString('base64')}` }, watch: { enabled: false } } }, { watching: false });
    for (const kind of ['nginx-rtmp', 'srs', 'mediamtx', 's3', 'generic']) assert.match(banner, new RegExp(`/hooks/${kind}\\b`));
    assert.match(banner, /recordings {2}the recorder hooks take files under \/var\/rec\n/);
    assert.doesNotMatch(banner, /inbox/);
  });

  test('with API tokens every example carries the Authorization header, and says where the token comes from', async () => {
    const banner = await bannerFor({ auth: { tokens: ['a-token-long-enough-0123456789'] }, sourceRoots: ['/mnt/recordings'] });
    assert.equal(curls(banner).length, 2);
    for (const line of curls(banner)) assert.match(line, /-H "Authorization: Bearer \$LIVE2VOD_TOKEN"/);
    assert.doesNotMatch(banner, /a-token-long-enough/, 'the token itself is not printed');
    assert.match(banner, /"source": "\/mnt\/recordings\/recording\.mp4"/, 'the by-path example uses a source root');
  });

  test('no webhooks at all is said so', async () => {
    const banner = await bannerFor({ ingest: { s3: { enabled: false } } });
    assert.match(banner, /webhooks {4}none configured/);
  });
});
