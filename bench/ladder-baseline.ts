// What the transcode benchmarks share: the generated 1080p30 source, and the plain-ffmpeg baseline
// that makes the same renditions as live2vod with the same encoder settings, written as one writes
// it by hand (one split branch and one scale per rendition; live2vod also shares one scale between
// rungs of the same size).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { encoders } from '../src/media/encoders/registry.ts';
import { guardedInput } from '../src/media/input-args.ts';
import { ladderPresets } from '../src/media/ladder-presets.ts';
import { planLadder } from '../src/media/ladder.ts';
import { parseProbe } from '../src/media/probe.ts';
import { formatRational } from '../src/media/rational.ts';
import type { VideoRendition } from '../src/media/types.ts';
import { gopFor } from '../src/media/video-command.ts';

const run = promisify(execFile);

export const ffmpeg = (args: string[]) => run('ffmpeg', ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...args], { maxBuffer: 64 * 1024 * 1024 });

/** testsrc2 1920x1080 at 30 fps + a sine, x264 `veryfast` at 8 Mb/s with a 2 s GOP, AAC 160k. */
export async function makeBenchSource(file: string, seconds: number): Promise<void> {
  await ffmpeg([
    '-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=30:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '8M', '-g', '60', '-c:a', 'aac', '-b:a', '160k', file,
  ]);
}

export interface Baseline {
  /** The renditions live2vod plans for the source (default ladder). */
  renditions: VideoRendition[];
  /** `[0:v]` → fps → split → one scale per rendition, labelled [v0]…. */
  graph: string;
  /** live2vod's own x264 arguments for rendition i. */
  videoArgs(i: number): string[];
  audioArgs: string[];
}

export async function planBaseline(source: string): Promise<Baseline> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...guardedInput(source)]);
  const info = parseProbe(JSON.parse(stdout));
  if (!info.video || !info.audio) throw new Error('bench source lacks video or audio');
  const renditions = planLadder(info.video, { codec: 'h264', rungs: ladderPresets.h264 });
  const sourceRate = formatRational(info.video.frameRate);
  const graph = [
    `[0:v]fps=${sourceRate},split=${renditions.length}${renditions.map((_, i) => `[s${i}]`).join('')}`,
    ...renditions.map((r, i) => `[s${i}]${formatRational(r.frameRate) !== sourceRate ? `fps=${formatRational(r.frameRate)},` : ''}scale=${r.width}:${r.height}:flags=bicubic,setsar=1,format=yuv420p[v${i}]`),
  ].join(';');
  return {
    renditions,
    graph,
    videoArgs: (i) => {
      const r = renditions[i];
      if (!r) throw new Error(`no rendition ${i}`);
      return encoders.libx264.videoArgs(r, gopFor(r, 2), {});
    },
    audioArgs: ['-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2'],
  };
}
