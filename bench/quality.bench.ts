// What sampled quality costs: the same `live2vod transcode` (default ladder, whole asset) with
// quality off (the plain encode) and on, in one run on one machine. Prints each run's CPU seconds
// (the process tree, from /proc), the share measuring adds, the share manifest.json itself books
// to `measure`, and the manifest's cost next to the CPU the bench saw (a check of the cost).
// Budget: measuring ≤ 5 % of the encode. Usage: node bench/quality.bench.ts [--duration 30] [--keep]
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { AssetManifest } from '../src/media/asset-manifest.ts';
import { makeBenchSource } from './ladder-baseline.ts';
import { timed } from './proc-times.ts';

const run = promisify(execFile);
const { values } = parseArgs({ options: { duration: { type: 'string', default: '30' }, keep: { type: 'boolean', default: false } } });
const duration = Number(values.duration);
const root = await mkdtemp(path.join(os.tmpdir(), 'live2vod-bench-quality-'));
const source = path.join(root, 'source.mp4');
const bin = path.resolve(import.meta.dirname, '..', 'bin', 'live2vod');

console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`);
console.log(`source: ${duration} s 1920x1080 30 fps H.264 + AAC (testsrc2 + sine), in ${root}`);
await makeBenchSource(source, duration);

const transcode = (name: string, flags: string[]) => async () => {
  await run(process.execPath, [bin, 'transcode', source, '--out', path.join(root, name), '--json', '--chunk-seconds', '0', ...flags], { maxBuffer: 64 * 1024 * 1024 });
};
const manifest = async (name: string) => JSON.parse(await readFile(path.join(root, name, 'manifest.json'), 'utf8')) as AssetManifest;

const plain = await timed('(a) live2vod transcode --no-quality (the plain encode)', transcode('plain', ['--no-quality']));
const measured = await timed('(b) live2vod transcode (sampled quality)', transcode('measured', []));
const [a, b] = [await manifest('plain'), await manifest('measured')];

console.log('');
for (const r of b.renditions) console.log(`${r.id.padEnd(14)} ${String(r.width)}x${String(r.height)}  ${(r.averageBitrate / 1000).toFixed(0).padStart(6)} kb/s  SSIM ${r.quality?.ssim ?? '—'}  PSNR ${r.quality?.psnr ?? '—'} dB  VMAF ${r.quality?.vmaf ?? '—'}`);
console.log(`windows: ${b.quality?.windows.map((w) => `${w.startSeconds}+${w.seconds} s`).join(', ') ?? 'none'}`);
console.log('');
if (a.cost.cpuSeconds !== null && b.cost.cpuSeconds !== null) {
  const measure = b.cost.byStage.measure ?? 0;
  console.log(`manifest cost (a): ${a.cost.cpuSeconds} CPU-s, ${a.cost.cpuSecondsPerSourceSecond} per source second; bench saw ${plain.cpu.toFixed(1)} CPU-s (node's own CPU included)`);
  console.log(`manifest cost (b): ${b.cost.cpuSeconds} CPU-s, ${b.cost.cpuSecondsPerSourceSecond} per source second; bench saw ${measured.cpu.toFixed(1)} CPU-s`);
  console.log(`measuring, as booked in (b)'s manifest: ${measure} CPU-s = ${((measure / (b.cost.cpuSeconds - measure)) * 100).toFixed(2)} % of the rest of the job`);
}
console.log(`measuring, as (b) − (a) of the process trees: ${(measured.cpu - plain.cpu).toFixed(1)} CPU-s = ${(((measured.cpu - plain.cpu) / plain.cpu) * 100).toFixed(2)} % of the plain encode (noisy: two encodes differ by a few %)`);
console.log(`wall: quality step ${b.timingsMs.quality ?? 0} ms of ${b.timingsMs.total} ms`);
if (!values.keep) await rm(root, { recursive: true, force: true });
