// Sampled quality of the renditions against the source: where to look, the ffmpeg command that
// compares one window of every rendition with the source scaled to its size, and the parsing of
// what the filters write. Pure.
import { commonArgs } from './fmp4-output.ts';
import { guardedInput } from './input-args.ts';
import type { TranscodePlan } from './plan.ts';
import { pictureFormat } from './hdr.ts';
import { formatRational, toNumber } from './rational.ts';
import type { Segment, VideoRendition } from './types.ts';


export interface QualitySampling {
  /** At most this many windows, spread over the recording. */
  windows: number;
  /** Seconds per window, from a segment's start (a keyframe: nothing before it to decode); absent, one GOP. */
  windowSeconds?: number | undefined;
  /** Windows cover at most this share of the recording (at least one window is always taken). */
  share: number;
  /** Every n-th frame of a window is compared; the decoding is shared, the comparing is the cost. */
  frameStep: number;
}

/**
 * Measured on the 2-vCPU bench (docs/benchmarks.md): a compared second of the default ladder costs
 * about 0.65 of an encoded one, mostly decoding (source and every rendition). So windows are whole
 * GOPs (one keyframe, then predicted frames: what a viewer sees, not a keyframe's best picture),
 * 1 frame in 4 compared, over at most 6 % of the recording: measuring stays under about 4 % of the
 * encode, except on recordings too short for one GOP in 6 % (one window is always taken).
 */
export const defaultQualitySampling: QualitySampling = { windows: 8, share: 0.06, frameStep: 4 };

export interface QualityWindow {
  /** Segment of every rendition the window lies in (renditions share segment boundaries). */
  segment: number;
  startSeconds: number;
  seconds: number;
}

/** Windows at the start of the middle segment of equal stretches of the recording. */
export function chooseQualityWindows(segments: readonly Segment[], sampling: QualitySampling, gopSeconds: number): QualityWindow[] {
  const total = segments.reduce((sum, s) => sum + s.duration, 0);
  const length = sampling.windowSeconds ?? gopSeconds;
  const count = Math.max(1, Math.min(sampling.windows, segments.length, Math.floor((total * sampling.share) / length + 1e-9)));
  const chosen: QualityWindow[] = [];
  for (let i = 0; i < count; i++) {
    const segment = segments[Math.floor(((i + 0.5) * segments.length) / count)];
    if (!segment) continue;
    chosen.push({ segment: segment.number, startSeconds: segment.start, seconds: Math.min(length, segment.duration) });
  }
  return chosen;
}

/** The files of one rendition's window: its init and segment joined, in the command's working directory. */
export interface WindowInput {
  rendition: VideoRendition;
  file: string;
  /**
   * Compare at this size instead of the rendition's: both sides scaled to it (bicubic). What a
   * player shows when a size is missing from a ladder and the next one is scaled into its place.
   */
  compareAt?: { width: number; height: number };
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
export function buildQualityCommand(ffmpeg: string, sourcePath: string, plan: TranscodePlan, window: QualityWindow, inputs: readonly WindowInput[], options: { vmaf: boolean; frameStep: number }): string[] {
  const { vmaf, frameStep } = options;
  // Both sides count frames from the window's start, so the same frames are kept.
  const keep = frameStep > 1 ? `framestep=${frameStep},` : '';
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
  inputs.forEach(({ rendition: r, compareAt }, i) => {
    const rateCap = toNumber(r.frameRate) < toNumber(video.frameRate) - 1e-6 ? `fps=${formatRational(r.frameRate)},` : '';
    const metrics = vmaf ? 3 : 2;
    const size = compareAt ?? r;
    // Frames are dropped after the rendition's own rate cap, so both sides step over the same frames.
    // The encode's own picture (tone-mapped SDR, 10-bit HDR or plain 8-bit), so only encoding is measured.
    chains.push(`[src${i}]${rateCap}${keep}scale=${size.width}:${size.height}:flags=bicubic,setsar=1,${pictureFormat(r, video, plan.toneMapper)},split=${metrics}[ref${i}a][ref${i}b]${vmaf ? `[ref${i}c]` : ''}`);
    const rescale = compareAt ? `scale=${compareAt.width}:${compareAt.height}:flags=bicubic,setsar=1,` : '';
    chains.push(`[${i + 1}:v]setpts=PTS-STARTPTS,${keep}${rescale}format=${r.hdr ? 'yuv420p10le' : 'yuv420p'}[dis${i}]`);
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
