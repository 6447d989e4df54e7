// How long a worker Job may run and how much scratch disk it gets, from what is known about the
// recording and what the Job's unit does with it. Unknown facts are estimated on the safe side: a
// deadline that errs long, scratch that errs large (an emptyDir over its sizeLimit gets the pod
// evicted). Pure.
import type { KubernetesExecutorConfig } from './executor-config.ts';
import type { SourceFacts } from '../jobs/source-facts.ts';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

export interface JobSizing {
  /** The duration the deadline was computed from, and whether it was reported or estimated. */
  durationSeconds: number;
  sourceBytes: number;
  activeDeadlineSeconds: number;
  scratchBytes: number;
}

type SizingConfig = Pick<KubernetesExecutorConfig, 'deadline' | 'scratch'>;

/**
 * The stages that encode no video, as a share of a whole encode's time per recording second: the
 * split fetches and probes, then encodes the AAC once (about 1 % of a ladder's CPU) beside the
 * instant remux; the stitch moves no media but remuxes the download. A quarter still errs long.
 */
const lightStageShare = 0.25;

/** The recording's duration and size, reported or estimated. */
function recording(facts: SourceFacts, config: SizingConfig): { durationSeconds: number; sourceBytes: number } {
  const { deadline, scratch } = config;
  const durationSeconds = facts.durationSeconds
    ?? (facts.bytes !== undefined ? (facts.bytes * 8) / (deadline.assumedBitrateMbps * 1e6) : deadline.unknownDurationSeconds);
  const sourceBytes = facts.bytes ?? (durationSeconds * scratch.assumedBitrateMbps * 1e6) / 8;
  return { durationSeconds, sourceBytes };
}

function sized(config: SizingConfig, rec: { durationSeconds: number; sourceBytes: number }, encodeSeconds: number, scratchBytes: number): JobSizing {
  const { deadline, scratch } = config;
  return {
    durationSeconds: Math.round(rec.durationSeconds),
    sourceBytes: Math.round(rec.sourceBytes),
    activeDeadlineSeconds: clamp(Math.ceil(deadline.baseSeconds + deadline.perRecordingSecond * encodeSeconds), deadline.minSeconds, deadline.maxSeconds),
    scratchBytes: clamp(Math.ceil(scratchBytes), scratch.minBytes, scratch.maxBytes),
  };
}

/** A whole-recording Job: the source and every rendition's output in scratch. */
export function sizeJob(facts: SourceFacts, config: SizingConfig): JobSizing {
  const rec = recording(facts, config);
  return sized(config, rec, rec.durationSeconds, rec.sourceBytes * config.scratch.sourceFactor + config.scratch.extraBytes);
}

/**
 * The split or stitch Job: a share of the encode's time; scratch for `sourceCopies` times the
 * source (the split: the download and the instant remux staged beside it; the stitch: the download it remuxes).
 */
export function sizeLightStageJob(facts: SourceFacts, config: SizingConfig, sourceCopies = 1): JobSizing {
  const rec = recording(facts, config);
  return sized(config, rec, rec.durationSeconds * lightStageShare, rec.sourceBytes * sourceCopies + config.scratch.extraBytes);
}

export interface ChunkGroupShape {
  /** The longest chunk's length. */
  chunkSeconds: number;
  /** How many rounds of `parallelism` pods the chunks take: ceil(chunks / parallelism). */
  waves: number;
  /** Retries one index may use: a retried chunk runs again after its failure, in the worst case one after another. */
  retriesPerIndex: number;
}

/**
 * One pod of the Indexed Job. activeDeadlineSeconds bounds the whole Job, so it covers every wave
 * and one index's retries on top. Scratch: each chunk pod fetches the whole source today, plus its
 * share of the outputs.
 */
export function sizeChunkGroupJob(facts: SourceFacts, config: SizingConfig, shape: ChunkGroupShape): JobSizing {
  const rec = recording(facts, config);
  const share = Math.min(1, shape.chunkSeconds / Math.max(1, rec.durationSeconds));
  const scratchBytes = rec.sourceBytes * (1 + (config.scratch.sourceFactor - 1) * share) + config.scratch.extraBytes;
  return sized(config, rec, shape.chunkSeconds * (shape.waves + shape.retriesPerIndex), scratchBytes);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** A byte count as a Kubernetes quantity, rounded up to whole Gi (or Mi below 1 GiB). */
export function bytesQuantity(bytes: number): string {
  if (bytes >= GiB) return `${Math.ceil(bytes / GiB)}Gi`;
  return `${Math.max(1, Math.ceil(bytes / MiB))}Mi`;
}
