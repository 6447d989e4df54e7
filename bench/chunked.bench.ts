// Benchmark of split-and-stitch against the whole encode and plain ffmpeg, in one run on one machine:
//   (w) `live2vod transcode --chunk-seconds 0` — the whole recording in one encode
//   (k) `live2vod transcode --parallel P` — the automatic chunks, P at once, stitched
//   (s) `live2vod transcode --chunk-seconds S --parallel 1` — the same chunks one after another:
//       the cost of one chunk on one worker of this machine, for the projection below
//   (b) plain ffmpeg making the same renditions in one process (the baseline of bench/transcode.bench.ts)
//   (a) `live2vod transcode` of the source's audio alone: the audio unit of a chunked job (loudness
//       measure, encode, packaging) on a worker of its own, for the projection
// Targets: CPU k/w ≤ 1.05; wall k < w with 2 slots. Then a table of time-to-ready for a 60-minute
// recording against worker count, projected from the measured per-chunk, audio and stitch costs
// (workers the size of this machine; nothing of it is measured at 60 minutes here). The audio is one
// unit for the whole recording, beside the chunks: with many workers it is what the wait is made of.
// Usage: node bench/chunked.bench.ts [--duration 120] [--parallel 2] [--keep]
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { timed } from './proc-times.ts';
import { ffmpeg, makeBenchSource, planBaseline } from './ladder-baseline.ts';
import { autoChunkSeconds } from '../src/media/chunk-plan.ts';

const run = promisify(execFile);
const { values } = parseArgs({ options: { duration: { type: 'string', default: '120' }, parallel: { type: 'string', default: '2' }, keep: { type: 'boolean', default: false } } });
const duration = Number(values.duration);
const parallel = Number(values.parallel);
const root = await mkdtemp(path.join(os.tmpdir(), 'live2vod-bench-chunks-'));
const source = path.join(root, 'source.mp4');
const bin = path.resolve(import.meta.dirname, '..', 'bin', 'live2vod');

interface Manifest { chunks: { count: number; seconds: number } | null; timingsMs: Record<string, number> }

