// `serve` warns about secrets still copied from the example configuration.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { settingsWithExampleSecrets } from '../../src/config/example-secrets.ts';
import { loadConfig } from '../../src/config/load.ts';
import { repoRoot } from '../helpers/media.ts';

test('the example configuration as shipped is named setting by setting; real secrets are not', async () => {
  const example = await loadConfig({ file: path.join(repoRoot, 'deploy', 'live2vod.example.yaml'), env: {} });
  assert.deepEqual(settingsWithExampleSecrets(example), [
    'ingest.nginxRtmp.token', 'ingest.srs.token', 'ingest.mediamtx.token', 'ingest.s3.token', 'ingest.generic.secret', 'notifications.endpoints[0].secret',
  ]);
  const own = await loadConfig({ env: {}, overrides: { auth: { tokens: ['a-real-token-1234'] }, ingest: { nginxRtmp: { token: 'n-7f3a9c1e' } } } });
  assert.deepEqual(settingsWithExampleSecrets(own), []);
});
