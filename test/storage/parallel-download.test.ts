// downloadToFile against a real S3 API (s3rver) on loopback, and against flaky stores.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { CancelledError, InputError } from '../../src/errors/index.ts';
import { objectHeaders } from '../../src/storage/content-types.ts';
import { LocalObjectStore } from '../../src/storage/local-store.ts';
import type { ObjectStore } from '../../src/storage/object-store.ts';
import { openObjectStore } from '../../src/storage/open-store.ts';
import { downloadToFile } from '../../src/storage/parallel-download.ts';
import { S3ObjectStore } from '../../src/storage/s3-store.ts';
import { StorageError } from '../../src/storage/storage-error.ts';
import { s3rverCredentials, startS3, type RunningS3 } from './s3-helpers.ts';

const MiB = 1024 * 1024;

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Wraps a store; `breakGet` may replace the stream a get returns (call number, range → stream). */
function wrap(store: ObjectStore, breakGet: (call: number, range: { start: number; end: number } | undefined, stream: Readable) => Readable): ObjectStore & { gets: { start: number; end: number }[] } {
  let calls = 0;
  const gets: { start: number; end: number }[] = [];
  return {
    uri: store.uri,
    gets,
    head: (key) => store.head(key),
    put: (key, body, options) => store.put(key, body, options),
    list: (prefix) => store.list(prefix),
    delete: (keys) => store.delete(keys),
    url: (key) => store.url(key),
    async get(key, range) {
      calls += 1;
      if (range !== undefined) gets.push(range);
      return breakGet(calls, range, await store.get(key, range));
    },
  };
}

/** Passes `limit` bytes of `source`, then fails with `error`. */
function failAfter(source: Readable, limit: number, error: Error): Readable {
  const out = new PassThrough();
  let seen = 0;
  source.on('data', (chunk: Buffer) => {
    if (out.destroyed) return;
    const room = limit - seen;
    seen += chunk.length;
    if (room > 0) out.write(chunk.subarray(0, room));
    if (seen >= limit) {
      source.destroy();
      out.destroy(error);
    }
  });
  source.on('end', () => out.end());
  return out;
}

