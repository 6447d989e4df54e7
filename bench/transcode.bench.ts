// Benchmark of the transcode engine against plain ffmpeg, in one run on one machine:
//   (a) `live2vod transcode --chunk-seconds 0` — the whole asset in one encode (chunking: bench/chunked.bench.ts): ladder, audio with loudness, packaging, thumbnails, download
//   (b) plain ffmpeg making the same renditions with the same settings in one process (the baseline)
//   (c) one ffmpeg process per rendition, all at once, as many pipelines do
// Targets: a/b ≤ 1.05 and a/c ≤ 0.90. Usage: node bench/transcode.bench.ts [--duration 60] [--rounds 1] [--variants a,b,c] [--keep]
// With several rounds the order rotates and the ratios are of the medians. Wall time is the target;
// CPU seconds (whole process trees, from /proc) are printed beside it because they barely move when
// something else runs on the machine, so a noisy run can still be read.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { timed, type Measured } from './proc-times.ts';
import { ffmpeg, makeBenchSource, planBaseline } from './ladder-baseline.ts';
import { formatRational } from '../src/media/rational.ts';

const run = promisify(execFile);
const { values } = parseArgs({ options: { duration: { type: 'string', default: '60' }, rounds: { type: 'string', default: '1' }, variants: { type: 'string', default: 'a,b,c' }, keep: { type: 'boolean', default: false } } });
const duration = Number(values.duration);
const rounds = Math.max(1, Number(values.rounds));
const variants = new Set(values.variants.split(',').map((v) => v.trim()));
if (!variants.has('a') || ![...variants].every((v) => ['a', 'b', 'c'].includes(v))) throw new Error('--variants: a comma-separated subset of a,b,c that includes a');
const root = await mkdtemp(path.join(os.tmpdir(), 'live2vod-bench-'));
const source = path.join(root, 'source.mp4');
const bin = path.resolve(import.meta.dirname, '..', 'bin', 'live2vod');


console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`);
console.log(`source: ${duration} s 1920x1080 30 fps H.264 + AAC (testsrc2 + sine), in ${root}`);
await makeBenchSource(source, duration);
// The same plan live2vod makes, so (b) and (c) use identical renditions and encoder settings.
const { renditions, graph: baselineGraph, videoArgs, audioArgs } = await planBaseline(source);
console.log(`ladder: ${renditions.map((r) => r.id).join(', ')} + aac-128k\n`);

const runA = (round: number) => timed('(a) live2vod transcode (whole asset)', () => run(process.execPath, [bin, 'transcode', source, '--out', path.join(root, `a-${round}`), '--json', '--chunk-seconds', '0'], { maxBuffer: 64 * 1024 * 1024 }));

const runB = () => timed('(b) plain ffmpeg, same renditions, one process', async () => {
  const outputs = renditions.flatMap((r, i) => ['-map', `[v${i}]`, ...videoArgs(i), '-f', 'mp4', path.join(root, `b-${r.id}.mp4`)]);
  await ffmpeg(['-i', source, '-filter_complex', baselineGraph, ...outputs, '-map', '0:a:0', ...audioArgs, path.join(root, 'b-audio.mp4')]);
});

const runC = () => timed('(c) plain ffmpeg, one process per rendition, in parallel', () => Promise.all([
  ...renditions.map((r, i) => ffmpeg(['-i', source, '-map', '0:v:0', '-vf', `fps=${formatRational(r.frameRate)},scale=${r.width}:${r.height},setsar=1`, ...videoArgs(i), '-an', '-f', 'mp4', path.join(root, `c-${r.id}.mp4`)])),
  ffmpeg(['-i', source, '-map', '0:a:0', '-vn', ...audioArgs, path.join(root, 'c-audio.mp4')]),
]));

const results: Record<'a' | 'b' | 'c', Measured[]> = { a: [], b: [], c: [] };
const orders: ('a' | 'b' | 'c')[][] = [['a', 'b', 'c'], ['b', 'c', 'a'], ['c', 'a', 'b']];
for (let round = 1; round <= rounds; round += 1) {
  if (rounds > 1) console.log(`round ${round}`);
  for (const which of orders[(round - 1) % orders.length] ?? ['a', 'b', 'c']) {
    if (!variants.has(which)) continue;
    results[which].push(await (which === 'a' ? runA(round) : which === 'b' ? runB() : runC()));
  }
}
const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const wall = (k: 'a' | 'b' | 'c') => median(results[k].map((m) => m.wall));
const cpu = (k: 'a' | 'b' | 'c') => median(results[k].map((m) => m.cpu));
console.log('');
if (variants.has('b')) console.log(`a/b = ${(wall('a') / wall('b')).toFixed(3)}  (target ≤ 1.05)   CPU a/b = ${(cpu('a') / cpu('b')).toFixed(3)}`);
if (variants.has('c')) console.log(`a/c = ${(wall('a') / wall('c')).toFixed(3)}  (target ≤ 0.90)   CPU a/c = ${(cpu('a') / cpu('c')).toFixed(3)}`);
console.log(`speed: live2vod made the ladder at ${(duration / wall('a')).toFixed(2)}x real time`);
if (!values.keep) await rm(root, { recursive: true, force: true });
