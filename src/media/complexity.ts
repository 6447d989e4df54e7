// How hard a recording is to encode, learned before the ladder is fixed: a fast analysis encode of
// a few short windows spread over the recording, at two small sizes (and the source's own size
// when a rung is encoded at it), with the ladder's own encoder settings (x264, CRF, the job's
// preset). The bits it takes say what each rung would take; two sizes say how the bits grow with
// the picture. Pure: windows, command, and the model.
import { commonArgs } from './fmp4-output.ts';
import { guardedInput } from './input-args.ts';
import { capFrameRate, formatRational, toNumber } from './rational.ts';
import type { SourceVideo } from './types.ts';

export interface AnalysisSampling {
  /** At most this many windows, spread over the recording. */
  windows: number;
  windowSeconds: number;
  /** Windows cover at most this share of the recording (one window is always taken). */
  share: number;
  /**
   * The CRF of the analysis encode; rungs at other CRFs are predicted from it. The ladder's lowest
   * CRF in practice (prepare passes it): bits do not fall smoothly with CRF — grain can cost 9× at
   * crf 21 what it costs at 23, where x264 quantises it away — so predicting up from the richest
   * CRF errs on the side of more bits.
   */
  crf: number;
}

/**
 * Up to six 2 s windows over at most 10 % of the recording (three in a minute, six from two minutes
 * on: a vanishing share of an hour-long event); each costs a decode of its 2 s and x264 at 360p +
 * 540p, and the source's size where that is needed (docs/benchmarks.md has the measured share).
 */
export const defaultAnalysisSampling: AnalysisSampling = { windows: 6, windowSeconds: 2, share: 0.1, crf: 21 };

export interface AnalysisWindow {
  startSeconds: number;
  seconds: number;
}

/** Windows centred on equal stretches of the recording: the same recording always gets the same windows. */
export function chooseAnalysisWindows(duration: number, sampling: AnalysisSampling): AnalysisWindow[] {
  const seconds = Math.min(sampling.windowSeconds, duration);
  if (!(seconds > 0)) return [];
  const count = Math.max(1, Math.min(sampling.windows, Math.floor((duration * sampling.share) / seconds + 1e-9)));
  return Array.from({ length: count }, (_, i) => {
    const centre = ((i + 0.5) * duration) / count;
    return { startSeconds: round3(Math.max(0, Math.min(duration - seconds, centre - seconds / 2))), seconds: round3(seconds) };
  });
}

export interface AnalysisSize {
  width: number;
  height: number;
  /**
   * The source's own size, unscaled: a rung at that size keeps the grain and the finest detail a
   * downscale averages away (a noisy 1080p source measured ~15× the bits of its 720p), so it is
   * measured, not extrapolated.
   */
  native?: true;
}

/**
 * The downscaled analysis sizes: 640x360 and 960x540 boxes (portrait swapped) where smaller than
 * the source; the source's own size alone when nothing smaller fits.
 */
export function analysisSizes(video: SourceVideo): AnalysisSize[] {
  const portrait = video.displayHeight > video.displayWidth;
  const sizes: AnalysisSize[] = [];
  for (const [w, h] of [[640, 360], [960, 540]] as const) {
    const box = portrait ? { w: h, h: w } : { w, h };
    const scale = Math.min(box.w / video.displayWidth, box.h / video.displayHeight);
    if (scale >= 1 - 1e-6) continue;
    const size = { width: even(video.displayWidth * scale, video.displayWidth), height: even(video.displayHeight * scale, video.displayHeight) };
    if (!sizes.some((s) => s.width === size.width && s.height === size.height)) sizes.push(size);
  }
  return sizes.length > 0 ? sizes : [nativeAnalysisSize(video)];
}

/** The source's own size, measured when a rung is encoded at it and the downscaled sizes cannot rule it out. */
export function nativeAnalysisSize(video: SourceVideo): AnalysisSize {
  return { width: even(video.displayWidth, video.displayWidth), height: even(video.displayHeight, video.displayHeight), native: true };
}

