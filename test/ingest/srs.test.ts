import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSrsAdapter } from '../../src/ingest/srs.ts';
import { expectIntakeError, inbound, jsonRequest, recordDirFixture, type RecordDirFixture } from './helpers.ts';

// As SRS 5/6 post it (SrsHttpHooks::on_dvr), `file` relative to `cwd` as with the default dvr_path.
function onDvr(cwd: string, file: string, extra: Record<string, unknown> = {}) {
  return {
    server_id: 'vid-0xk989d',
    service_id: 'z2d5o1n3',
    action: 'on_dvr',
    client_id: '341w361a',
    ip: '127.0.0.1',
    vhost: '__defaultVhost__',
    app: 'live',
    tcUrl: 'rtmp://127.0.0.1/live',
    stream: 'livestream',
    param: '?token=abc',
    cwd,
    file,
    stream_url: '/live/livestream',
    stream_id: 'vid-4ydb43u',
    ...extra,
  };
}

describe('SRS on_dvr adapter', () => {
  let fx: RecordDirFixture;
  let recording: string;
  before(async () => {
    fx = await recordDirFixture();
    recording = await fx.write('objs/nginx/html/live/livestream.1700000000000.flv', 'x'.repeat(2048));
  });
  after(() => fx.cleanup());

  it('turns a realistic on_dvr body (file relative to cwd) into one job', async () => {
    const adapter = createSrsAdapter({ recordDir: fx.recordDir, token: 'abc' });
    const outcome = await adapter.handle(jsonRequest(onDvr(fx.recordDir, './objs/nginx/html/live/livestream.1700000000000.flv')));
    const { mtimeMs } = await stat(recording);
    assert.deepEqual(outcome, {
      jobs: [
        {
          source: { kind: 'local', path: recording },
          facts: { bytes: 2048 },
          idempotencyKey: `file:${recording}:2048:${Math.trunc(mtimeMs)}`,
          metadata: {
            app: 'live',
            stream: 'livestream',
            vhost: '__defaultVhost__',
            addr: '127.0.0.1',
            clientId: '341w361a',
            serverId: 'vid-0xk989d',
            streamId: 'vid-4ydb43u',
            streamUrl: '/live/livestream',
          },
        },
      ],
    });
    assert.deepEqual(adapter.successBody(['j1']), { code: 0 });
  });

  it('accepts an absolute file, the older integer client_id, and the token in the hook URL', async () => {
    const adapter = createSrsAdapter({ recordDir: fx.recordDir, token: 'hook-secret' });
    const body = { action: 'on_dvr', client_id: 107, ip: '10.0.0.5', vhost: '__defaultVhost__', app: 'live', stream: 'livestream', cwd: '/usr/local/srs', file: recording };
    const outcome = await adapter.handle(jsonRequest(body, { query: { token: 'hook-secret' } }));
    assert.deepEqual(outcome.jobs[0]?.source, { kind: 'local', path: recording });
    assert.equal(outcome.jobs[0]?.metadata['clientId'], '107');
  });

  it('finds the token among other publish parameters', async () => {
    const adapter = createSrsAdapter({ recordDir: fx.recordDir, token: 'abc' });
    const outcome = await adapter.handle(jsonRequest(onDvr(fx.recordDir, recording, { param: '?vhost=x&token=abc&t=1' })));
    assert.equal(outcome.jobs.length, 1);
  });

  it('refuses a missing or wrong token with 401', async () => {
    const adapter = createSrsAdapter({ recordDir: fx.recordDir, token: 'abc' });
    await expectIntakeError(adapter.handle(jsonRequest(onDvr(fx.recordDir, recording, { param: '' }))), 401, /missing token/);
    await expectIntakeError(adapter.handle(jsonRequest(onDvr(fx.recordDir, recording, { param: '?token=abd' }))), 401, /invalid token/);
  });

  it('refuses files outside the record dir: absolute, via .., via cwd, via symlink (403)', async () => {
    const adapter = createSrsAdapter({ recordDir: fx.recordDir });
    const outside = await fx.writeOutside('other.flv');
    await expectIntakeError(adapter.handle(jsonRequest(onDvr(fx.recordDir, outside))), 403, /outside/);
    await expectIntakeError(adapter.handle(jsonRequest(onDvr(fx.recordDir, '../outside/other.flv'))), 403, /"\.\."/);
    await expectIntakeError(adapter.handle(jsonRequest(onDvr(fx.outsideDir, './other.flv'))), 403, /outside/);
    await fx.link('objs/link.flv', outside);
    await expectIntakeError(adapter.handle(jsonRequest(onDvr(fx.recordDir, './objs/link.flv'))), 403, /symbolic link/);
  });

  it('refuses a missing or empty file (422), and a relative file without cwd', async () => {
    const adapter = createSrsAdapter({ recordDir: fx.recordDir });
    await expectIntakeError(adapter.handle(jsonRequest(onDvr(fx.recordDir, './objs/gone.flv'))), 422, /no such file/);
    await fx.write('objs/empty.flv', '');
    await expectIntakeError(adapter.handle(jsonRequest(onDvr(fx.recordDir, './objs/empty.flv'))), 422, /empty/);
    await expectIntakeError(adapter.handle(jsonRequest(onDvr('', './objs/gone.flv'))), 422, /relative/);
  });

  it('refuses malformed bodies with 400 naming the field', async () => {
    const adapter = createSrsAdapter({ recordDir: fx.recordDir });
    await expectIntakeError(adapter.handle(inbound({ body: '{"action":' })), 400, /not valid JSON/);
    await expectIntakeError(adapter.handle(inbound({ body: '' })), 400, /empty body/);
    await expectIntakeError(adapter.handle(jsonRequest([1, 2])), 400, /JSON object/);
    await expectIntakeError(adapter.handle(jsonRequest(onDvr(fx.recordDir, recording, { action: 'on_publish' }))), 400, /on_dvr only/);
    await expectIntakeError(adapter.handle(jsonRequest({ action: 'on_dvr', cwd: fx.recordDir })), 400, /file:/);
    await expectIntakeError(adapter.handle(jsonRequest(onDvr(fx.recordDir, '', { file: 42 }))), 400, /file:/);
    await expectIntakeError(adapter.handle(jsonRequest(onDvr(fx.recordDir, recording, { client_id: { id: 1 } }))), 400, /client_id/);
    await expectIntakeError(adapter.handle(jsonRequest(onDvr(fx.recordDir, path.join(fx.recordDir, 'x.flv'), { action: undefined }))), 400, /action/);
  });
});
