// Fixed versus content-aware ladder, side by side in one run, on a generated "talk" (slides, a
// speaker window, speech) and "sport" (full-frame motion and noise), 1080p30: total video bits,
// CPU seconds of the whole `live2vod transcode` (process tree, from /proc: analysis, encode,
// packaging, sampled quality), and SSIM per size of the fixed ladder (its best rendition of that
// size; the content-aware ladder's best of that size, or where it dropped the size, its next
// larger kept rendition scaled down to it, measured with the same windows and the same command).
// Targets (issue 13): talk ≥ 30 % fewer bits and ≥ 25 % fewer CPU-seconds, SSIM equal or better
// at every size; sport top-size SSIM within 0.005, bits ≤ +5 %.
// Usage: node bench/content-ladder.bench.ts [--seconds 60] [--keep]
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import type { AssetManifest } from '../src/media/asset-manifest.ts';
import type { TranscodePlan } from '../src/media/plan.ts';
import { buildQualityCommand, mean, parseSsimStats, qualityStatsNames, type QualityWindow } from '../src/media/quality-command.ts';
import { parseProbe } from '../src/media/probe.ts';
import type { VideoRendition } from '../src/media/types.ts';
import { makeSportSource, makeTalkSource } from '../test/helpers/content-sources.ts';
import { timed, type Measured } from './proc-times.ts';

const run = promisify(execFile);
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, keep: { type: 'boolean', default: false } } });
const seconds = Number(values.seconds);
const root = await mkdtemp(path.join(os.tmpdir(), 'live2vod-bench-ladder-'));
const bin = path.resolve(import.meta.dirname, '..', 'bin', 'live2vod');

