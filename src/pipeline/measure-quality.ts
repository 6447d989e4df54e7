// Sampled quality of every video rendition against the source scaled to its size (SSIM, PSNR,
// VMAF where this ffmpeg has libvmaf): a few short windows spread over the recording, each window
// one ffmpeg that decodes the source once for all renditions. Reads the asset's own segments, so
// it serves whole and stitched assets alike. Measuring is not the product: a failure becomes a
// warning and the asset goes out without figures; a cancel still stops the job.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CancelledError } from '../errors/index.ts';
import { listFilters } from '../ffmpeg/capabilities.ts';
import { runProcess } from '../ffmpeg/run-process.ts';
import type { TranscodePlan } from '../media/plan.ts';
import {
  buildQualityCommand, chooseQualityWindows, mean, parsePsnrStats, parseSsimStats, parseVmafLog, psnrOfMse, qualityStatsNames,
  type QualitySampling, type QualityWindow, type WindowInput,
} from '../media/quality-command.ts';
import type { PackagedTrack } from '../media/types.ts';
import type { EventSink } from './events.ts';
import type { OutputDir } from './output-dir.ts';
import { makeScratch } from './scratch.ts';

export interface RenditionQuality {
  ssim: number | null;
  psnr: number | null;
  /** Null where this ffmpeg has no libvmaf. */
  vmaf: number | null;
  frames: number;
}

export interface QualityReport {
  windows: QualityWindow[];
  frameStep: number;
  vmaf: boolean;
  renditions: Record<string, RenditionQuality>;
}

export interface MeasureQualityContext {
  ffmpeg: string;
  input: string;
  plan: TranscodePlan;
  video: readonly PackagedTrack[];
  out: OutputDir;
  sampling: QualitySampling;
  signal: AbortSignal;
  emit: EventSink;
  scratchRoot?: string;
}

export async function measureQuality(ctx: MeasureQualityContext): Promise<QualityReport | undefined> {
  const first = ctx.video[0];
  if (!first || !ctx.plan.source.video) return undefined;
  const scratch = await makeScratch(ctx.scratchRoot, 'live2vod-quality-');
  try {
    const vmaf = (await listFilters(ctx.ffmpeg)).has('libvmaf');
    const windows = chooseQualityWindows(first.segments, ctx.sampling, ctx.plan.gopSeconds);
    const frames = new Map(ctx.video.map((t) => [t.id, { ssim: [] as number[], mse: [] as number[], vmaf: [] as number[] }]));
    for (const [w, window] of windows.entries()) {
      const inputs = await windowInputs(ctx, window, scratch, w);
      await runProcess({ command: buildQualityCommand(ctx.ffmpeg, ctx.input, ctx.plan, window, inputs, { vmaf, frameStep: ctx.sampling.frameStep }), stage: 'package', costStage: 'measure', cwd: scratch, signal: ctx.signal });
      for (const [i, input] of inputs.entries()) {
        const into = frames.get(input.id);
        if (!into) continue;
        into.ssim.push(...parseSsimStats(await readFile(path.join(scratch, qualityStatsNames.ssim(i)), 'utf8')));
        into.mse.push(...parsePsnrStats(await readFile(path.join(scratch, qualityStatsNames.psnr(i)), 'utf8')));
        if (vmaf) into.vmaf.push(...parseVmafLog(await readFile(path.join(scratch, qualityStatsNames.vmaf(i)), 'utf8')));
      }
    }
    const renditions: Record<string, RenditionQuality> = {};
    for (const [id, f] of frames) {
      const ssim = mean(f.ssim);
      const psnr = psnrOfMse(f.mse);
      const v = mean(f.vmaf);
      renditions[id] = { ssim: ssim === null ? null : round(ssim, 5), psnr: psnr === null ? null : round(psnr, 2), vmaf: v === null ? null : round(v, 2), frames: f.ssim.length };
    }
    return { windows, frameStep: ctx.sampling.frameStep, vmaf, renditions };
  } catch (error) {
    if (error instanceof CancelledError || ctx.signal.aborted) throw error;
    ctx.emit({ type: 'warning', message: `quality was not measured: ${error instanceof Error ? error.message : String(error)}` });
    return undefined;
  } finally {
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Each rendition's window as a small file of its own: init + the segment (bytes copied, no ffmpeg). */
async function windowInputs(ctx: MeasureQualityContext, window: QualityWindow, scratch: string, w: number): Promise<(WindowInput & { id: string })[]> {
  const dir = path.join(scratch, `w${w}`);
  await mkdir(dir, { recursive: true });
  const inputs: (WindowInput & { id: string })[] = [];
  for (const [i, track] of ctx.video.entries()) {
    const segment = track.segments.find((s) => s.number === window.segment);
    if (!segment || !track.rendition) continue;
    const file = path.join(dir, `${i}.mp4`);
    await writeFile(file, Buffer.concat([await readFile(ctx.out.path(track.dir, track.initFile)), await readFile(ctx.out.path(track.dir, segment.file))]));
    inputs.push({ id: track.id, rendition: track.rendition, file });
  }
  return inputs;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
