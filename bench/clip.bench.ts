// Benchmark of clips: how long a clip of a finished asset takes against its length and its
// parent's length, and against plain ffmpeg re-encoding the same range into the same renditions.
//   (c) makeClip — what a clip job's worker runs: the GOPs at the two cuts re-encoded, the rest
//       copied, audio frames copied, playlists, thumbnails, download, manifest.json
//   (b) plain ffmpeg: `-ss S -to E -i <recording>` decoded once and re-encoded into the same
//       renditions with live2vod's own encoder arguments, plus the AAC (no packaging, no pictures)
// The parent is made first (not measured) with a fast preset: testsrc2 + sine at the given size,
// transcoded by `live2vod transcode` with a ladder file (default: 1080p, 720p, 360p rungs).
// Usage: node bench/clip.bench.ts [--minutes 10] [--size 1920x1080] [--clips 10,30,300] [--ladder file] [--keep] [--dir DIR]
//   --dir keeps the recording and the parent in DIR and reuses them when a later run names it with the same size
import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { transcodeProfileSchema } from '../src/jobs/transcode-profile.ts';
import { encoders } from '../src/media/encoders/registry.ts';
import { formatRational } from '../src/media/rational.ts';
import { gopFor } from '../src/media/video-command.ts';
import { makeClip, planFromParent } from '../src/pipeline/clip/make-clip.ts';
import { parentManifestSchema } from '../src/pipeline/clip/parent-asset.ts';
import { timed } from './proc-times.ts';
import { ffmpeg } from './ladder-baseline.ts';

const run = promisify(execFile);
const { values } = parseArgs({ options: {
  minutes: { type: 'string', default: '10' },
  size: { type: 'string', default: '1920x1080' },
  clips: { type: 'string', default: '10,30,300' },
  ladder: { type: 'string' },
  keep: { type: 'boolean', default: false },
  dir: { type: 'string' },
} });
const seconds = Number(values.minutes) * 60;
const [width, height] = (values.size ?? '1920x1080').split('x').map(Number);
if (!width || !height) throw new Error(`--size ${values.size}: write WIDTHxHEIGHT`);
const root = values.dir ? path.resolve(values.dir) : await mkdtemp(path.join(os.tmpdir(), 'live2vod-bench-clip-'));
if (values.dir) await mkdir(root, { recursive: true });
const bin = path.resolve(import.meta.dirname, '..', 'bin', 'live2vod');

const rungs = values.ladder
  ? JSON.parse(await readFile(values.ladder, 'utf8')) as { width: number; height: number; bitrateKbps: number; maxFrameRate: number }[]
  : [
      { width: 1920, height: 1080, bitrateKbps: 5000, maxFrameRate: 30 },
      { width: 1280, height: 720, bitrateKbps: 3000, maxFrameRate: 30 },
      { width: 640, height: 360, bitrateKbps: 800, maxFrameRate: 30 },
    ].filter((r) => r.height <= height);
const ladderFile = path.join(root, 'ladder.json');
await writeFile(ladderFile, JSON.stringify(rungs));

console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`parent: ${seconds} s ${width}x${height} 30 fps (testsrc2 + sine), ladder ${rungs.map((r) => `${r.height}p`).join(', ')} + AAC, preset ultrafast; in ${root}`);
const source = path.join(root, 'source.mp4');
const parent = path.join(root, 'parent');
let made = performance.now();
const reused = values.dir !== undefined && await access(path.join(parent, 'manifest.json')).then(() => true, () => false);
if (reused) console.log(`(reusing the recording and the parent in ${root})\n`);
else {
  await ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30:duration=${seconds}`, '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-c:a', 'aac', '-b:a', '128k', source]);
  await run(process.execPath, [bin, 'transcode', source, '--out', parent, '--ladder', ladderFile, '--preset', 'ultrafast', '--no-quality', '--json'], { maxBuffer: 64 * 1024 * 1024 });
  console.log(`(parent made in ${((performance.now() - made) / 1000).toFixed(0)} s, not measured)\n`);
}

const profile = transcodeProfileSchema.parse({ ladder: rungs });
const manifest = parentManifestSchema.parse(JSON.parse(await readFile(path.join(parent, 'manifest.json'), 'utf8')));
const plan = planFromParent(manifest, profile);
const rate = plan.source.video ? formatRational(plan.source.video.frameRate) : '30';
const graph = [
  `[0:v]fps=${rate},split=${plan.video.length}${plan.video.map((_, i) => `[s${i}]`).join('')}`,
  ...plan.video.map((r, i) => `[s${i}]scale=${r.width}:${r.height}:flags=bicubic,setsar=1,format=yuv420p[v${i}]`),
].join(';');

console.log(`clip     where              (c) clip wall  cpu   (b) ffmpeg wall  cpu   wall b/c`);
for (const length of (values.clips ?? '').split(',').map(Number).filter((n) => n > 0 && n < seconds)) {
  // Cut inside GOPs at both ends, in the middle of the parent: the common case.
  const start = Math.floor((seconds - length) / 2) + 0.3;
  const end = start + length;
  const out = path.join(root, `clip-${length}`);
  made = performance.now();
  const c = await timed(`(c) clip ${length} s`, () => makeClip({ ffmpeg: 'ffmpeg', parent, output: out, startSeconds: start, endSeconds: end, profile, signal: new AbortController().signal }), 20);
  const b = await timed(`(b) ffmpeg ${length} s`, () => ffmpeg([
    '-ss', start.toFixed(3), '-to', end.toFixed(3), '-i', source, '-filter_complex', graph,
    ...plan.video.flatMap((r, i) => ['-map', `[v${i}]`, ...encoders[plan.encoder].videoArgs(r, gopFor(r, plan.gopSeconds), plan.encoderPreset ? { preset: plan.encoderPreset } : {}), '-f', 'mp4', path.join(root, `b-${length}-${r.id}.mp4`)]),
    '-map', '0:a:0', '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2', path.join(root, `b-${length}-audio.mp4`),
  ]), 20);
  console.log(`${String(length).padStart(4)} s   ${start.toFixed(1)}–${end.toFixed(1)} s`.padEnd(28) + `${c.wall.toFixed(2).padStart(8)} s ${c.cpu.toFixed(2).padStart(6)}   ${b.wall.toFixed(2).padStart(10)} s ${b.cpu.toFixed(2).padStart(6)}   ${(b.wall / c.wall).toFixed(2).padStart(6)}`);
  const timings = (JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as { timingsMs: Record<string, number> }).timingsMs;
  console.log(`         steps: ${Object.entries(timings).map(([k, v]) => `${k} ${v}`).join(', ')} ms`);
}
if (!values.keep && !values.dir) await rm(root, { recursive: true, force: true });
