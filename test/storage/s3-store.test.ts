// S3ObjectStore against a real S3 API (s3rver) on loopback.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { HeadObjectCommand, ListObjectsV2Command, S3Client, type DeleteObjectsCommandInput } from '@aws-sdk/client-s3';
import { InputError } from '../../src/errors/index.ts';
import { objectHeaders } from '../../src/storage/content-types.ts';
import { openObjectLocation, openObjectStore, type OpenStoreOptions } from '../../src/storage/open-store.ts';
import { S3ObjectStore } from '../../src/storage/s3-store.ts';
import { StorageError } from '../../src/storage/storage-error.ts';
import { s3rverCredentials, startRelay, startS3, type RunningS3 } from './s3-helpers.ts';

const MiB = 1024 * 1024;

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A stream of `data` in 1 MiB chunks, optionally calling `onChunk` before each. */
function chunked(data: Buffer, onChunk?: (offset: number) => void): Readable {
  return Readable.from((function* () {
    for (let offset = 0; offset < data.length; offset += MiB) {
      onChunk?.(offset);
      yield data.subarray(offset, offset + MiB);
    }
  })());
}

function openS3(s3: { endpoint: string }, uri: string, options: OpenStoreOptions = {}): S3ObjectStore {
  const store = openObjectStore(uri, { endpoint: s3.endpoint, credentials: s3rverCredentials, maxAttempts: 2, env: {}, ...options });
  assert.ok(store instanceof S3ObjectStore);
  return store;
}

/** Records the name of every command the store's client sends. */
function countCommands(store: S3ObjectStore): string[] {
  const names: string[] = [];
  store.client.middlewareStack.add(
    (next, context) => async (args) => {
      names.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name: 'testCountCommands' },
  );
  return names;
}