console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`);
console.log(`sources: ${seconds} s 1920x1080 30 fps, talk (slides every 25 s, speaker window, espeak-ng) and sport (panning pattern + temporal noise), in ${root}`);

type Manifest = AssetManifest;
interface Run { manifest: Manifest; cpu: Measured; bits: number }

const results: string[] = [];
for (const kind of ['talk', 'sport'] as const) {
  const source = path.join(root, `${kind}.mp4`);
  await (kind === 'talk' ? makeTalkSource : makeSportSource)(source, { seconds });
  console.log(`\n== ${kind}`);
  const fixed = await transcode(source, `${kind}-fixed`, 'apple');
  const aware = await transcode(source, `${kind}-content`, 'content-aware');
  const sizes = distinctSizes(fixed.manifest);
  console.log(`content-aware ladder: ${aware.manifest.renditions.map((r) => r.id).join(', ')} (complexity ${aware.manifest.ladder.complexity?.bitsPerPixel ?? '—'} bits/pixel; dropped ${aware.manifest.ladder.dropped.join(', ') || 'none'})`);
  console.log(`analysis CPU (manifest cost, stage analyse): ${aware.manifest.cost.cpuSeconds === null ? '—' : `${aware.manifest.cost.byStage.analyse ?? 0} CPU-s = ${(((aware.manifest.cost.byStage.analyse ?? 0) / aware.manifest.cost.cpuSeconds) * 100).toFixed(1)} % of the job`}`);
  let allBetter = true;
  let topDelta = 0;
  for (const [i, size] of sizes.entries()) {
    const f = bestAt(fixed.manifest, size);
    const own = bestAt(aware.manifest, size);
    const c = own ?? (await scaledInto(source, aware.manifest, size, path.join(root, `${kind}-content`)));
    const delta = (c ?? 0) - (f ?? 0);
    if (delta < -1e-5) allBetter = false;
    if (i === sizes.length - 1) topDelta = delta;
    console.log(`  ${`${size.width}x${size.height}`.padEnd(10)} SSIM fixed ${f?.toFixed(5) ?? '—'}  content-aware ${c?.toFixed(5) ?? '—'}${own === undefined ? ' (next kept size, scaled)' : ''}  Δ ${delta >= 0 ? '+' : ''}${delta.toFixed(5)}`);
  }
  const bitsRatio = aware.bits / fixed.bits;
  const cpuRatio = aware.cpu.cpu / fixed.cpu.cpu;
  console.log(`  bits: fixed ${(fixed.bits / 1e6).toFixed(2)} Mbit, content-aware ${(aware.bits / 1e6).toFixed(2)} Mbit: ratio ${bitsRatio.toFixed(3)} (${((1 - bitsRatio) * 100).toFixed(1)} % fewer)`);
  console.log(`  CPU:  fixed ${fixed.cpu.cpu.toFixed(1)} s, content-aware ${aware.cpu.cpu.toFixed(1)} s: ratio ${cpuRatio.toFixed(3)} (${((1 - cpuRatio) * 100).toFixed(1)} % fewer)`);
  const verdict = kind === 'talk'
    ? `talk: bits −${((1 - bitsRatio) * 100).toFixed(1)} % (target ≥ 30) ${bitsRatio <= 0.7 ? 'met' : 'MISSED'}; CPU −${((1 - cpuRatio) * 100).toFixed(1)} % (target ≥ 25) ${cpuRatio <= 0.75 ? 'met' : 'MISSED'}; SSIM at every size ${allBetter ? 'equal or better: met' : 'lower somewhere: MISSED'}`
    : `sport: top-size SSIM Δ ${topDelta.toFixed(5)} (target ≥ −0.005) ${topDelta >= -0.005 ? 'met' : 'MISSED'}; bits ${((bitsRatio - 1) * 100).toFixed(1)} % (target ≤ +5) ${bitsRatio <= 1.05 ? 'met' : 'MISSED'}`;
  results.push(verdict);
}
console.log(`\n${results.join('\n')}`);
if (!values.keep) await rm(root, { recursive: true, force: true });

async function transcode(source: string, name: string, ladder: string): Promise<Run> {
  const out = path.join(root, name);
  const cpu = await timed(`live2vod transcode --ladder ${ladder}`, async () => {
    await run(process.execPath, [bin, 'transcode', source, '--out', out, '--json', '--chunk-seconds', '0', '--no-download', '--ladder', ladder], { maxBuffer: 64 * 1024 * 1024 });
  }, 48);
  const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as Manifest;
  return { manifest, cpu, bits: manifest.renditions.reduce((sum, r) => sum + r.bytes * 8, 0) };
}

interface Size { width: number; height: number }

function distinctSizes(m: Manifest): Size[] {
  const seen = new Map<string, Size>();
  for (const r of m.renditions) if (r.width && r.height) seen.set(`${r.width}x${r.height}`, { width: r.width, height: r.height });
  return [...seen.values()].sort((a, b) => a.width * a.height - b.width * b.height);
}

function bestAt(m: Manifest, size: Size): number | undefined {
  const at = m.renditions.filter((r) => r.width === size.width && r.height === size.height && r.quality?.ssim != null).map((r) => r.quality?.ssim ?? 0);
  return at.length > 0 ? Math.max(...at) : undefined;
}

/**
 * SSIM of the next larger kept rendition scaled down to `size`, against the source scaled to
 * `size`, over the asset's own quality windows and frame step (buildQualityCommand, compareAt).
 */
async function scaledInto(source: string, m: Manifest, size: Size, assetDir: string): Promise<number | undefined> {
  const larger = m.renditions.filter((r) => (r.width ?? 0) * (r.height ?? 0) > size.width * size.height).sort((a, b) => (a.width ?? 0) * (a.height ?? 0) - (b.width ?? 0) * (b.height ?? 0) || (b.quality?.ssim ?? 0) - (a.quality?.ssim ?? 0))[0];
  if (!larger || !m.quality) return undefined;
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', source]);
  const info = parseProbe(JSON.parse(stdout));
  const plan = { source: info, deinterlace: false } as Pick<TranscodePlan, 'source' | 'deinterlace'> as TranscodePlan;
  const rendition: VideoRendition = { id: larger.id, codec: 'h264', width: larger.width ?? 0, height: larger.height ?? 0, frameRate: { num: Math.round((larger.frameRate ?? 30) * 1000), den: 1000 }, bitrateKbps: 0, maxrateKbps: 0, bufsizeKbps: 0, crf: 0 };
  const segments = await playlistSegments(path.join(assetDir, larger.playlist));
  const work = path.join(assetDir, 'scaled-ssim');
  await mkdir(work, { recursive: true });
  const ssim: number[] = [];
  for (const [w, window] of m.quality.windows.entries()) {
    const segment = segments.find((s) => Math.abs(s.start - window.startSeconds) < 0.01);
    if (!segment) continue;
    const file = path.join(work, `w${w}.mp4`);
    await writeFile(file, Buffer.concat([await readFile(path.join(assetDir, larger.init)), await readFile(path.join(assetDir, path.dirname(larger.playlist), segment.file))]));
    const qw: QualityWindow = { segment: segment.number, startSeconds: window.startSeconds, seconds: window.seconds };
    const [ffmpeg, ...args] = buildQualityCommand('ffmpeg', source, plan, qw, [{ rendition, file, compareAt: size }], { vmaf: false, frameStep: m.quality.frameStep });
    await run(ffmpeg ?? 'ffmpeg', args, { cwd: work, maxBuffer: 64 * 1024 * 1024 });
    ssim.push(...parseSsimStats(await readFile(path.join(work, qualityStatsNames.ssim(0)), 'utf8')));
  }
  const value = mean(ssim);
  return value === null ? undefined : Math.round(value * 1e5) / 1e5;
}

async function playlistSegments(file: string): Promise<{ number: number; start: number; file: string }[]> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const out: { number: number; start: number; file: string }[] = [];
  let start = 0;
  for (let i = 0; i < lines.length; i++) {
    const m = /^#EXTINF:([\d.]+)/.exec(lines[i] ?? '');
    const name = lines[i + 1];
    if (!m || !name) continue;
    out.push({ number: out.length + 1, start, file: name.trim() });
    start += Number(m[1]);
  }
  return out;
}
