// How long a worker Job may run and how much scratch disk it gets, from what is known about the
// recording. Unknown facts are estimated on the safe side: a deadline that errs long, scratch that
// errs large (an emptyDir over its sizeLimit gets the pod evicted). Pure.
import type { KubernetesExecutorConfig } from '../config/kubernetes-executor.ts';
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

export function sizeJob(facts: SourceFacts, config: Pick<KubernetesExecutorConfig, 'deadline' | 'scratch'>): JobSizing {
  const { deadline, scratch } = config;
  const durationSeconds = facts.durationSeconds
    ?? (facts.bytes !== undefined ? (facts.bytes * 8) / (deadline.assumedBitrateMbps * 1e6) : deadline.unknownDurationSeconds);
  const sourceBytes = facts.bytes
    ?? (durationSeconds * scratch.assumedBitrateMbps * 1e6) / 8;
  const activeDeadlineSeconds = clamp(Math.ceil(deadline.baseSeconds + deadline.perRecordingSecond * durationSeconds), deadline.minSeconds, deadline.maxSeconds);
  const scratchBytes = clamp(Math.ceil(sourceBytes * scratch.sourceFactor + scratch.extraBytes), scratch.minBytes, scratch.maxBytes);
  return { durationSeconds: Math.round(durationSeconds), sourceBytes: Math.round(sourceBytes), activeDeadlineSeconds, scratchBytes };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** A byte count as a Kubernetes quantity, rounded up to whole Gi (or Mi below 1 GiB). */
export function bytesQuantity(bytes: number): string {
  if (bytes >= GiB) return `${Math.ceil(bytes / GiB)}Gi`;
  return `${Math.max(1, Math.ceil(bytes / MiB))}Mi`;
}
