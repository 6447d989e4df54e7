// Instant playback does not wait for a remote source's download: the full stage with an s3://
// source over a slow link (s3rver behind a relay that carries 1 MB/s per connection) announces
// `playable` while the download still runs, then finishes the asset from the download.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { resolveBinaries } from '../../src/ffmpeg/binaries.ts';
import { transcodeTaskSchema } from '../../src/jobs/transcode-task.ts';
import type { TranscodeEvent } from '../../src/pipeline/events.ts';
import { runStage } from '../../src/pipeline/stage-handlers.ts';
import { exists } from '../helpers/asset-checks.ts';
import { ffmpeg, makeTempDir, type TempDir } from '../helpers/media.ts';
import { s3rverCredentials, startRelay, startS3, useS3rverEnv, type Relay, type RunningS3 } from '../storage/s3-helpers.ts';

describe('full stage with a slow S3 source', () => {
  let tmp: TempDir;
  let s3: RunningS3;
  let relay: Relay;
  let restoreEnv: () => void;

  before(async () => {
    tmp = await makeTempDir('live2vod-ranged-playable-');
    // 16 s at 3 Mb/s, its index (moov) at the end as ffmpeg writes it: about 6 s to download. 15 fps
    // (2 s GOPs): the bytes, not the frames, set the download time, and frames cost CPU to encode.
    const source = path.join(tmp.dir, 'rec.mp4');
    await ffmpeg([
      '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15:duration=16', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=16',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '3M', '-g', '30', '-c:a', 'aac', '-b:a', '96k', source,
    ]);
    s3 = await startS3(['rec']);
    relay = await startRelay(s3.port, { bytesPerSecond: 1_000_000 });
    const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: s3rverCredentials });
    await client.send(new PutObjectCommand({ Bucket: 'rec', Key: 'live/rec.mp4', Body: await readFile(source) }));
    client.destroy();
    restoreEnv = useS3rverEnv(`http://127.0.0.1:${relay.port}`);
  });
  after(async () => {
    restoreEnv?.();
    await relay?.cut();
    await s3?.dispose();
    await tmp?.cleanup();
  });

  test('playable is announced before the download has finished, and the asset completes', async () => {
    const out = path.join(tmp.dir, 'asset');
    const events: { at: number; event: TranscodeEvent }[] = [];
    const started = performance.now();
    await runStage(transcodeTaskSchema.parse({
      version: 2, jobId: 'job-playable', attempt: 1, output: out, stage: 'full',
      source: { kind: 's3', bucket: 'rec', key: 'live/rec.mp4' },
      profile: { ladder: [{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }], preset: 'ultrafast', loudness: false, thumbnails: false, download: false, quality: false, segmentSeconds: 2, chunkSeconds: 0 },
      sourceFetch: { maxBytes: 1e9, timeoutMs: 60_000, allow: [] },
    }), { signal: new AbortController().signal, binaries: resolveBinaries(), onEvent: (event) => void events.push({ at: performance.now() - started, event }) });

    const playable = events.find((e) => e.event.type === 'playable');
    const fetched = events.find((e) => e.event.type === 'step' && e.event.step === 'fetch' && e.event.state === 'end');
    assert.ok(playable && fetched, `both playable and the end of the download were reported: ${JSON.stringify(events.map((e) => e.event.type))}`);
    console.log(`playable after ${(playable.at / 1000).toFixed(2)} s, download done after ${(fetched.at / 1000).toFixed(2)} s`);
    assert.ok(playable.at < fetched.at, 'playable came before the download had finished');
    assert.ok(await exists(path.join(out, 'manifest.json')), 'the asset is complete');
    assert.match(await readFile(path.join(out, 'instant', 'index.m3u8'), 'utf8'), /#EXT-X-ENDLIST/);
  });
});
