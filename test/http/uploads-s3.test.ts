// POST /v1/uploads when assets go to S3 (storage.output: s3://vod/assets on a real S3 API,
// s3rver): workers may not see the control plane's disk, so the recording is streamed into the
// bucket under uploads/<id>/<name> (a sibling of the assets/ prefix) and the job's source is that
// object's s3:// URI. A real worker fetches it from there and the job succeeds. Refused uploads
// (too large, by Content-Length or mid-stream past a multipart part; empty) leave no object.
//
// The workers are child processes that inherit process.env, so the AWS_* settings for s3rver are
// set in process.env for this file (and restored after).
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import type { ApiJob } from '../../src/http/api-schemas.ts';
import { makeTempDir, makeTestPattern, type TempDir } from '../helpers/media.ts';
import { startTestService, waitForJob, type TestService } from '../helpers/serve.ts';
import { getBytes, listAll, s3rverCredentials, startS3, useS3rverEnv, type RunningS3 } from '../storage/s3-helpers.ts';

/** Above one 8 MiB multipart part, so a refused stream has already sent a part when it is stopped. */
const limit = 10 * 1024 * 1024;
const uploadsPrefix = 'assets/uploads/';

async function upload(base: string, name: string, body: Buffer | ReadableStream<Uint8Array>): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(new URL(`/v1/uploads?filename=${encodeURIComponent(name)}`, base), {
    method: 'POST',
    headers: { 'content-type': 'video/mp4' },
    body,
    // Streams are sent chunked, without a Content-Length.
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    signal: AbortSignal.timeout(60_000),
  } as RequestInit);
  return { status: response.status, json: await response.json() as Record<string, unknown> };
}

describe('POST /v1/uploads with an S3 storage output', { timeout: 240_000 }, () => {
  let s3: RunningS3;
  let tmp: TempDir;
  let client: S3Client;
  let service: TestService;
  let restoreEnv: (() => void) | undefined;

  const uploadKeys = async (): Promise<string[]> => (await listAll(client, 'vod', uploadsPrefix)).map((o) => o.Key ?? '').sort();

  before(async () => {
    [s3, tmp] = await Promise.all([startS3(['vod']), makeTempDir('live2vod-upload-s3-')]);
    restoreEnv = useS3rverEnv(s3.endpoint);
    client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: s3rverCredentials });
    service = await startTestService({ overrides: { storage: { output: 's3://vod/assets' }, sourceFetch: { maxBytes: limit } } });
  });

  after(async () => {
    await service?.dispose();
    client?.destroy();
    restoreEnv?.();
    await s3?.dispose();
    await tmp?.cleanup();
  });

  it('streams the recording into the bucket, and a worker transcodes it from there', async () => {
    const file = await makeTestPattern(tmp.dir, { seconds: 3, width: 320, height: 180, rate: 30, audio: 'sine', name: 'talk.mp4' });
    const bytes = await readFile(file);
    const response = await upload(service.url, 'my talk.mp4', bytes);
    assert.equal(response.status, 201, JSON.stringify(response.json));
    const created = response.json as unknown as ApiJob;
    assert.match(created.source, /^s3:\/\/vod\/assets\/uploads\/[\w-]+\/my_talk\.mp4$/, 'the job reads the recording from the bucket');
    assert.equal(created.metadata['bytes'], String(bytes.length));

    const key = created.source.slice('s3://vod/'.length);
    assert.deepEqual(await uploadKeys(), [key]);
    assert.ok((await getBytes(client, 'vod', key)).equals(bytes), 'the object holds exactly the uploaded bytes');
    assert.deepEqual(await readdir(path.join(service.dataDir, 'uploads')), [], 'nothing was written to the control plane\'s disk');

    const job = await waitForJob(service.url, created.id, 'succeeded', { timeoutMs: 180_000, intervalMs: 250 });
    const published = (await listAll(client, 'vod', `assets/assets/${job.id}/`)).map((o) => o.Key ?? '');
    assert.ok(published.some((k) => k.endsWith('/manifest.json')), `the asset was published: ${published.join(', ')}`);
  });

  it('refuses more than sourceFetch.maxBytes (413), by Content-Length or mid-stream after a part went up, and leaves no object', async () => {
    const before = await uploadKeys();
    const declared = await upload(service.url, 'big.mp4', Buffer.alloc(limit + 1));
    assert.equal(declared.status, 413);
    let sent = 0;
    const chunk = new Uint8Array(1024 * 1024);
    const streamed = await upload(service.url, 'big.mp4', new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 12) controller.enqueue(chunk);
        else controller.close();
      },
    }));
    assert.equal(streamed.status, 413, JSON.stringify(streamed.json));
    assert.equal(streamed.json['error'], 'too_large');
    assert.deepEqual(await uploadKeys(), before);
  });

  it('refuses an empty body (400) and removes the empty object', async () => {
    const before = await uploadKeys();
    const empty = await upload(service.url, 'empty.mp4', Buffer.alloc(0));
    assert.equal(empty.status, 400);
    assert.match(String(empty.json['message']), /empty/);
    assert.deepEqual(await uploadKeys(), before);
  });
});
