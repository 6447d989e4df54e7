// Runs the analysis encode (src/media/complexity.ts) in its own scratch directory and reads what
// it wrote: the bytes of every window at every size. One ffmpeg, booked to `analyse` in the cost.
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from '../ffmpeg/run-process.ts';
import {
  analysisFrameRate, analysisOutputName, analysisSizes, buildAnalysisCommand, chooseAnalysisWindows, defaultAnalysisSampling, nativeAnalysisSize, summariseAnalysis,
  type AnalysisSampling, type AnalysisSize, type ComplexityAnalysis,
} from '../media/complexity.ts';
import { toNumber } from '../media/rational.ts';
import type { SourceInfo } from '../media/types.ts';
import { makeScratch } from './scratch.ts';

export interface AnalyseOptions {
  ffmpeg: string;
  input: string;
  source: SourceInfo;
  /** The x264 preset of the ladder's encode, so that the analysis measures what the encode will spend. */
  preset: string;
  /**
   * Given what the downscaled sizes measured, whether the source's own size must be measured too
   * (a rung is encoded at it, and the downscaled sizes cannot tell that its cap binds anyway).
   */
  needsNative?: ((downscaled: ComplexityAnalysis) => boolean) | undefined;
  sampling?: AnalysisSampling | undefined;
  /** The CRF to analyse at (the ladder's lowest); the sampling's otherwise. */
  crf?: number | undefined;
  scratchRoot?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface AnalysedComplexity {
  analysis: ComplexityAnalysis;
  /** CPU seconds of the analysis process, where measured; kept out of the plan, which must not change between runs. */
  cpuSeconds?: number;
}

/** The complexity of the source's video; undefined when it has none (or nothing long enough to sample). */
export async function analyseComplexity(options: AnalyseOptions): Promise<AnalysedComplexity | undefined> {
  const video = options.source.video;
  if (!video) return undefined;
  const sampling = { ...(options.sampling ?? defaultAnalysisSampling), ...(options.crf === undefined ? {} : { crf: options.crf }) };
  const windows = chooseAnalysisWindows(options.source.duration, sampling);
  if (windows.length === 0) return undefined;
  const sizes = analysisSizes(video);
  const rate = toNumber(analysisFrameRate(video));
  const native = nativeAnalysisSize(video);
  const unscaled = video.width === video.displayWidth && video.height === video.displayHeight ? { width: native.width, height: native.height } : null;
  const summary = { windows, crf: sampling.crf, preset: options.preset, frameRate: rate, unscaled };
  const scratch = await makeScratch(options.scratchRoot, 'live2vod-analysis-');
  try {
    const pass = async (passSizes: AnalysisSize[]): Promise<{ bytes: number[][]; cpuSeconds: number | undefined }> => {
      const command = buildAnalysisCommand(options.ffmpeg, options.input, video, { windows, sizes: passSizes, crf: sampling.crf, preset: options.preset, deinterlace: video.interlaced });
      const result = await runProcess({ command, stage: 'probe', costStage: 'analyse', cwd: scratch, ...(options.signal ? { signal: options.signal } : {}) });
      const bytes = await Promise.all(windows.map((_, w) => Promise.all(passSizes.map(async (_, s) => (await stat(path.join(scratch, analysisOutputName(w, s)))).size))));
      return { bytes, cpuSeconds: result.cpuSeconds };
    };
    const first = await pass(sizes);
    let analysis = summariseAnalysis(first.bytes, { ...summary, sizes });
    let cpuSeconds = first.cpuSeconds;
    // A second pass, only where it can change the ladder: the source's own size costs as much as the rest together.
    if (!sizes.some((s) => s.native) && options.needsNative?.(analysis)) {
      const second = await pass([native]);
      analysis = summariseAnalysis(first.bytes.map((perSize, w) => [...perSize, ...(second.bytes[w] ?? [])]), { ...summary, sizes: [...sizes, native] });
      cpuSeconds = cpuSeconds === undefined || second.cpuSeconds === undefined ? undefined : cpuSeconds + second.cpuSeconds;
    }
    return cpuSeconds === undefined ? { analysis } : { analysis, cpuSeconds: Math.round(cpuSeconds * 100) / 100 };
  } finally {
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}