describe('S3ObjectStore (s3rver)', () => {
  let s3: RunningS3;
  let store: S3ObjectStore;
  let commands: string[];
  const big = randomBytes(20 * MiB);

  before(async () => {
    s3 = await startS3(['vod', 'rec']);
    store = openS3(s3, 's3://vod/assets', { listPageSize: 7 });
    commands = countCommands(store);
  });
  after(async () => {
    await store.close();
    await s3.dispose();
  });

  it('names its root as s3://bucket/prefix/', () => {
    assert.equal(store.uri, 's3://vod/assets/');
    assert.equal(store.prefix, 'assets/');
  });

  it('puts small buffers and strings in one PutObject with Content-Type and Cache-Control', async () => {
    commands.length = 0;
    await store.put('v/720p/index.m3u8', '#EXTM3U\n', objectHeaders('v/720p/index.m3u8'));
    await store.put('v/720p/seg-1.m4s', Buffer.from('segment'), objectHeaders('seg-1.m4s'));
    assert.deepEqual(commands, ['PutObjectCommand', 'PutObjectCommand']);
    const head = await store.client.send(new HeadObjectCommand({ Bucket: 'vod', Key: 'assets/v/720p/index.m3u8' }));
    assert.equal(head.ContentType, 'application/vnd.apple.mpegurl');
    assert.equal(head.CacheControl, 'public, max-age=60');
    const got = await store.get('v/720p/seg-1.m4s');
    assert.equal(await text(got), 'segment');
    const info = await store.head('v/720p/seg-1.m4s');
    assert.equal(info?.size, 7);
    assert.equal(info?.key, 'v/720p/seg-1.m4s');
    assert.match(info?.etag ?? '', /^[0-9a-f]{32}$/);
  });

  it('uploads a 20 MiB stream as a multipart upload and reads it back byte-identical', async () => {
    commands.length = 0;
    const started = performance.now();
    await store.put('v/full.mp4', chunked(big), { ...objectHeaders('full.mp4'), size: big.length });
    const ms = performance.now() - started;
    assert.equal(commands.filter((c) => c === 'CreateMultipartUploadCommand').length, 1);
    assert.equal(commands.filter((c) => c === 'UploadPartCommand').length, 3, '8 + 8 + 4 MiB');
    assert.equal(commands.filter((c) => c === 'CompleteMultipartUploadCommand').length, 1);
    const head = await store.client.send(new HeadObjectCommand({ Bucket: 'vod', Key: 'assets/v/full.mp4' }));
    assert.equal(head.ContentType, 'video/mp4');
    assert.equal(head.CacheControl, 'public, max-age=31536000, immutable');
    assert.equal(head.ContentLength, big.length);
    assert.equal(sha256(await buffer(await store.get('v/full.mp4'))), sha256(big));
    console.log(`# multipart put of 20 MiB: ${ms.toFixed(0)} ms`);
  });

  it('uploads a buffer larger than a part as multipart too', async () => {
    commands.length = 0;
    const data = big.subarray(0, 9 * MiB);
    await store.put('v/nine.bin', data, objectHeaders('nine.bin'));
    assert.ok(commands.includes('UploadPartCommand'));
    assert.equal(sha256(await buffer(await store.get('v/nine.bin'))), sha256(data));
  });

  it('passes through the error of a failing source stream', async () => {
    const failing = new Readable({
      read() {
        this.destroy(Object.assign(new Error('source file vanished'), { code: 'ENOENT' }));
      },
    });
    await assert.rejects(store.put('v/broken.mp4', failing, objectHeaders('broken.mp4')), /source file vanished/);
    assert.equal(await store.head('v/broken.mp4'), undefined);
  });

  it('reads byte ranges (inclusive end)', async () => {
    const part = await buffer(await store.get('v/full.mp4', { start: 5 * MiB + 3, end: 6 * MiB + 10 }));
    assert.equal(part.length, MiB + 8);
    assert.ok(part.equals(big.subarray(5 * MiB + 3, 6 * MiB + 11)));
    assert.equal(await text(await store.get('v/720p/seg-1.m4s', { start: 1, end: 3 })), 'egm');
    await assert.rejects(store.get('v/x', { start: 5, end: 2 }), InputError);
  });

  it('round-trips keys with spaces, +, unicode and a literal %2F exactly', async () => {
    const keys = ['odd/with spaces/a b.m4s', 'odd/plus+sign/c+d.m4s', 'odd/ünïcode/ß✓.m4s', 'odd/slash%2Fencoded/x%2Fy.m4s', 'odd/100%/p%20q.m4s'];
    for (const [i, key] of keys.entries()) await store.put(key, `body ${i}`, objectHeaders(key));
    for (const [i, key] of keys.entries()) assert.equal(await text(await store.get(key)), `body ${i}`, key);
    const listed = (await store.list('odd/')).map((o) => o.key).sort();
    assert.deepEqual(listed, [...keys].sort());
    // The bucket holds exactly those characters under the prefix.
    const raw = await store.client.send(new ListObjectsV2Command({ Bucket: 'vod', Prefix: 'assets/odd/' }));
    assert.deepEqual((raw.Contents ?? []).map((o) => o.Key).sort(), keys.map((k) => `assets/${k}`).sort());
    assert.equal((await store.head('odd/slash%2Fencoded/x%2Fy.m4s'))?.size, 6);
    assert.equal(await store.head('odd/slash/encoded/x/y.m4s'), undefined);
  });

  it('pages through ListObjectsV2 results', async () => {
    const keys = Array.from({ length: 25 }, (_, i) => `page/k${String(i).padStart(2, '0')}.m4s`);
    await Promise.all(keys.map((key) => store.put(key, key, objectHeaders(key))));
    commands.length = 0;
    const listed = await store.list('page/');
    assert.deepEqual(listed.map((o) => o.key), keys);
    assert.equal(commands.filter((c) => c === 'ListObjectsV2Command').length, 4, '25 keys at 7 a page');
    assert.ok(listed.every((o) => o.size === o.key.length && o.lastModified instanceof Date));
  });

  it('deletes in batches and tolerates missing keys', async () => {
    const keys = (await store.list('page/')).map((o) => o.key);
    commands.length = 0;
    await store.delete([...keys, 'page/never-existed.m4s']);
    assert.deepEqual(commands, ['DeleteObjectsCommand']);
    assert.deepEqual(await store.list('page/'), []);
    await store.delete([]);
  });

  it('answers undefined from head and a not-found StorageError from get for a missing key', async () => {
    assert.equal(await store.head('missing/key.m4s'), undefined);
    await assert.rejects(store.get('missing/key.m4s'), (e: unknown) => e instanceof StorageError && e.reason === 'not-found' && !e.retryable && e.message.includes('s3://vod/assets/missing/key.m4s'));
  });

  it('gives presigned GET URLs that global fetch can read, with the stored headers', async () => {
    const key = 'odd/with spaces/a b.m4s';
    const url = await store.url(key);
    assert.match(url, /X-Amz-Signature=/);
    assert.match(url, /X-Amz-Expires=3600/);
    assert.ok(url.startsWith(`${s3.endpoint}/vod/assets/odd/with%20spaces/a%20b.m4s?`), url);
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'body 0');
    assert.equal(response.headers.get('content-type'), 'video/iso.segment');
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');

    const encoded = await store.url('odd/slash%2Fencoded/x%2Fy.m4s');
    assert.equal(await (await fetch(encoded)).text(), 'body 3');
  });

  it('honours presignSeconds', async () => {
    const short = openS3(s3, 's3://vod/assets', { presignSeconds: 120 });
    assert.match(await short.url('v/720p/seg-1.m4s'), /X-Amz-Expires=120/);
    await short.close();
    assert.throws(() => openS3(s3, 's3://vod/assets', { presignSeconds: 8 * 24 * 3600 }), InputError);
  });

  it('gives public-base URLs with each key segment encoded', async () => {
    const cdn = openS3(s3, 's3://vod/assets', { publicBaseUrl: `${s3.endpoint}/vod/assets/` });
    const url = await cdn.url('odd/plus+sign/c+d.m4s');
    assert.equal(url, `${s3.endpoint}/vod/assets/odd/plus%2Bsign/c%2Bd.m4s`);
    assert.equal(await cdn.url('odd/slash%2Fencoded/x%2Fy.m4s'), `${s3.endpoint}/vod/assets/odd/slash%252Fencoded/x%252Fy.m4s`);
    // s3rver serves unsigned GETs, standing in for a public CDN origin here.
    assert.equal(await (await fetch(url)).text(), 'body 1');
    await cdn.close();
  });

  it('opens a single object for reading from s3://bucket/key', async () => {
    const { store: bucket, key } = openObjectLocation('s3://vod/assets/odd/plus+sign/c+d.m4s', { endpoint: s3.endpoint, credentials: s3rverCredentials, env: {} });
    assert.equal(key, 'assets/odd/plus+sign/c+d.m4s');
    assert.equal(await text(await bucket.get(key)), 'body 1');
    await bucket.close();
    assert.throws(() => openObjectLocation('s3://vod/assets/', { endpoint: s3.endpoint, env: {} }), InputError);
  });

  it('fails at once, non-retryable, naming the bucket, when the bucket does not exist', async () => {
    const missing = openS3(s3, 's3://no-such-bucket-here/x');
    const check = (e: unknown): boolean => {
      assert.ok(e instanceof StorageError, String(e));
      assert.equal(e.reason, 'no-such-bucket');
      assert.equal(e.retryable, false);
      assert.equal(e.exitCode, 4);
      assert.match(e.message, /bucket "no-such-bucket-here" does not exist/);
      assert.match(e.message, /check the bucket name/);
      return true;
    };
    await assert.rejects(missing.put('a.m3u8', '#EXTM3U', objectHeaders('a.m3u8')), check);
    await assert.rejects(missing.head('a.m3u8'), check);
    await assert.rejects(missing.list(''), check);
    await assert.rejects(missing.get('a.m3u8'), check);
    await missing.close();
  });

  it('fails non-retryable on an unknown access key', async () => {
    // (s3rver does not verify SigV4 signatures, so a wrong secret cannot be tested here.)
    const wrong = openS3(s3, 's3://vod/assets', { credentials: { accessKeyId: 'AKIAWRONG', secretAccessKey: 'wrong' } });
    await assert.rejects(wrong.put('x.m3u8', 'x', objectHeaders('x.m3u8')), (e: unknown) => {
      assert.ok(e instanceof StorageError, String(e));
      assert.equal(e.reason, 'bad-credentials');
      assert.equal(e.retryable, false);
      assert.match(e.message, /AWS_ACCESS_KEY_ID/);
      return true;
    });
    await wrong.close();
  });
});