const transcode = async (out: string, flags: string[]): Promise<Manifest> => {
  await run(process.execPath, [bin, 'transcode', source, '--out', path.join(root, out), '--json', ...flags], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(await readFile(path.join(root, out, 'manifest.json'), 'utf8')) as Manifest;
};

console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`);
console.log(`source: ${duration} s 1920x1080 30 fps H.264 + AAC (testsrc2 + sine), in ${root}`);
await makeBenchSource(source, duration);
const { renditions, graph: baselineGraph, videoArgs, audioArgs } = await planBaseline(source);
const chunkSeconds = autoChunkSeconds(duration, 6, parallel);
if (chunkSeconds === 0) throw new Error(`a ${duration} s recording is not chunked with --parallel ${parallel}: use a longer --duration`);
console.log(`ladder: ${renditions.map((r) => r.id).join(', ')} + aac-128k; automatic chunks of ${chunkSeconds} s\n`);

let whole: Manifest | undefined;
let chunked: Manifest | undefined;
let serial: Manifest | undefined;
const w = await timed('(w) live2vod transcode, whole', async () => { whole = await transcode('w', ['--chunk-seconds', '0']); });
const k = await timed(`(k) live2vod transcode, automatic chunks, ${parallel} at once`, async () => { chunked = await transcode('k', ['--parallel', String(parallel)]); });
const s = await timed(`(s) live2vod transcode, ${chunkSeconds} s chunks one at a time`, async () => { serial = await transcode('s', ['--chunk-seconds', String(chunkSeconds), '--parallel', '1']); });
const b = await timed('(b) plain ffmpeg, same renditions, one process', async () => {
  const outputs = renditions.flatMap((r, i) => ['-map', `[v${i}]`, ...videoArgs(i), '-f', 'mp4', path.join(root, `b-${r.id}.mp4`)]);
  await ffmpeg(['-i', source, '-filter_complex', baselineGraph, ...outputs, '-map', '0:a:0', ...audioArgs, path.join(root, 'b-audio.mp4')]);
});
const audioOnly = path.join(root, 'audio.m4a');
await ffmpeg(['-i', source, '-map', '0:a', '-c', 'copy', audioOnly]);
let audioRun: Manifest | undefined;
await timed('(a) live2vod transcode, the audio alone', async () => {
  await run(process.execPath, [bin, 'transcode', audioOnly, '--out', path.join(root, 'a'), '--json'], { maxBuffer: 64 * 1024 * 1024 });
  audioRun = JSON.parse(await readFile(path.join(root, 'a', 'manifest.json'), 'utf8')) as Manifest;
});
if (!whole || !chunked?.chunks || !serial?.chunks || !audioRun) throw new Error('the runs did not say how they were made');

console.log('');
console.log(`CPU  k/w = ${(k.cpu / w.cpu).toFixed(3)}  (target ≤ 1.05)   k/b = ${(k.cpu / b.cpu).toFixed(3)}   w/b = ${(w.cpu / b.cpu).toFixed(3)}`);
console.log(`wall k/w = ${(k.wall / w.wall).toFixed(3)}  (target < 1 with ${parallel} slots)   k/b = ${(k.wall / b.wall).toFixed(3)}   w/b = ${(w.wall / b.wall).toFixed(3)}`);
console.log(`chunks: ${chunked.chunks.count} × ${chunked.chunks.seconds} s; stitch (package + thumbnails + download + manifest) ${stitchMs(chunked)} ms`);

// The projection: one chunk of L seconds costs (overhead + perSecond × L) on one worker of this
// machine; its overhead is what a chunk costs beyond the whole encode's rate. The audio runs beside
// the chunks; the stitch's download and thumbnails grow with the length, the rest does not.
const perSecond = (whole.timingsMs.encode ?? 0) / 1000 / duration;
const chunkWall = (serial.timingsMs.encode ?? 0) / 1000 / serial.chunks.count;
const overhead = Math.max(0, chunkWall - perSecond * serial.chunks.seconds);
const audioPerSecond = ((audioRun.timingsMs.loudness ?? 0) + (audioRun.timingsMs.audio ?? 0)) / 1000 / duration;
const stitchPerSecond = stitchMs(chunked) / 1000 / duration;
console.log(`measured: whole encode ${perSecond.toFixed(3)} s per source second; one ${serial.chunks.seconds} s chunk ${chunkWall.toFixed(2)} s (overhead ${overhead.toFixed(2)} s); audio ${audioPerSecond.toFixed(4)} s/s; stitch ${stitchPerSecond.toFixed(4)} s/s`);
console.log(`\nprojected time-to-ready of a 60-minute 1080p30 recording; workers of ${os.cpus().length} vCPUs (as measured here) and of ${2 * os.cpus().length} (encode rate doubled: an assumption, x264 scales near-linearly to a few threads):`);
console.log(`workers  chunk s  chunks  rounds  ${`${os.cpus().length} vCPUs`.padStart(13)}  ${`${2 * os.cpus().length} vCPUs`.padStart(13)}`);
const hour = 3600;
for (const workers of [1, 2, 4, 8, 16, 50]) {
  const length = autoChunkSeconds(hour, 6, workers);
  const count = length ? Math.ceil(hour / length) : 1;
  const rounds = Math.ceil(count / workers);
  const ready = (rate: number): number => {
    const video = length ? rounds * (overhead + rate * length) : rate * hour;
    return Math.max(video, audioPerSecond * hour) + stitchPerSecond * hour;
  };
  console.log(`${String(workers).padStart(7)}  ${String(length || hour).padStart(7)}  ${String(count).padStart(6)}  ${String(rounds).padStart(6)}  ${formatDuration(ready(perSecond)).padStart(13)}  ${formatDuration(ready(perSecond / 2)).padStart(13)}`);
}
if (!values.keep) await rm(root, { recursive: true, force: true });

function stitchMs(manifest: Manifest): number {
  return ['package', 'thumbnails', 'download', 'manifest'].reduce((sum, step) => sum + (manifest.timingsMs[step] ?? 0), 0);
}

function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - m * 60)} s`;
}
