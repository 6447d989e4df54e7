// The loopback reader over an https/http source: the address policy still decides what the worker
// may reach, ranges are passed on window by window, and a server that does not honour ranges makes
// the worker download the source instead (with a warning). Real sockets on loopback, no ffmpeg.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { defaultSourceFetch } from '../../src/jobs/source-fetch.ts';
import type { TranscodeEvent } from '../../src/pipeline/events.ts';
import { parseRange } from '../../src/pipeline/ranged/loopback-reader.ts';
import { openRangedInput } from '../../src/pipeline/ranged/open-ranged-input.ts';
import { isLoopbackSourceUrl } from '../../src/media/input-args.ts';

const body = randomBytes(3 * 1024 * 1024);

/** Serves `body`; honours `Range: bytes=a-b` unless `ranges` is false. Logs each request's Range. */
async function startOrigin(ranges: boolean): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((request, response) => {
    const range = request.headers.range;
    seen.push(range ?? 'none');
    const match = /^bytes=(\d+)-(\d+)$/.exec(range ?? '');
    if (!ranges || !match) return void response.writeHead(200, { 'content-length': String(body.length) }).end(body);
    const start = Number(match[1]);
    const end = Math.min(Number(match[2]), body.length - 1);
    response.writeHead(206, { 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': String(end + 1 - start) }).end(body.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/live/rec.mp4`, seen };
}

describe('ranged reads of an http source', () => {
  let ranged: Awaited<ReturnType<typeof startOrigin>>;
  let whole: Awaited<ReturnType<typeof startOrigin>>;
  before(async () => {
    ranged = await startOrigin(true);
    whole = await startOrigin(false);
  });
  after(() => {
    ranged?.server.close();
    whole?.server.close();
  });
  const options = (allow: string[], events: TranscodeEvent[] = []) => ({ policy: { ...defaultSourceFetch, allow }, signal: new AbortController().signal, emit: (e: TranscodeEvent) => void events.push(e) });

  test('a private address the policy does not allow is refused before anything is read', async () => {
    await assert.rejects(openRangedInput({ kind: 'url', url: ranged.url }, options([])), /refusing to download http:\/\/127\.0\.0\.1:\d+: .*sourceFetch\.allow/);
  });

  test('the reader passes ffmpeg\'s ranges on, in windows, and nothing more', async () => {
    const reader = await openRangedInput({ kind: 'url', url: ranged.url }, options(['127.0.0.1']));
    assert.ok(reader);
    try {
      assert.ok(isLoopbackSourceUrl(reader.url), reader.url);
      assert.match(reader.url, /\/source\.mp4$/);
      const part = await fetch(reader.url, { headers: { range: 'bytes=1000000-1199999' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), `bytes 1000000-1199999/${body.length}`);
      assert.ok(Buffer.from(await part.arrayBuffer()).equals(body.subarray(1_000_000, 1_200_000)));
      // The probe at open, then windows of 64, 128 and 256 KiB (the last cut at the range's end).
      assert.deepEqual(ranged.seen.slice(-4), ['bytes=0-0', 'bytes=1000000-1065535', 'bytes=1065536-1196607', 'bytes=1196608-1199999']);
      assert.equal(reader.bytesFetched, 200_000);
      assert.equal((await fetch(reader.url.replace(/[0-9a-f]{32}/, 'f'.repeat(32)))).status, 404, 'another token is not served');
      assert.equal((await fetch(reader.url, { headers: { range: `bytes=${body.length}-` } })).status, 416);
    } finally {
      await reader.close();
    }
  });

  test('a server that ignores ranges makes the worker download instead, and says so', async () => {
    const events: TranscodeEvent[] = [];
    assert.equal(await openRangedInput({ kind: 'url', url: whole.url }, options(['127.0.0.1'], events)), undefined);
    assert.match(JSON.stringify(events), /cannot be read by byte ranges \(http:\/\/127\.0\.0\.1:\d+ answered a range request with the whole body \(HTTP 200\)\): downloading it whole first/);
  });

  test('Range headers as ffmpeg and others send them', () => {
    assert.deepEqual(parseRange('bytes=0-', 100), { start: 0, end: 99 });
    assert.deepEqual(parseRange('bytes=10-19', 100), { start: 10, end: 19 });
    assert.deepEqual(parseRange('bytes=90-200', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseRange(undefined, 100), undefined);
    assert.equal(parseRange('bytes=0-1,5-6', 100), undefined);
  });
});