// One s3rver for these: the relay tests first, then the one that stops it for good.
describe('S3ObjectStore when the server goes away', () => {
  let s3: RunningS3;
  before(async () => {
    s3 = await startS3(['vod']);
  });
  after(async () => {
    await s3.dispose();
  });

  describe('behind a relay that cuts connections', () => {
    it('fails a download retryable when the connection is reset mid-body', async () => {
      const writer = openS3(s3, 's3://vod/x');
      const data = randomBytes(16 * MiB);
      await writer.put('big.mp4', data, objectHeaders('big.mp4'));
      await writer.close();
      const relay = await startRelay(s3.port);
      const store = openS3({ endpoint: `http://127.0.0.1:${relay.port}` }, 's3://vod/x', { maxAttempts: 2 });
      const body = await store.get('big.mp4');
      let received = 0;
      await assert.rejects(
        (async () => {
          for await (const chunk of body) {
            received += (chunk as Buffer).length;
            if (received > MiB) await relay.cut();
          }
        })(),
        (e: unknown) => {
          assert.ok(e instanceof StorageError, String(e));
          assert.equal(e.retryable, true);
          assert.equal(e.reason, 'transient');
          return true;
        },
      );
      assert.ok(received < data.length);
      await store.close();
    });

    it('fails a multipart upload retryable when the connection drops mid-upload', async () => {
      const relay = await startRelay(s3.port);
      const store = openS3({ endpoint: `http://127.0.0.1:${relay.port}` }, 's3://vod/x', { maxAttempts: 2 });
      const data = randomBytes(24 * MiB);
      const body = chunked(data, (offset) => {
        if (offset === 12 * MiB) void relay.cut();
      });
      const started = performance.now();
      await assert.rejects(store.put('up.mp4', body, objectHeaders('up.mp4')), (e: unknown) => {
        assert.ok(e instanceof StorageError, String(e));
        assert.equal(e.retryable, true);
        return true;
      });
      assert.ok(performance.now() - started < 10_000);
      await store.close();
    });
  });

  it('fails retryable once the SDK has retried a stopped server', async () => {
    const store = openS3(s3, 's3://vod/x', { maxAttempts: 2 });
    await store.put('a.m4s', 'a', objectHeaders('a.m4s'));
    await s3.stop();
    const started = performance.now();
    await assert.rejects(store.put('b.m4s', 'b', objectHeaders('b.m4s')), (e: unknown) => {
      assert.ok(e instanceof StorageError, String(e));
      assert.equal(e.retryable, true);
      assert.equal(e.reason, 'transient');
      assert.equal(e.code, 'ECONNREFUSED');
      assert.match(e.message, /s3:\/\/vod\/x\/b\.m4s/);
      return true;
    });
    assert.ok(performance.now() - started < 5000);
    await assert.rejects(store.head('a.m4s'), (e: unknown) => e instanceof StorageError && e.retryable);
    await store.close();
  });
});

