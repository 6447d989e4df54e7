// What the mixed H.264 + HEVC ladder costs, in one run on one machine, on the benchmark source:
//   (a) `live2vod transcode --chunk-seconds 0`, the default H.264 ladder
//   (b) the same with `--mixed-hevc` (H.264 up to 1080p + the HEVC rungs)
// Prints wall and CPU seconds (whole process trees), CPU-seconds per source second from each
// asset's manifest.json, and the video bytes per codec, with (b)/(a) ratios.
// Usage: node bench/mixed-ladder.bench.ts [--duration 20] [--preset veryfast] [--keep]
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { AssetManifest } from '../src/media/asset-manifest.ts';
import { makeBenchSource } from './ladder-baseline.ts';
import { timed } from './proc-times.ts';

const run = promisify(execFile);
const { values } = parseArgs({ options: { duration: { type: 'string', default: '20' }, preset: { type: 'string', default: 'veryfast' }, keep: { type: 'boolean', default: false } } });
const duration = Number(values.duration);
const root = await mkdtemp(path.join(os.tmpdir(), 'live2vod-bench-mixed-'));
const source = path.join(root, 'source.mp4');
const bin = path.resolve(import.meta.dirname, '..', 'bin', 'live2vod');

console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`);
console.log(`source: ${duration} s 1920x1080 30 fps H.264 + AAC (testsrc2 + sine), preset ${values.preset}, in ${root}\n`);
await makeBenchSource(source, duration);

interface Result { wall: number; cpu: number; perSourceSecond: number | null; bytes: Record<string, number>; renditions: number }

async function transcode(label: string, name: string, extra: string[]): Promise<Result> {
  const out = path.join(root, name);
  const measured = await timed(label, () => run(process.execPath, [bin, 'transcode', source, '--out', out, '--json', '--chunk-seconds', '0', '--preset', values.preset, '--no-quality', ...extra], { maxBuffer: 64 * 1024 * 1024 }));
  const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as AssetManifest;
  const bytes: Record<string, number> = {};
  for (const r of manifest.renditions) bytes[r.codecs.slice(0, 4)] = (bytes[r.codecs.slice(0, 4)] ?? 0) + r.bytes;
  return { ...measured, perSourceSecond: manifest.cost.cpuSecondsPerSourceSecond, bytes, renditions: manifest.renditions.length };
}

const a = await transcode('(a) H.264 ladder', 'a', []);
const b = await transcode('(b) --mixed-hevc', 'b', ['--mixed-hevc']);
const mb = (n: number | undefined): string => `${((n ?? 0) / 1e6).toFixed(2)} MB`;
console.log('');
for (const [label, r] of [['(a)', a], ['(b)', b]] as const) {
  console.log(`${label} ${r.renditions} renditions, CPU-s per source s ${r.perSourceSecond ?? 'n/a'}, video ${Object.entries(r.bytes).map(([codec, n]) => `${codec} ${mb(n)}`).join(', ')}`);
}
console.log(`(b)/(a): wall ${(b.wall / a.wall).toFixed(2)}, CPU ${(b.cpu / a.cpu).toFixed(2)}, HEVC bytes / H.264 bytes in (b) ${((b.bytes.hvc1 ?? 0) / Math.max(1, b.bytes.avc1 ?? 0)).toFixed(2)}`);
if (!values.keep) await rm(root, { recursive: true, force: true });
