// `live2vod demo` as the README uses it: with a service running, the sample becomes a job there
// (an upload, visible in its dashboard); with none, it is transcoded in-process.

import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { main } from '../../src/cli/main.ts';
import type { CliIo } from '../../src/cli/io.ts';
import type { ApiJob } from '../../src/http/api-schemas.ts';
import { makeTempDir, type TempDir } from '../helpers/media.ts';
import { api, startTestService, type TestService } from '../helpers/serve.ts';

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = new Writable({ write(chunk: Buffer, _e, done) { out += chunk.toString(); done(); } }) as unknown as NodeJS.WriteStream;
  const io: CliIo = { stdout: sink, stderr: sink, signal: new AbortController().signal };
  return { code: await main(argv, io), out };
}

describe('live2vod demo', () => {
  let tmp: TempDir;
  let service: TestService;
  before(async () => {
    tmp = await makeTempDir('live2vod-demo-');
    // The job's encode is not looked at: no quality sampling in it.
    service = await startTestService();
  });
  after(async () => {
    await service.dispose();
    await tmp.cleanup();
  });

  test('sends the sample to the running service: a job in its dashboard', { timeout: 60_000 }, async () => {
    const { code, out } = await run(['demo', '--data', tmp.dir, '--duration', '2', '--url', service.url]);
    assert.equal(code, 0, out);
    const id = /job (\S+)\n/.exec(out)?.[1];
    assert.ok(id, out);
    assert.match(out, new RegExp(`follow it in the dashboard: ${service.url}/jobs/${id}`));
    const job = await api<ApiJob>(service.url, `/v1/jobs/${id}`);
    assert.equal(job.status, 200);
    assert.equal(job.body.metadata['upload'], 'demo-recording.flv');
  });

  test('with no service there, transcodes the sample here', { timeout: 120_000 }, async () => {
    const { code, out } = await run(['demo', '--data', tmp.dir, '--duration', '2', '--url', 'http://127.0.0.1:9']);
    assert.equal(code, 0, out);
    assert.match(out, /no live2vod serve answers at http:\/\/127\.0\.0\.1:9: transcoding here instead/);
    await access(path.join(tmp.dir, 'assets', 'sample', 'manifest.json'));
  });
});
