// serve with two local slots and an S3 output (a real S3 API: s3rver): a recording's chunks (8 s in
// four 2 s chunks) run as workers of their own whose work area is the output's scratch prefix; the asset is
// published with manifest.json last and the scratch prefix is gone after. A cancelled chunked job
// leaves nothing under its prefix.
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import type { AssetManifest } from '../../src/media/asset-manifest.ts';
import { makeTempDir, makeTestPattern, writeRealTimeFfmpeg, type TempDir } from '../helpers/media.ts';
import { api, startTestService, submitJob, waitFor, waitForJob, type TestService } from '../helpers/serve.ts';
import { getBytes, listAll, s3rverCredentials, startS3, useS3rverEnv, type RunningS3 } from '../storage/s3-helpers.ts';

describe('chunks across worker slots with an S3 output', { timeout: 240_000 }, () => {
  let s3: RunningS3;
  let tmp: TempDir;
  let client: S3Client;
  let service: TestService;
  let restoreEnv: (() => void) | undefined;
  let source: string;

  before(async () => {
    [s3, tmp] = await Promise.all([startS3(['vod']), makeTempDir('live2vod-s3-chunked-')]);
    restoreEnv = useS3rverEnv(s3.endpoint);
    client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: s3rverCredentials });
    source = await makeTestPattern(tmp.dir, { seconds: 8, width: 320, height: 180, rate: 30, audio: 'sine', name: 'long.mp4' });
    service = await startTestService({
      overrides: {
        executor: { concurrency: 2 },
        sourceRoots: [tmp.dir],
        storage: { output: 's3://vod/out', publicBaseUrl: `${s3.endpoint}/vod/out` },
        // No quality sampling: nothing here looks at it.
        transcode: { ladder: [{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }], preset: 'medium', thumbnails: false, download: false, instantRemux: false, loudness: false, quality: false, segmentSeconds: 2, chunkSeconds: 2 },
      },
    });
  });

  after(async () => {
    await service?.dispose();
    client?.destroy();
    restoreEnv?.();
    await s3?.dispose();
    await tmp?.cleanup();
  });

  const keysUnder = async (jobId: string): Promise<string[]> => (await listAll(client, 'vod', `out/assets/${jobId}/`)).map((o) => (o.Key ?? '').slice(`out/assets/${jobId}/`.length));

  it('makes the asset in the bucket from chunks encoded by separate workers, and removes the scratch prefix', async () => {
    const job = await submitJob(service.url, { source });
    const done = await waitForJob(service.url, job.id, 'succeeded', { timeoutMs: 180_000, intervalMs: 250 });
    const keys = await keysUnder(done.id);
    assert.ok(keys.includes('manifest.json') && keys.includes('master.m3u8'), keys.join(', '));
    assert.deepEqual(keys.filter((k) => k.startsWith('.live2vod-chunks/')), [], 'the scratch prefix is gone');
    const manifest = JSON.parse((await getBytes(client, 'vod', `out/assets/${done.id}/manifest.json`)).toString('utf8')) as AssetManifest;
    assert.deepEqual(manifest.chunks, { count: 4, seconds: 2 });
    // Each chunk ran as its own unit: the job's log has their states from the control plane.
    const events = await api<{ items: { type: string; data: { index?: number; state?: string } }[] }>(service.url, `/v1/jobs/${done.id}/log`);
    assert.equal(events.status, 200, events.text);
    const doneChunks = new Set(events.body.items.filter((e) => e.type === 'job.chunk' && e.data.state === 'done').map((e) => e.data.index));
    assert.deepEqual([...doneChunks].sort(), [0, 1, 2, 3]);
  });

  it('a cancelled chunked job leaves nothing under its prefix', async () => {
    // Another recording: the same file again would be the same job.
    const other = path.join(tmp.dir, 'other.mp4');
    await copyFile(source, other);
    // The workers' chunk encodes read at real time (they take LIVE2VOD_FFMPEG from this process's
    // environment), so the job still runs for seconds once its first chunk is done.
    const saved = process.env.LIVE2VOD_FFMPEG;
    process.env.LIVE2VOD_FFMPEG = await writeRealTimeFfmpeg(tmp.dir);
    try {
      const job = await submitJob(service.url, { source: other });
      await waitFor('a first chunk in the work area', async () => (await keysUnder(job.id)).some((k) => /^\.live2vod-chunks\/chunk-\d+\/result\.json$/.test(k)), { timeoutMs: 120_000, intervalMs: 200 });
      assert.equal((await api(service.url, `/v1/jobs/${job.id}/cancel`, { method: 'POST' })).status, 202);
      await waitForJob(service.url, job.id, 'cancelled', { timeoutMs: 30_000 });
      await waitFor('the prefix to be emptied', async () => (await keysUnder(job.id)).length === 0, { timeoutMs: 20_000, intervalMs: 200 });
    } finally {
      if (saved === undefined) delete process.env.LIVE2VOD_FFMPEG;
      else process.env.LIVE2VOD_FFMPEG = saved;
    }
  });
});