/** The frame rate the analysis encodes at: the source's, at most 60 as the ladder's top rungs. */
export function analysisFrameRate(video: SourceVideo) {
  return capFrameRate(video.frameRate, 60);
}

/** Output file of window `w` at size `s`, in the command's working directory: raw H.264, so its size is the bits. */
export const analysisOutputName = (w: number, s: number): string => `analysis-${w}-${s}.h264`;

/**
 * One ffmpeg: each window read by seeking (`-ss` before its input), deinterlaced as the encode
 * would, at constant rate, scaled to each analysis size and encoded by libx264 at the analysis CRF
 * with one keyframe per window (the ladder's 2 s GOP), no audio.
 */
export function buildAnalysisCommand(ffmpeg: string, input: string, video: SourceVideo, options: { windows: readonly AnalysisWindow[]; sizes: readonly AnalysisSize[]; crf: number; preset: string; deinterlace: boolean }): string[] {
  const rate = analysisFrameRate(video);
  const chains: string[] = [];
  const outputs: string[] = [];
  options.windows.forEach((window, w) => {
    const head = [...(options.deinterlace ? ['bwdif=mode=send_frame:parity=auto:deint=interlaced'] : []), `fps=${formatRational(rate)}`];
    const labels = options.sizes.map((_, s) => `[p${w}_${s}]`).join('');
    chains.push(`[${w}:${video.index}]${head.join(',')},split=${options.sizes.length}${labels}`);
    options.sizes.forEach((size, s) => {
      chains.push(`[p${w}_${s}]scale=${size.width}:${size.height}:flags=bicubic,setsar=1,format=yuv420p[a${w}_${s}]`);
      const frames = Math.max(1, Math.round(window.seconds * toNumber(rate)));
      outputs.push(
        '-map', `[a${w}_${s}]`, '-an',
        '-c:v', 'libx264', '-preset', options.preset, '-crf', String(options.crf),
        '-g', String(frames), '-keyint_min', String(frames), '-sc_threshold', '0',
        // A fixed thread count (x264's output depends on it): the same source gives the same bits on any machine.
        '-threads', size.native ? '4' : '1',
        '-frames:v', String(frames), '-f', 'h264', analysisOutputName(w, s),
      );
    });
  });
  return [
    ffmpeg, ...commonArgs,
    ...options.windows.flatMap((w) => ['-ss', w.startSeconds.toFixed(3), '-t', w.seconds.toFixed(3), ...guardedInput(input)]),
    '-filter_complex', chains.join(';'),
    ...outputs,
  ];
}

/** What the analysis encode measured, and the figures the ladder is chosen from. */
export interface ComplexityAnalysis {
  crf: number;
  preset: string;
  frameRate: number;
  /**
   * The size a rung is encoded at without scaling (the source's, when its pixels are square and
   * unrotated); null when every rung is scaled. Such a rung is measured apart (`sizes` has it, as
   * `native`) or, where that was not needed, taken as capped.
   */
  unscaled: { width: number; height: number } | null;
  sizes: AnalysisSize[];
  windows: (AnalysisWindow & { kbps: number[] })[];
  /**
   * Bits per pixel per frame at the largest downscaled analysis size (≤ 960x540) and the analysis CRF, over all windows:
   * the complexity figure (a still slide ≈ 0.005, a noisy full-frame pan ≈ 0.3).
   */
  bitsPerPixel: number;
  /** How the bits grow with the picture: bitrate ∝ pixels^exponent, measured between the two sizes. */
  sizeExponent: number;
}

/** Bitrate ∝ pixels^exponent where only one size could be encoded (a source at or under 360p). */
const defaultSizeExponent = 0.75;
/** x264 at a fixed preset: about half the bits per 6 CRF steps. */
const crfStepsPerHalving = 6;
/** Bits per frame fall as frames come closer together: bitrate ∝ rate^0.6 (rungs that halve a 50/60 fps source). */
const frameRateExponent = 0.6;