describe('S3ObjectStore.delete batching', () => {
  /** A client that answers DeleteObjects itself, recording batch sizes; `errorOn` makes that batch report a failed key. */
  function fakeDeleteClient(errorOn?: number): { client: S3Client; batches: string[][] } {
    const client = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, credentials: s3rverCredentials, maxAttempts: 1 });
    const batches: string[][] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'DeleteObjectsCommand') return next(args);
        const input = args.input as DeleteObjectsCommandInput;
        const keys = (input.Delete?.Objects ?? []).map((o) => o.Key ?? '');
        batches.push(keys);
        const errors = batches.length === errorOn ? [{ Key: keys[3], Code: 'AccessDenied', Message: 'Access Denied' }] : undefined;
        return { output: { $metadata: { httpStatusCode: 200 }, ...(errors ? { Errors: errors } : {}) }, response: {} } as Awaited<ReturnType<typeof next>>;
      },
      { step: 'initialize', name: 'fakeDeleteObjects' },
    );
    return { client, batches };
  }

  it('sends DeleteObjects in batches of at most 1000 keys', async () => {
    const { client, batches } = fakeDeleteClient();
    const store = new S3ObjectStore(client, 'vod', 'assets');
    const keys = Array.from({ length: 2500 }, (_, i) => `k/${i}.m4s`);
    await store.delete(keys);
    assert.deepEqual(batches.map((b) => b.length), [1000, 1000, 500]);
    assert.equal(batches[0]?.[0], 'assets/k/0.m4s');
    assert.equal(batches[2]?.[499], 'assets/k/2499.m4s');
    client.destroy();
  });

  it('turns a per-key failure in a batch into a StorageError naming the key', async () => {
    const { client } = fakeDeleteClient(2);
    const store = new S3ObjectStore(client, 'vod', 'assets');
    const keys = Array.from({ length: 1500 }, (_, i) => `k/${i}.m4s`);
    await assert.rejects(store.delete(keys), (e: unknown) => {
      assert.ok(e instanceof StorageError, String(e));
      assert.equal(e.reason, 'access-denied');
      assert.equal(e.retryable, false);
      assert.match(e.message, /assets\/k\/1003\.m4s/);
      return true;
    });
    client.destroy();
  });
});
