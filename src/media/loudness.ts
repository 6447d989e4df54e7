// Two-pass EBU R128 normalisation: measure first (ebur128: integrated loudness, range and true
// peak), then apply one linear gain whenever that keeps the true peak under the limit. Only when
// it would not does the second pass use loudnorm's dynamic mode (a true-peak limiter).
//
// Why ebur128 and a plain `volume` rather than loudnorm in both passes: loudnorm always works at
// 192 kHz, which made the two audio passes cost ~3 % of a whole 1080p ladder's CPU; ebur128's
// measurement and a gain are about a sixth of that. loudnorm's linear mode is the same gain, but
// it also gives up on linear when the measured range exceeds the target range; here a wide range
// stays linear (the event's dynamics are kept), only the true peak decides.
import type { LoudnessTarget } from './plan.ts';

export interface LoudnessMeasurement {
  /** Integrated loudness, LUFS. */
  integrated: number;
  /** True peak, dBTP. */
  truePeak: number;
  /** Loudness range, LU. */
  range: number;
  /** The relative gate of the integrated measurement, LUFS. */
  threshold: number;
}

/** At or below this the source is silence (ebur128 reports the absolute gate, -70, when nothing passes it): normalising would only amplify noise. */
export const silenceLufs = -70;

/** Audio is first made 48 kHz stereo (any layout downmixed) so the measurement is of what we encode. */
export const downmixFilter = 'aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo';

/**
 * The measuring pass's filter; ebur128 prints its summary at info level when the input ends. Its
 * per-frame lines (10 per second of audio) go to the verbose level, so a 4-hour recording does not
 * push 20 MB of them through stderr.
 */
export function measureFilter(): string {
  return `${downmixFilter},ebur128=peak=true:framelog=verbose`;
}

const summaryField = (block: string, pattern: RegExp): number => {
  const match = pattern.exec(block);
  if (!match?.[1]) throw new Error(`the ebur128 summary lacks ${pattern.source}`);
  return match[1] === '-inf' ? Number.NEGATIVE_INFINITY : match[1] === 'inf' ? Number.POSITIVE_INFINITY : Number(match[1]);
};

/** Reads the summary ebur128 prints at the end of the measuring pass (the last one in stderr). */
export function parseLoudnessReport(stderr: string): LoudnessMeasurement {
  const start = stderr.lastIndexOf('Summary:');
  if (start < 0) throw new Error('ebur128 printed no measurement');
  const block = stderr.slice(start);
  const integratedBlock = block.slice(block.indexOf('Integrated loudness:'), block.indexOf('Loudness range:'));
  const number = '(-?inf|-?\\d+(?:\\.\\d+)?)';
  return {
    integrated: summaryField(integratedBlock, new RegExp(`I:\\s+${number} LUFS`)),
    threshold: summaryField(integratedBlock, new RegExp(`Threshold:\\s+${number} LUFS`)),
    range: summaryField(block, new RegExp(`LRA:\\s+${number} LU\\b`)),
    truePeak: summaryField(block, new RegExp(`Peak:\\s+${number} dBFS`)),
  };
}

/** Stands for the first pass's result where the second pass is shown before it ran (`--dry-run`). */
export const pendingMeasurement = 'pending';

/** The gain that brings the measured loudness to the target, dB. */
function linearGain(target: LoudnessTarget, measured: LoudnessMeasurement): number {
  return target.integrated - measured.integrated;
}

/** The audio filter of the encoding pass. */
export function normaliseFilter(target: LoudnessTarget, measured: LoudnessMeasurement | typeof pendingMeasurement | undefined): string {
  if (measured === pendingMeasurement) {
    return `${downmixFilter},volume=<${target.integrated} LUFS − integrated loudness of pass 1>dB`;
  }
  if (!measured || !Number.isFinite(measured.integrated) || measured.integrated <= silenceLufs) return downmixFilter;
  const gain = linearGain(target, measured);
  if (!Number.isFinite(measured.truePeak) || measured.truePeak + gain <= target.truePeak) {
    return `${downmixFilter},volume=${gain.toFixed(2)}dB`;
  }
  // The gain would push the true peak over the limit: loudnorm's dynamic mode, fed the measured
  // values so it needs no look at the whole input again. It keeps the measured range (within
  // loudnorm's 1–50 LU) instead of compressing the event's dynamics to the default target range.
  const range = Math.min(50, Math.max(target.range, Math.ceil(measured.range + 1)));
  const options = [
    `I=${target.integrated}`, `TP=${target.truePeak}`, `LRA=${range}`,
    `measured_I=${measured.integrated}`, `measured_TP=${measured.truePeak}`, `measured_LRA=${measured.range}`,
    `measured_thresh=${measured.threshold}`, 'print_format=summary',
  ];
  // loudnorm works at 192 kHz internally; bring it back to 48 kHz.
  return `${downmixFilter},loudnorm=${options.join(':')},aresample=48000`;
}