/** From each window's bytes per size (`bytes[w][s]`): bitrates, the complexity figure, the size exponent. */
export function summariseAnalysis(bytes: readonly (readonly number[])[], options: { windows: readonly AnalysisWindow[]; sizes: readonly AnalysisSize[]; crf: number; preset: string; frameRate: number; unscaled: { width: number; height: number } | null }): ComplexityAnalysis {
  const windows = options.windows.map((w, i) => ({ ...w, kbps: (bytes[i] ?? []).map((b) => round3((b * 8) / 1000 / w.seconds)) }));
  const seconds = options.windows.reduce((sum, w) => sum + w.seconds, 0);
  const totalKbps = (s: number) => bytes.reduce((sum, perSize) => sum + (perSize[s] ?? 0), 0) * 8 / 1000 / Math.max(seconds, 1e-9);
  const scaled = scaledIndexes(options.sizes);
  const [first, largest] = [scaled[0], scaled[scaled.length - 1] ?? options.sizes.length - 1];
  const pixels = (s: number) => { const size = options.sizes[s]; return size ? size.width * size.height : 1; };
  const bitsPerPixel = (totalKbps(largest) * 1000) / (pixels(largest) * options.frameRate);
  let sizeExponent = defaultSizeExponent;
  if (first !== undefined && first !== largest && totalKbps(first) > 0 && totalKbps(largest) > 0) {
    // Clamped: a flat slide can measure ~0.3 (the text hardly grows), noise a little over 1.
    sizeExponent = Math.min(1.1, Math.max(0.4, Math.log(totalKbps(largest) / totalKbps(first)) / Math.log(pixels(largest) / pixels(first))));
  }
  return { crf: options.crf, preset: options.preset, frameRate: round3(options.frameRate), unscaled: options.unscaled ? { ...options.unscaled } : null, sizes: [...options.sizes], windows, bitsPerPixel: round6(bitsPerPixel), sizeExponent: round3(sizeExponent) };
}

/** Indexes of the downscaled sizes, smallest first. */
function scaledIndexes(sizes: readonly AnalysisSize[]): number[] {
  return sizes.flatMap((s, i) => (s.native ? [] : [i]));
}

/**
 * The predicted bitrate (kb/s) of an uncapped encode at this size, CRF and rate: mean over the
 * windows, and the busiest window. The source's own size is read from its measurement; other sizes
 * from the largest downscaled one, by the measured size exponent.
 */
export function predictBitrate(analysis: ComplexityAnalysis, target: { width: number; height: number; crf: number; frameRate: number }): { meanKbps: number; peakKbps: number } {
  const native = analysis.sizes.findIndex((z) => z.native && z.width === target.width && z.height === target.height);
  const scaled = scaledIndexes(analysis.sizes);
  const s = native >= 0 ? native : (scaled[scaled.length - 1] ?? analysis.sizes.length - 1);
  const size = analysis.sizes[s];
  if (!size) return { meanKbps: 0, peakKbps: 0 };
  const factor = ((target.width * target.height) / (size.width * size.height)) ** analysis.sizeExponent
    * 2 ** ((analysis.crf - target.crf) / crfStepsPerHalving)
    * (target.frameRate / analysis.frameRate) ** frameRateExponent;
  const perWindow = analysis.windows.map((w) => (w.kbps[s] ?? 0) * factor);
  const seconds = analysis.windows.reduce((sum, w) => sum + w.seconds, 0);
  const mean = analysis.windows.reduce((sum, w, i) => sum + (perWindow[i] ?? 0) * w.seconds, 0) / Math.max(seconds, 1e-9);
  return { meanKbps: Math.round(mean), peakKbps: Math.round(Math.max(0, ...perWindow)) };
}

function even(value: number, limit: number): number {
  return Math.max(2, Math.min(Math.round(value / 2) * 2, Math.floor(limit / 2) * 2));
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
