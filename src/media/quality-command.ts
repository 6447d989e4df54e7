// Sampled quality of the renditions against the source: where to look, the ffmpeg command that
// compares one window of every rendition with the source scaled to its size, and the parsing of
// what the filters write. Pure.
import { commonArgs } from './fmp4-output.ts';
import { guardedInput } from './input-args.ts';
import type { TranscodePlan } from './plan.ts';
import { formatRational, toNumber } from './rational.ts';
import type { Segment, VideoRendition } from './types.ts';

export interface QualitySampling {
  /** Windows spread over the recording. */
  windows: number;
  /** Seconds compared per window, from the start of a segment (a keyframe: nothing to decode before it). */
  windowSeconds: number;
}

export const defaultQualitySampling: QualitySampling = { windows: 3, windowSeconds: 1 };

export interface QualityWindow {
  /** Segment of every rendition the window lies in (renditions share segment boundaries). */
  segment: number;
  startSeconds: number;
  seconds: number;
}

/**
 * Compared seconds stay under this share of the recording (windows shrink on short ones, to no
 * less than `minWindowSeconds`): comparing a frame costs about a third of encoding it for a
 * ladder, so this keeps measuring near 1 % of the encode (docs/benchmarks.md).
 */
export const maxSampledShare = 0.03;
const minWindowSeconds = 0.2;

/** One window in each of `windows` equal stretches of the recording, at the middle segment of each. */
export function chooseQualityWindows(segments: readonly Segment[], sampling: QualitySampling): QualityWindow[] {
  const count = Math.min(sampling.windows, segments.length);
  const total = segments.reduce((sum, s) => sum + s.duration, 0);
  const seconds = Math.max(minWindowSeconds, Math.min(sampling.windowSeconds, (total * maxSampledShare) / Math.max(count, 1)));
  const chosen: QualityWindow[] = [];
  for (let i = 0; i < count; i++) {
    const segment = segments[Math.floor(((i + 0.5) * segments.length) / count)];
    if (!segment) continue;
    chosen.push({ segment: segment.number, startSeconds: segment.start, seconds: Math.min(seconds, segment.duration) });
  }
  return chosen;
}

/** The files of one rendition's window: its init and segment joined, in the command's working directory. */
export interface WindowInput {
  rendition: VideoRendition;
  file: string;
}

export const qualityStatsNames = {
  ssim: (i: number) => `ssim-${i}.log`,
  psnr: (i: number) => `psnr-${i}.log`,
  vmaf: (i: number) => `vmaf-${i}.json`,
} as const;

/**
 * Decodes the source once for the window (seeking to it) and each rendition's window, and feeds
 * every pair to ssim and psnr (and libvmaf when there) at the rendition's size and rate. The
 * reference is made as the encode made its input (deinterlace, constant rate, the same scaler),
 * so what is measured is what encoding lost. Timestamps restart at 0 on both sides, so frames
 * pair by their place in the window.
 */
export function buildQualityCommand(ffmpeg: string, sourcePath: string, plan: TranscodePlan, window: QualityWindow, inputs: readonly WindowInput[], vmaf: boolean): string[] {
  const video = plan.source.video;
  if (!video) throw new Error('buildQualityCommand needs a video source');
  const duration = window.seconds.toFixed(6);
  const head = [
    ...(plan.deinterlace ? ['bwdif=mode=send_frame:parity=auto:deint=interlaced'] : []),
    `fps=${formatRational(video.frameRate)}`,
    'setpts=PTS-STARTPTS',
    `split=${inputs.length}${inputs.map((_, i) => `[src${i}]`).join('')}`,
  ];
  const chains = [`[0:${video.index}]${head.join(',')}`];
  inputs.forEach(({ rendition: r }, i) => {
    const rateCap = toNumber(r.frameRate) < toNumber(video.frameRate) - 1e-6 ? `fps=${formatRational(r.frameRate)},` : '';
    const metrics = vmaf ? 3 : 2;
    chains.push(`[src${i}]${rateCap}scale=${r.width}:${r.height}:flags=bicubic,setsar=1,format=yuv420p,split=${metrics}[ref${i}a][ref${i}b]${vmaf ? `[ref${i}c]` : ''}`);
    chains.push(`[${i + 1}:v]setpts=PTS-STARTPTS,format=yuv420p[dis${i}]`);
    // ssim and psnr pass their first input on, so one decoded picture feeds them in a row.
    const last = vmaf ? `[p${i}];[p${i}][ref${i}c]libvmaf=log_fmt=json:log_path=${qualityStatsNames.vmaf(i)}` : '';
    chains.push(`[dis${i}][ref${i}a]ssim=stats_file=${qualityStatsNames.ssim(i)}[s${i}];[s${i}][ref${i}b]psnr=stats_file=${qualityStatsNames.psnr(i)}${last}[out${i}]`);
  });
  return [
    ffmpeg, ...commonArgs,
    '-ss', window.startSeconds.toFixed(6), '-t', duration, ...guardedInput(sourcePath),
    ...inputs.flatMap((input) => ['-t', duration, ...guardedInput(input.file)]),
    '-filter_complex', chains.join(';'),
    ...inputs.flatMap((_, i) => ['-map', `[out${i}]`, '-f', 'null', '-']),
  ];
}

/** Mean SSIM (all planes) over the frames of an ssim stats file. */
export function parseSsimStats(text: string): number[] {
  return [...text.matchAll(/All:([\d.]+)/g)].map((m) => Number(m[1]));
}

/** Mean squared errors (all planes) per frame of a psnr stats file. */
export function parsePsnrStats(text: string): number[] {
  return [...text.matchAll(/mse_avg:([\d.]+)/g)].map((m) => Number(m[1]));
}

/** VMAF per frame from libvmaf's JSON log. */
export function parseVmafLog(text: string): number[] {
  const log: unknown = JSON.parse(text);
  const frames = typeof log === 'object' && log !== null && 'frames' in log && Array.isArray(log.frames) ? log.frames : [];
  return frames.flatMap((frame: unknown) => {
    const metrics = typeof frame === 'object' && frame !== null && 'metrics' in frame ? frame.metrics : undefined;
    const value = typeof metrics === 'object' && metrics !== null && 'vmaf' in metrics ? Number(metrics.vmaf) : NaN;
    return Number.isFinite(value) ? [value] : [];
  });
}

/** PSNR of the mean squared error over all frames (8-bit), as ffmpeg's own summary computes it; capped for identical pictures. */
export function psnrOfMse(mses: readonly number[]): number | null {
  if (mses.length === 0) return null;
  const mse = mses.reduce((a, b) => a + b, 0) / mses.length;
  return mse <= 0 ? 100 : Math.min(100, 10 * Math.log10((255 * 255) / mse));
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}
