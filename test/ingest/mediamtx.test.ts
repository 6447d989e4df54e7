import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createMediamtxAdapter, mediamtxHookCommand } from '../../src/ingest/mediamtx.ts';
import { expectIntakeError, inbound, jsonRequest, recordDirFixture, type RecordDirFixture } from './helpers.ts';

const execFileAsync = promisify(execFile);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('MediaMTX runOnRecordSegmentComplete adapter', () => {
  let fx: RecordDirFixture;
  let segment: string;
  before(async () => {
    fx = await recordDirFixture();
    segment = await fx.write('cam1/2026-03-01_11-59-00-123456.mp4', 'x'.repeat(777));
  });
  after(() => fx.cleanup());

  it('turns the hook body into one job', async () => {
    const adapter = createMediamtxAdapter({ recordDir: fx.recordDir, token: 't0k' });
    const outcome = await adapter.handle(jsonRequest({ path: 'cam1', segmentPath: segment, segmentDuration: '60.012' }, { headers: bearer('t0k') }));
    const { mtimeMs } = await stat(segment);
    assert.deepEqual(outcome, {
      jobs: [
        {
          source: { kind: 'local', path: segment },
          // The size from the file, the duration from MTX_SEGMENT_DURATION.
          facts: { bytes: 777, durationSeconds: 60.012 },
          idempotencyKey: `file:${segment}:777:${Math.trunc(mtimeMs)}`,
          metadata: { stream: 'cam1', segmentDuration: '60.012' },
        },
      ],
    });
  });

  it('treats an unset MTX_SEGMENT_DURATION (expanded to "") as absent, and honours ?priority=', async () => {
    const adapter = createMediamtxAdapter({ recordDir: fx.recordDir });
    const outcome = await adapter.handle(jsonRequest({ path: 'cam1', segmentPath: segment, segmentDuration: '' }, { query: { priority: 'high' } }));
    assert.deepEqual(outcome.jobs[0]?.metadata, { stream: 'cam1' });
    assert.deepEqual(outcome.jobs[0]?.facts, { bytes: 777 });
    assert.equal(outcome.jobs[0]?.priority, 'high');
  });

  it('refuses a missing or wrong Bearer token with 401', async () => {
    const adapter = createMediamtxAdapter({ recordDir: fx.recordDir, token: 't0k' });
    const body = { path: 'cam1', segmentPath: segment };
    await expectIntakeError(adapter.handle(jsonRequest(body)), 401, /missing token/);
    await expectIntakeError(adapter.handle(jsonRequest(body, { headers: bearer('t0K') })), 401, /invalid token/);
    // What MediaMTX sends when LIVE2VOD_TOKEN is not set in its environment.
    await expectIntakeError(adapter.handle(jsonRequest(body, { headers: { authorization: 'Bearer ' } })), 401, /missing token/);
  });

  it('refuses segments outside the record dir (403), relative ones (422), missing and empty ones (422)', async () => {
    const adapter = createMediamtxAdapter({ recordDir: fx.recordDir });
    const outside = await fx.writeOutside('cam1.mp4');
    await expectIntakeError(adapter.handle(jsonRequest({ path: 'cam1', segmentPath: outside })), 403, /outside/);
    await expectIntakeError(adapter.handle(jsonRequest({ path: 'cam1', segmentPath: `${fx.recordDir}/cam1/../../outside/cam1.mp4` })), 403, /"\.\."/);
    const link = await fx.link('cam1/link.mp4', outside);
    await expectIntakeError(adapter.handle(jsonRequest({ path: 'cam1', segmentPath: link })), 403, /symbolic link/);
    await expectIntakeError(adapter.handle(jsonRequest({ path: 'cam1', segmentPath: './recordings/cam1/x.mp4' })), 422, /relative/);
    await expectIntakeError(adapter.handle(jsonRequest({ path: 'cam1', segmentPath: path.join(fx.recordDir, 'cam1/gone.mp4') })), 422, /no such file/);
    const empty = await fx.write('cam1/empty.mp4', '');
    await expectIntakeError(adapter.handle(jsonRequest({ path: 'cam1', segmentPath: empty })), 422, /empty/);
  });

  it('refuses malformed bodies with 400 naming the field', async () => {
    const adapter = createMediamtxAdapter({ recordDir: fx.recordDir });
    await expectIntakeError(adapter.handle(jsonRequest({ path: 'cam1' })), 400, /segmentPath/);
    await expectIntakeError(adapter.handle(jsonRequest({ segmentPath: segment })), 400, /path/);
    await expectIntakeError(adapter.handle(jsonRequest({ path: 'cam1', segmentPath: segment, segmentDuration: true })), 400, /segmentDuration/);
    await expectIntakeError(adapter.handle(inbound({ body: '{"path":"cam"1"}' })), 400, /not valid JSON/);
  });

  it('builds the documented hook command line', () => {
    assert.equal(
      mediamtxHookCommand('http://live2vod:8080/hooks/mediamtx'),
      `curl -fsS --max-time 5 -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer $LIVE2VOD_TOKEN" --data "{\\"path\\":\\"$MTX_PATH\\",\\"segmentPath\\":\\"$MTX_SEGMENT_PATH\\"}" 'http://live2vod:8080/hooks/mediamtx'`,
    );
    assert.throws(() => mediamtxHookCommand('ftp://x/hooks'), /http or https/);
    assert.throws(() => mediamtxHookCommand("http://x/hooks?a='b"), /must not contain/);
    assert.throws(() => mediamtxHookCommand('not a url'), /not a valid URL/);
  });

  // MediaMTX itself splits the line with go-shellquote and expands $VARs without a shell; a POSIX
  // shell gives the same arguments for this line, which is what this checks.
  it('the command line, run by a POSIX shell with the hook variables, sends a body the adapter accepts', async () => {
    const command = mediamtxHookCommand('http://127.0.0.1:9/hooks/mediamtx');
    // Replace curl by a function that prints the --data argument and the Authorization header.
    const script = `curl() { while [ $# -gt 0 ]; do case "$1" in --data) printf '%s\\n' "$2"; shift;; -H) case "$2" in Authorization*) printf '%s\\n' "$2";; esac; shift;; esac; shift; done; }; ${command}`;
    const { stdout } = await execFileAsync('sh', ['-c', script], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', MTX_PATH: 'cam1', MTX_SEGMENT_PATH: segment, LIVE2VOD_TOKEN: 't0k' },
    });
    const [authorization, data] = stdout.trim().split('\n');
    assert.equal(authorization, 'Authorization: Bearer t0k');
    const adapter = createMediamtxAdapter({ recordDir: fx.recordDir, token: 't0k' });
    const outcome = await adapter.handle(inbound({ body: data ?? '', headers: bearer('t0k') }));
    assert.deepEqual(outcome.jobs[0]?.source, { kind: 'local', path: segment });
  });
});
