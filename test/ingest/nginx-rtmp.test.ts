import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNginxRtmpAdapter } from '../../src/ingest/nginx-rtmp.ts';
import { expectIntakeError, inbound, recordDirFixture, type RecordDirFixture } from './helpers.ts';

// The exact body observed from nginx-rtmp on this machine (shared/TESTING.md), path replaced.
function recordDoneBody(recordedPath: string, tail = '&token=abc'): string {
  return `app=live&flashver=FMLE/3.0%20(compatible;%20Lavf59.27.100)&swfurl=&tcurl=rtmp://127.0.0.1:19350/live&pageurl=&addr=127.0.0.1&clientid=1&call=record_done&recorder=&name=keynote&path=${recordedPath}${tail}`;
}

const form = 'application/x-www-form-urlencoded';

describe('nginx-rtmp on_record_done adapter', () => {
  let fx: RecordDirFixture;
  let recording: string;
  before(async () => {
    fx = await recordDirFixture();
    recording = await fx.write('keynote-1795481237.flv', 'x'.repeat(4096));
  });
  after(() => fx.cleanup());

  it('turns the observed body into one job with metadata and the path/size/mtime key', async () => {
    const adapter = createNginxRtmpAdapter({ recordDir: fx.recordDir, token: 'abc' });
    assert.equal(adapter.kind, 'nginx-rtmp');
    const outcome = await adapter.handle(inbound({ contentType: form, body: recordDoneBody(recording) }));
    const { mtimeMs } = await stat(recording);
    assert.deepEqual(outcome, {
      jobs: [
        {
          source: { kind: 'local', path: recording },
          facts: { bytes: 4096 },
          idempotencyKey: `file:${recording}:4096:${Math.trunc(mtimeMs)}`,
          metadata: { app: 'live', stream: 'keynote', addr: '127.0.0.1', clientId: '1' },
        },
      ],
    });
    assert.equal(adapter.successBody(['job_1']), 'ok');
  });

  // Without ?priority= the job has none of its own: the intake applies the configured default (src/config/default-priority.ts).
  it('takes the token from the hook URL query too, and the priority from ?priority=', async () => {
    const adapter = createNginxRtmpAdapter({ recordDir: fx.recordDir, token: 's3cret' });
    const outcome = await adapter.handle(
      inbound({ contentType: 'application/x-www-form-urlencoded; charset=utf-8', query: { token: 's3cret', priority: 'urgent' }, body: recordDoneBody(recording, '') }),
    );
    assert.equal(outcome.jobs[0]?.priority, 'urgent');
    const defaulted = await adapter.handle(inbound({ contentType: form, query: { token: 's3cret' }, body: recordDoneBody(recording, '') }));
    assert.equal(defaulted.jobs[0]?.priority, undefined);
  });

  it('runs open when no token is configured', async () => {
    const adapter = createNginxRtmpAdapter({ recordDir: fx.recordDir });
    const outcome = await adapter.handle(inbound({ contentType: form, body: recordDoneBody(recording, '') }));
    assert.equal(outcome.jobs.length, 1);
    assert.equal(outcome.jobs[0]?.priority, undefined);
  });

  it('refuses a missing or wrong token with 401', async () => {
    const adapter = createNginxRtmpAdapter({ recordDir: fx.recordDir, token: 'abc' });
    await expectIntakeError(adapter.handle(inbound({ contentType: form, body: recordDoneBody(recording, '') })), 401, /missing token/);
    await expectIntakeError(adapter.handle(inbound({ contentType: form, body: recordDoneBody(recording, '&token=abd') })), 401, /invalid token/);
    await expectIntakeError(adapter.handle(inbound({ contentType: form, query: { token: 'nope' }, body: recordDoneBody(recording, '') })), 401, /invalid token/);
  });

  it('uses the module\'s own path when the publisher appends a second path= (first occurrence wins)', async () => {
    const adapter = createNginxRtmpAdapter({ recordDir: fx.recordDir, token: 'abc' });
    const other = await fx.write('other.flv');
    const outcome = await adapter.handle(inbound({ contentType: form, body: recordDoneBody(recording, `&token=abc&path=${other}&call=publish&name=evil`) }));
    assert.deepEqual(outcome.jobs[0]?.source, { kind: 'local', path: recording });
    assert.equal(outcome.jobs[0]?.metadata['stream'], 'keynote');
  });

  it('decodes escaped paths (nginx escapes spaces and + in values)', async () => {
    const spaced = await fx.write('my show+1.flv');
    const adapter = createNginxRtmpAdapter({ recordDir: fx.recordDir });
    const escaped = `${fx.recordDir}/my%20show%2B1.flv`;
    const outcome = await adapter.handle(inbound({ contentType: form, body: recordDoneBody(escaped, '') }));
    assert.deepEqual(outcome.jobs[0]?.source, { kind: 'local', path: spaced });
  });

  it('refuses paths outside the record dir, with .., or through a symlink out (403)', async () => {
    const adapter = createNginxRtmpAdapter({ recordDir: fx.recordDir });
    const outside = await fx.writeOutside('secret.flv');
    await expectIntakeError(adapter.handle(inbound({ contentType: form, body: recordDoneBody(outside, '') })), 403, /outside the record directory/);
    await expectIntakeError(adapter.handle(inbound({ contentType: form, body: recordDoneBody(`${fx.recordDir}/../outside/secret.flv`, '') })), 403, /"\.\."/);
    const link = await fx.link('sneaky.flv', outside);
    await expectIntakeError(adapter.handle(inbound({ contentType: form, body: recordDoneBody(link, '') })), 403, /symbolic link/);
  });

  it('refuses a missing or empty recording (422)', async () => {
    const adapter = createNginxRtmpAdapter({ recordDir: fx.recordDir });
    await expectIntakeError(adapter.handle(inbound({ contentType: form, body: recordDoneBody(path.join(fx.recordDir, 'gone.flv'), '') })), 422, /no such file/);
    const empty = await fx.write('empty.flv', '');
    await expectIntakeError(adapter.handle(inbound({ contentType: form, body: recordDoneBody(empty, '') })), 422, /empty/);
  });

  it('refuses malformed requests with 400 naming the problem', async () => {
    const adapter = createNginxRtmpAdapter({ recordDir: fx.recordDir });
    await expectIntakeError(adapter.handle(inbound({ contentType: 'application/json', body: '{}' })), 400, /Content-Type application\/x-www-form-urlencoded/);
    await expectIntakeError(adapter.handle(inbound({ contentType: form, body: 'app=live&name=keynote' })), 400, /missing field call/);
    await expectIntakeError(adapter.handle(inbound({ contentType: form, body: 'app=live&call=publish&name=keynote' })), 400, /call=publish: .*on_record_done only/);
    await expectIntakeError(adapter.handle(inbound({ contentType: form, body: 'app=live&call=record_done&name=keynote' })), 400, /missing field path/);
    await expectIntakeError(adapter.handle(inbound({ contentType: form, body: 'call=record_done&path=' })), 400, /missing field path/);
    await expectIntakeError(adapter.handle(inbound({ contentType: form, query: { priority: 'asap' }, body: recordDoneBody(recording, '') })), 400, /priority must be one of urgent, high, normal, low/);
  });
});