describe('downloadToFile', () => {
  let s3: RunningS3;
  let store: S3ObjectStore;
  let dir: string;
  const data = randomBytes(40 * MiB + 12345);
  const sha = createHash('sha256').update(data).digest('hex');

  before(async () => {
    s3 = await startS3(['rec']);
    dir = await mkdtemp(join(tmpdir(), 'live2vod-download-'));
    const opened = openObjectStore('s3://rec/live', { endpoint: s3.endpoint, credentials: s3rverCredentials, maxAttempts: 2, env: {} });
    assert.ok(opened instanceof S3ObjectStore);
    store = opened;
    await store.put('keynote 2024/rec+1.flv', data, objectHeaders('rec+1.flv'));
  });
  after(async () => {
    await store.close();
    await s3.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('downloads a 40 MiB object in 4 parallel ranged parts, byte-identical', async () => {
    const counted = wrap(store, (_call, _range, stream) => stream);
    const file = join(dir, 'a', 'source.flv');
    const progress: number[] = [];
    const started = performance.now();
    const result = await downloadToFile(counted, 'keynote 2024/rec+1.flv', file, {
      partBytes: Math.ceil(data.length / 4),
      concurrency: 4,
      onProgress: (p) => {
        assert.equal(p.totalBytes, data.length);
        progress.push(p.bytes);
      },
    });
    const ms = performance.now() - started;
    assert.equal(result.bytes, data.length);
    assert.equal(result.parts, 4);
    assert.equal(result.retries, 0);
    assert.equal(counted.gets.length, 4);
    assert.deepEqual(counted.gets.map((r) => r.start), [0, 1, 2, 3].map((i) => i * Math.ceil(data.length / 4)));
    assert.equal((await stat(file)).size, data.length);
    assert.equal(await fileSha256(file), sha);
    assert.deepEqual(await readdir(join(dir, 'a')), ['source.flv'], 'no partial file left');
    assert.ok(progress.every((b, i) => i === 0 || b >= (progress[i - 1] ?? 0)));
    assert.equal(progress.at(-1), data.length);
    console.log(`# parallel download of ${(data.length / MiB).toFixed(1)} MiB in 4 parts: ${ms.toFixed(0)} ms`);
  });

  it('downloads with the defaults (16 MiB parts) too', async () => {
    const file = join(dir, 'defaults.flv');
    const result = await downloadToFile(store, 'keynote 2024/rec+1.flv', file);
    assert.equal(result.parts, 3);
    assert.equal(await fileSha256(file), sha);
  });

  it('refuses an object over maxBytes before downloading anything', async () => {
    const counted = wrap(store, (_call, _range, stream) => stream);
    const file = join(dir, 'too-big.flv');
    await assert.rejects(downloadToFile(counted, 'keynote 2024/rec+1.flv', file, { maxBytes: 10 * MiB }), (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.equal(e.retryable, false);
      assert.match(e.message, /s3:\/\/rec\/live\/keynote 2024\/rec\+1\.flv/);
      assert.match(e.message, /40\.0 MiB/);
      assert.match(e.message, /10\.0 MiB/);
      return true;
    });
    assert.equal(counted.gets.length, 0);
    await assert.rejects(stat(file), { code: 'ENOENT' });
  });

  it('says when the source does not exist', async () => {
    await assert.rejects(downloadToFile(store, 'missing.flv', join(dir, 'missing.flv')), (e: unknown) => e instanceof InputError && /does not exist/.test(e.message));
  });

  it('resumes each part after a transient failure mid-part', async () => {
    const partBytes = 12 * MiB;
    // Every first attempt of a part breaks after 1 MiB with a reset connection.
    const seenStarts = new Set<number>();
    const flaky = wrap(store, (_call, range, stream) => {
      if (range === undefined || seenStarts.has(range.start) || range.start % partBytes !== 0) return stream;
      seenStarts.add(range.start);
      return failAfter(stream, MiB, new StorageError('connection reset', { reason: 'transient', retryable: true, code: 'ECONNRESET' }));
    });
    const file = join(dir, 'flaky.flv');
    const result = await downloadToFile(flaky, 'keynote 2024/rec+1.flv', file, { partBytes, concurrency: 4, retryDelayMs: 5 });
    assert.equal(result.parts, 4);
    assert.equal(result.retries, 4);
    // The retries asked only for the rest of each part: from the last byte written (at most the
    // 1 MiB that got through; what was still buffered when the stream broke is fetched again).
    const resumed = flaky.gets.filter((r) => r.start % partBytes !== 0).sort((a, b) => a.start - b.start);
    assert.equal(resumed.length, 4);
    for (const [i, r] of resumed.entries()) {
      assert.ok(r.start > i * partBytes && r.start <= i * partBytes + MiB, `part ${i} resumed at ${r.start}`);
      assert.equal(r.end, Math.min((i + 1) * partBytes, data.length) - 1);
    }
    assert.equal(await fileSha256(file), sha);
  });

  it('fails at once on a non-retryable part error and removes the partial file', async () => {
    const broken = wrap(store, (call, _range, stream) =>
      call === 2 ? failAfter(stream, 100, new StorageError('access denied', { reason: 'access-denied', retryable: false, code: 'AccessDenied' })) : stream);
    const file = join(dir, 'broken', 'x.flv');
    await assert.rejects(downloadToFile(broken, 'keynote 2024/rec+1.flv', file, { partBytes: 8 * MiB, retryDelayMs: 5 }), (e: unknown) => e instanceof StorageError && e.code === 'AccessDenied');
    assert.deepEqual(await readdir(join(dir, 'broken')), []);
  });

  it('gives up on a part after partAttempts transient failures', async () => {
    const alwaysFails = wrap(store, (_call, _range, stream) =>
      failAfter(stream, 10, new StorageError('slow down', { reason: 'transient', retryable: true, code: 'SlowDown' })));
    await assert.rejects(
      downloadToFile(alwaysFails, 'keynote 2024/rec+1.flv', join(dir, 'never.flv'), { partBytes: 16 * MiB, concurrency: 1, partAttempts: 3, retryDelayMs: 1 }),
      (e: unknown) => e instanceof StorageError && e.code === 'SlowDown',
    );
    assert.equal(alwaysFails.gets.length, 3);
  });

  it('stops on abort with a CancelledError', async () => {
    const controller = new AbortController();
    const file = join(dir, 'cancelled.flv');
    const download = downloadToFile(store, 'keynote 2024/rec+1.flv', file, {
      partBytes: 4 * MiB,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytes > 2 * MiB) controller.abort();
      },
    });
    await assert.rejects(download, CancelledError);
    await assert.rejects(stat(file), { code: 'ENOENT' });
    await assert.rejects(stat(`${file}.partial`), { code: 'ENOENT' });
  });

  it('works with a local store, and with an empty object', async () => {
    const local = new LocalObjectStore(join(dir, 'local-src'));
    await local.put('x/src.bin', data.subarray(0, 5 * MiB + 7), objectHeaders('src.bin'));
    await local.put('empty.bin', Buffer.alloc(0), objectHeaders('empty.bin'));
    const file = join(dir, 'from-local.bin');
    const result = await downloadToFile(local, 'x/src.bin', file, { partBytes: MiB });
    assert.equal(result.parts, 6);
    assert.equal(await fileSha256(file), createHash('sha256').update(data.subarray(0, 5 * MiB + 7)).digest('hex'));
    const empty = await downloadToFile(local, 'empty.bin', join(dir, 'empty.bin'));
    assert.equal(empty.bytes, 0);
    assert.equal((await stat(join(dir, 'empty.bin'))).size, 0);
  });
});
