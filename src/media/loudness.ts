// Two-pass EBU R128 normalisation: measure first, then apply loudnorm with the measured values so
// it can use a single linear gain (no pumping) whenever the true-peak limit allows it.
import { z } from 'zod';
import type { LoudnessTarget } from './plan.ts';

export interface LoudnessMeasurement {
  integrated: number;
  truePeak: number;
  range: number;
  threshold: number;
  offset: number;
}

const measuredSchema = z.object({
  input_i: z.string(),
  input_tp: z.string(),
  input_lra: z.string(),
  input_thresh: z.string(),
  target_offset: z.string(),
}).loose();

/** Below this the source is silence (or nearly): normalising it would only amplify noise. */
export const silenceLufs = -70;

/** Audio is first made 48 kHz stereo (any layout downmixed) so the measurement is of what we encode. */
export const downmixFilter = 'aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo';

export function measureFilter(target: LoudnessTarget): string {
  return `${downmixFilter},loudnorm=I=${target.integrated}:TP=${target.truePeak}:LRA=${target.range}:print_format=json`;
}

/** Reads the JSON block loudnorm prints at the end of the measuring pass. */
export function parseLoudnessReport(stderr: string): LoudnessMeasurement {
  const start = stderr.lastIndexOf('{');
  const end = stderr.lastIndexOf('}');
  if (start < 0 || end < start) throw new Error('loudnorm printed no measurement');
  const raw = measuredSchema.parse(JSON.parse(stderr.slice(start, end + 1)));
  return {
    integrated: Number(raw.input_i),
    truePeak: Number(raw.input_tp),
    range: Number(raw.input_lra),
    threshold: Number(raw.input_thresh),
    offset: Number(raw.target_offset),
  };
}

/** Stands for the first pass's result where the second pass is shown before it ran (`--dry-run`). */
export const pendingMeasurement = 'pending';

/** The audio filter of the encoding pass. */
export function normaliseFilter(target: LoudnessTarget, measured: LoudnessMeasurement | typeof pendingMeasurement | undefined): string {
  if (measured === pendingMeasurement) {
    return `${downmixFilter},loudnorm=I=${target.integrated}:TP=${target.truePeak}:LRA=<from pass 1>:measured_I=<from pass 1>:measured_TP=<…>:measured_LRA=<…>:measured_thresh=<…>:offset=<…>:linear=true,aresample=48000`;
  }
  if (!measured || !Number.isFinite(measured.integrated) || measured.integrated < silenceLufs) return downmixFilter;
  // loudnorm refuses linear mode when the source's range exceeds the target range; allowing the
  // measured range keeps the dynamics of the event instead of compressing them.
  const range = Math.min(50, Math.max(target.range, Math.ceil(measured.range + 1)));
  const options = [
    `I=${target.integrated}`, `TP=${target.truePeak}`, `LRA=${range}`,
    `measured_I=${measured.integrated}`, `measured_TP=${measured.truePeak}`, `measured_LRA=${measured.range}`,
    `measured_thresh=${measured.threshold}`, `offset=${measured.offset}`,
    'linear=true', 'print_format=summary',
  ];
  // loudnorm works at 192 kHz internally; bring it back to 48 kHz.
  return `${downmixFilter},loudnorm=${options.join(':')},aresample=48000`;
}
