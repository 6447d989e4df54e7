import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildAdapters, buildIngestAdapters, type IngestSettings } from '../../src/ingest/adapters.ts';

describe('buildIngestAdapters', () => {
  it('builds only the configured adapters, keyed by kind', () => {
    assert.deepEqual([...buildIngestAdapters({}).keys()], []);
    const all = buildIngestAdapters({
      nginxRtmp: { recordDir: '/srv/rec/nginx' },
      srs: { recordDir: '/srv/rec/srs' },
      mediamtx: { recordDir: '/srv/rec/mediamtx', token: 't' },
      s3: { buckets: ['rec'] },
      generic: { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    });
    assert.deepEqual([...all.keys()], ['nginx-rtmp', 'srs', 'mediamtx', 's3', 'generic']);
    for (const [kind, adapter] of all) assert.equal(adapter.kind, kind);
    assert.deepEqual([...buildIngestAdapters({ s3: {} }).keys()], ['s3']);
  });

  it('fails at start-up on a bad configuration, not on the first request', () => {
    assert.throws(() => buildIngestAdapters({ generic: { secret: 'nope!' } }), /base64/);
    assert.throws(() => buildIngestAdapters({ srs: { recordDir: '/srv', token: '' } }), /empty string/);
  });

  it('builds from the application configuration: recorder hooks only with a record dir, generic only with a secret', () => {
    const settings: IngestSettings = {
      ingest: {
        nginxRtmp: { enabled: true, token: 'nginx-token' },
        srs: { enabled: false },
        mediamtx: { enabled: true },
        s3: { enabled: true, buckets: ['rec'] },
        generic: {},
      },
    };
    assert.deepEqual([...buildAdapters(settings, '/srv/rec').keys()], ['nginx-rtmp', 'mediamtx', 's3']);
    assert.deepEqual([...buildAdapters(settings, undefined).keys()], ['s3']);
    const withSecret = { ingest: { ...settings.ingest, generic: { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }, s3: { enabled: false } } };
    assert.deepEqual([...buildAdapters(withSecret, '/srv/rec').keys()], ['nginx-rtmp', 'mediamtx', 'generic']);
  });
});
