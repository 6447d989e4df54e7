// What event detection (src/media/event/) costs: live2vod's own video and audio encode commands
// for the default ladder, with and without the detection branches, in one run on one machine,
// alternating the order each round. Target: with/without ≤ 1.02 in CPU seconds (the share of the
// encode it adds), wall time printed beside it.
// Usage: node bench/event-detection.bench.ts [--duration 20] [--rounds 2] [--keep]
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { buildAudioEncodeCommand } from '../src/media/audio-command.ts';
import { ladderPresets } from '../src/media/ladder-presets.ts';
import { planTranscode } from '../src/media/plan-transcode.ts';
import { parseProbe } from '../src/media/probe.ts';
import { guardedInput } from '../src/media/input-args.ts';
import { buildVideoCommand } from '../src/media/video-command.ts';
import { makeBenchSource } from './ladder-baseline.ts';
import { timed, type Measured } from './proc-times.ts';

const run = promisify(execFile);
const { values } = parseArgs({ options: { duration: { type: 'string', default: '20' }, rounds: { type: 'string', default: '2' }, keep: { type: 'boolean', default: false } } });
const duration = Number(values.duration);
const rounds = Math.max(1, Number(values.rounds));
const root = await mkdtemp(path.join(os.tmpdir(), 'live2vod-bench-event-'));
const source = path.join(root, 'source.mp4');

console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
console.log(`source: ${duration} s 1920x1080 30 fps H.264 + AAC (testsrc2 + sine), in ${root}`);
await makeBenchSource(source, duration);
const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...guardedInput(source)]);
const plan = planTranscode(parseProbe(JSON.parse(stdout)), {
  codec: 'h264', encoder: 'libx264', rungs: ladderPresets.h264, defaultLanguage: 'en', loudness: false,
  audioBitrateKbps: 128, gopSeconds: 2, segmentSeconds: 4, thumbnails: true,
});
console.log(`ladder: ${plan.video.map((r) => r.id).join(', ')} + ${plan.audio?.id ?? 'no audio'}, thumbnails and poster\n`);

/** The video and audio encodes one after the other, in their own scratch directory. */
const encode = async (label: string, detectEvent: boolean, round: number): Promise<Measured> => {
  const variant = { ...plan, detectEvent };
  const cwd = path.join(root, `${detectEvent ? 'with' : 'without'}-${round}`);
  await mkdir(cwd, { recursive: true });
  return timed(label, async () => {
    for (const [bin, ...args] of [buildVideoCommand('ffmpeg', source, variant), buildAudioEncodeCommand('ffmpeg', source, variant, undefined)]) {
      await run(bin ?? 'ffmpeg', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    }
  });
};

const results: { with: Measured[]; without: Measured[] } = { with: [], without: [] };
for (let round = 1; round <= rounds; round += 1) {
  console.log(`round ${round}`);
  const order = round % 2 === 1 ? [false, true] : [true, false];
  for (const detect of order) {
    const m = await encode(detect ? '  encode with event detection' : '  encode without (the plain encode)', detect, round);
    (detect ? results.with : results.without).push(m);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;
const ratio = (key: keyof Measured) => median(results.with.map((m) => m[key])) / median(results.without.map((m) => m[key]));
console.log(`\nwith/without: CPU ${ratio('cpu').toFixed(4)} (${((ratio('cpu') - 1) * 100).toFixed(2)} %), wall ${ratio('wall').toFixed(4)} (${((ratio('wall') - 1) * 100).toFixed(2)} %); target CPU ≤ 1.02`);
if (!values.keep) await rm(root, { recursive: true, force: true });
