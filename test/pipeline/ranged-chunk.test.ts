// A chunk worker reads only its part of a remote recording: the chunk stage with an s3:// source
// goes through the loopback ranged reader, against a real S3 API (s3rver) behind a byte-counting
// relay, and makes exactly the segments the same chunk makes from the local file.
import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { resolveBinaries } from '../../src/ffmpeg/binaries.ts';
import { transcodeTaskSchema } from '../../src/jobs/transcode-task.ts';
import { WorkArea, type WorkPlan } from '../../src/pipeline/chunked/work-area.ts';
import type { TranscodeEvent } from '../../src/pipeline/events.ts';
import { runStage } from '../../src/pipeline/stage-handlers.ts';
import { ffmpeg, ffprobeJson, makeTempDir, type TempDir } from '../helpers/media.ts';
import { s3rverCredentials, startRelay, startS3, useS3rverEnv, type Relay, type RunningS3 } from '../storage/s3-helpers.ts';

describe('chunk stage with an S3 source: ranged reads', () => {
  let tmp: TempDir;
  let s3: RunningS3;
  let relay: Relay;
  let restoreEnv: () => void;
  let source: string;
  let size: number;
  const events: TranscodeEvent[] = [];

  before(async () => {
    tmp = await makeTempDir('live2vod-ranged-chunk-');
    // 48 s at 6 Mb/s (6 s made, joined eight times without re-encoding): eight 6-second chunks, a
    // recording large next to what one ffmpeg connection can have in flight in socket buffers.
    const piece = path.join(tmp.dir, 'piece.mp4');
    await ffmpeg([
      '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30:duration=6', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=6',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '6M', '-g', '60', '-c:a', 'aac', '-b:a', '96k', piece,
    ]);
    const list = path.join(tmp.dir, 'list.txt');
    await writeFile(list, `file '${piece}'\n`.repeat(8));
    source = path.join(tmp.dir, 'rec.mp4');
    await ffmpeg(['-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', source]);
    size = (await stat(source)).size;
    s3 = await startS3(['rec']);
    relay = await startRelay(s3.port);
    const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: s3rverCredentials });
    await client.send(new PutObjectCommand({ Bucket: 'rec', Key: 'live/rec.mp4', Body: await readFile(source) }));
    client.destroy();
    // The worker reaches S3 through the relay, which counts what the server sends.
    restoreEnv = useS3rverEnv(`http://127.0.0.1:${relay.port}`);
  });
  after(async () => {
    restoreEnv?.();
    await relay?.cut();
    await s3?.dispose();
    await tmp?.cleanup();
  });

  const run = (out: string, s3Source: boolean, stage: Record<string, unknown>) => runStage(transcodeTaskSchema.parse({
    version: 2, jobId: 'job-ranged', attempt: 1, output: out,
    source: s3Source ? { kind: 's3', bucket: 'rec', key: 'live/rec.mp4' } : { kind: 'local', path: source },
    // Only the video segments are compared: no thumbnails, download or quality to make.
    profile: { ladder: [{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }], preset: 'ultrafast', loudness: false, thumbnails: false, download: false, quality: false, chunkSeconds: 6, instantRemux: false },
    sourceFetch: { maxBytes: 1e9, timeoutMs: 60_000, allow: [] },
    ...stage,
  }), { signal: new AbortController().signal, binaries: resolveBinaries(), onEvent: (event) => void events.push(event) });

  const chunkTask = (plan: WorkPlan, index: number): Record<string, unknown> => {
    const chunk = plan.chunks.chunks[index]!;
    return { stage: 'chunk', plan: plan.fingerprint, chunk: { index, count: plan.chunks.chunks.length, startSeconds: chunk.startSeconds, endSeconds: chunk.endSeconds } };
  };
  const readPlan = async (out: string) => JSON.parse(await readFile(path.join(out, '.live2vod-chunks', 'plan.json'), 'utf8')) as WorkPlan;

  test('one chunk moves a fraction of the recording and makes the segments the local file makes', async () => {
    const local = path.join(tmp.dir, 'local');
    const remote = path.join(tmp.dir, 'remote');
    await run(local, false, { stage: 'split', parallelism: 8 });
    await run(remote, true, { stage: 'split', parallelism: 8 });
    const [localPlan, remotePlan] = [await readPlan(local), await readPlan(remote)];
    assert.equal(remotePlan.chunks.chunks.length, 8);

    await run(local, false, chunkTask(localPlan, 3));
    const before = relay.downstreamBytes();
    await run(remote, true, chunkTask(remotePlan, 3));
    const moved = relay.downstreamBytes() - before;
    console.log(`chunk 3 of 8 moved ${moved} bytes of a ${size}-byte recording (${((moved / size) * 100).toFixed(1)} %)`);
    assert.ok(moved < size * 0.5, `an eighth of the recording should move far less than its size, not ${moved} of ${size}`);
    assert.ok(!events.some((e) => e.type === 'warning'), 'no fallback warning');

    // The same segments, each with the same frames at the same times and the same keyframes (x264
    // under load is not always byte-for-byte repeatable, so the pictures' bytes are not compared).
    const files = async (out: string) => {
      const renditions = (await readdir(path.join(out, 'video'))).sort();
      return (await Promise.all(renditions.map(async (r) => (await readdir(path.join(out, 'video', r))).sort().map((f) => ({ rendition: r, file: f }))))).flat();
    };
    const names = await files(remote);
    assert.deepEqual(names, await files(local));
    assert.ok(names.length >= 1, 'the chunk made segments');
    const packets = async (out: string, rendition: string, file: string) => {
      const joined = path.join(tmp.dir, `probe-${path.basename(out)}.mp4`);
      const init = await readFile(path.join(new WorkArea(out).chunkDir(3), 'init', `${rendition}.mp4`));
      await writeFile(joined, Buffer.concat([init, await readFile(path.join(out, 'video', rendition, file))]));
      return ((await ffprobeJson(joined, ['-show_packets'])).packets ?? []).map((p) => `${p.pts_time} ${p.duration_time} ${p.flags}`);
    };
    for (const { rendition, file } of names) {
      const [a, b] = [await packets(local, rendition, file), await packets(remote, rendition, file)];
      assert.ok(a.length > 0);
      assert.deepEqual(b, a, `${rendition}/${file} has other frames from the ranged source`);
    }
  });
});
