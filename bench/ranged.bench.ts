// Benchmark: the bytes a chunk worker moves from S3 for one chunk of a generated 1080p30
// recording, read by ranges (the chunk stage's loopback reader), against the whole file that a
// download would move. s3rver on loopback behind a relay that counts what the server sends
// (headers included); the reader's own count (object bytes fetched, read-ahead included) beside it.
// The chunk is encoded with a one-rung 180p ladder: what is read depends on the demuxer's seeks and
// the chunk's time range, not on the ladder, and the full 1080p ladder would cost minutes a chunk.
// Usage: node bench/ranged.bench.ts [--minutes 10] [--chunks 10] [--keep]
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { resolveBinaries } from '../src/ffmpeg/binaries.ts';
import { transcodeTaskSchema } from '../src/jobs/transcode-task.ts';
import type { WorkPlan } from '../src/pipeline/chunked/work-area.ts';
import { runStage } from '../src/pipeline/stage-handlers.ts';
import { s3rverCredentials, startRelay, startS3, useS3rverEnv } from '../test/storage/s3-helpers.ts';
import { ffmpeg } from './ladder-baseline.ts';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, chunks: { type: 'string', default: '10' }, keep: { type: 'boolean', default: false } } });
const minutes = Number(values.minutes);
const count = Number(values.chunks);
const root = await mkdtemp(path.join(os.tmpdir(), 'live2vod-bench-ranged-'));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
// One minute made (x264 ultrafast at 8 Mb/s, 2 s GOP, moov at the end as ffmpeg writes it), joined without re-encoding.
const minute = path.join(root, 'minute.mp4');
await ffmpeg([
  '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30:duration=60', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=60',
  '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '8M', '-g', '60', '-c:a', 'aac', '-b:a', '160k', minute,
]);
const list = path.join(root, 'list.txt');
await writeFile(list, `file '${minute}'\n`.repeat(minutes));
const source = path.join(root, 'keynote.mp4');
await ffmpeg(['-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', source]);
const size = (await stat(source)).size;

const s3 = await startS3(['rec']);
const relay = await startRelay(s3.port);
try {
  const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: s3rverCredentials });
  await new Upload({ client, params: { Bucket: 'rec', Key: 'keynote.mp4', Body: createReadStream(source) }, partSize: 64 * 1024 * 1024 }).done();
  client.destroy();
  useS3rverEnv(`http://127.0.0.1:${relay.port}`);
  const out = path.join(root, 'asset');
  const base = {
    version: 2, jobId: 'bench-ranged', attempt: 1, output: out, source: { kind: 's3', bucket: 'rec', key: 'keynote.mp4' },
    profile: { ladder: [{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }], preset: 'ultrafast', loudness: false, instantRemux: false },
    sourceFetch: { maxBytes: 1e12, timeoutMs: 3_600_000, allow: [] },
  };
  const context = { signal: new AbortController().signal, binaries: resolveBinaries(), onEvent: () => undefined };
  const run = (stage: Record<string, unknown>) => runStage(transcodeTaskSchema.parse({ ...base, ...stage }), context);

  let before = relay.downstreamBytes();
  await run({ stage: 'split', parallelism: count });
  console.log(`\nrecording: ${minutes} min 1080p30, ${mib(size)}; the split (a download of the whole file) moved ${mib(relay.downstreamBytes() - before)}`);
  const plan = JSON.parse(await readFile(path.join(out, '.live2vod-chunks', 'plan.json'), 'utf8')) as WorkPlan;
  const chunks = plan.chunks.chunks;
  console.log(`${chunks.length} chunks of ${plan.chunks.seconds} s\n`);
  console.log('chunk        range (s)       moved (relay)   share of file   wall');
  for (const index of [...new Set([0, Math.floor(chunks.length / 2), chunks.length - 1])]) {
    const chunk = chunks[index]!;
    before = relay.downstreamBytes();
    const started = performance.now();
    await run({ stage: 'chunk', plan: plan.fingerprint, chunk: { index, count: chunks.length, startSeconds: chunk.startSeconds, endSeconds: chunk.endSeconds } });
    const moved = relay.downstreamBytes() - before;
    const range = `${chunk.startSeconds.toFixed(0)}–${chunk.endSeconds.toFixed(0)}`;
    console.log(`${`${index + 1} of ${chunks.length}`.padEnd(12)} ${range.padEnd(14)}  ${mib(moved).padStart(13)}   ${`${((moved / size) * 100).toFixed(1)} %`.padStart(13)}   ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  console.log(`\na download moves the whole file to every chunk worker: ${mib(size)} (100 %)`);
} finally {
  await relay.cut();
  await s3.dispose();
  if (!values.keep) await rm(root, { recursive: true, force: true });
}
