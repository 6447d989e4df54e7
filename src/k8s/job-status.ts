// What a worker Job's status means for its attempt. Job conditions decide: Complete or
// SuccessCriteriaMet → succeeded; Failed or FailureTarget (the controller's early notice, set
// while pods still terminate) → failed. Pod status adds the details: the worker's exit code and
// termination message, an OOM kill, or a DisruptionTarget condition (preemption, eviction, spot
// reclaim) — a Job that ends failed because of a disruption goes back to the queue without
// using an attempt, like a preemption by the scheduler. An Indexed Job (all chunks of an attempt)
// also lists its finished indexes in status.completedIndexes and status.failedIndexes, as
// intervals ("1,3-5"). Pure; the types are the fields read.
import { annotationKeys, labelKeys } from './labels.ts';
import { workerContainerName } from './failure-policy.ts';

export interface ObservedCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface ObservedMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { uid: string }[];
  deletionTimestamp?: Date | string;
}

export interface ObservedJob {
  metadata?: ObservedMeta;
  spec?: { suspend?: boolean; completionMode?: string; completions?: number };
  status?: {
    conditions?: ObservedCondition[]; active?: number; ready?: number; failed?: number; succeeded?: number; terminating?: number;
    /** Indexed Jobs: the indexes that completed, and those that failed for good, as "1,3-5". */
    completedIndexes?: string; failedIndexes?: string;
  };
}

export interface ObservedContainerStatus {
  name: string;
  state?: { terminated?: { exitCode: number; signal?: number; reason?: string; message?: string; finishedAt?: Date | string } };
}

export interface ObservedPod {
  metadata?: ObservedMeta;
  status?: { phase?: string; reason?: string; message?: string; conditions?: ObservedCondition[]; containerStatuses?: ObservedContainerStatus[] };
}

export type JobPhase =
  | { phase: 'pending'; why: string }
  | { phase: 'running' }
  | { phase: 'succeeded' }
  | { phase: 'failed'; reason: string; message: string };

export function isTrue(conditions: readonly ObservedCondition[] | undefined, type: string): ObservedCondition | undefined {
  return conditions?.find((c) => c.type === type && c.status === 'True');
}

export function jobPhase(job: ObservedJob): JobPhase {
  const conditions = job.status?.conditions;
  if (isTrue(conditions, 'Complete') ?? isTrue(conditions, 'SuccessCriteriaMet')) return { phase: 'succeeded' };
  const failed = isTrue(conditions, 'Failed') ?? isTrue(conditions, 'FailureTarget');
  if (failed) return { phase: 'failed', reason: failed.reason ?? 'Failed', message: failed.message ?? '' };
  if (job.spec?.suspend || isTrue(conditions, 'Suspended')) return { phase: 'pending', why: 'suspended (waiting for admission, e.g. by Kueue)' };
  if ((job.status?.active ?? 0) > 0) return { phase: 'running' };
  return { phase: 'pending', why: 'no pod running yet' };
}

export function isFinished(job: ObservedJob): boolean {
  const phase = jobPhase(job).phase;
  return phase === 'succeeded' || phase === 'failed';
}

export interface JobRef {
  jobId: string;
  attempt: number;
  /** The unit key (src/jobs/work-unit.ts); the job id for Jobs of before chunking. */
  unit: string;
}

/** The job, attempt and unit a worker Job belongs to, from its annotations and label. */
export function jobRef(job: ObservedJob): JobRef | undefined {
  const jobId = job.metadata?.annotations?.[annotationKeys.jobId];
  const attempt = Number(job.metadata?.labels?.[labelKeys.attempt]);
  if (!jobId || !Number.isInteger(attempt) || attempt < 1) return undefined;
  return { jobId, attempt, unit: job.metadata?.annotations?.[annotationKeys.unit] ?? jobId };
}

/** "1,3-5" → [1, 3, 4, 5]; empty or absent → []. Throws on anything else: a status we misread must not pass as "none failed". */
export function parseIndexSet(text: string | undefined): number[] {
  if (!text?.trim()) return [];
  const out: number[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
    const from = Number(match?.[1]);
    const to = match?.[2] === undefined ? from : Number(match[2]);
    if (!match || to < from || to - from > 100_000) throw new Error(`"${text}" is not a list of indexes and ranges such as "1,3-5"`);
    for (let i = from; i <= to; i++) out.push(i);
  }
  return out;
}

/** The completion index of an Indexed Job's pod (label since Kubernetes 1.28, annotation before). */
export function podIndex(pod: ObservedPod): number | undefined {
  const value = pod.metadata?.labels?.[podIndexKey] ?? pod.metadata?.annotations?.[podIndexKey];
  const index = Number(value);
  return value !== undefined && Number.isInteger(index) && index >= 0 ? index : undefined;
}

const podIndexKey = 'batch.kubernetes.io/job-completion-index';

export interface PodFailure {
  pod: string;
  /** An Indexed Job's pod: the chunk it ran. */
  index?: number;
  exitCode?: number;
  signal?: number;
  /** `OOMKilled`, `Error`, `DeadlineExceeded`, `Evicted`… */
  reason?: string;
  /** The worker's termination message (its failure report) or the tail of its log. */
  message?: string;
  /** Set when Kubernetes took the pod away (DisruptionTarget): its reason and message. */
  disruption?: { reason: string; message: string };
}

/**
 * The most recent failed pod of a Job, with what its status tells about the failure. For an
 * Indexed Job that gave up, `indexes` (its failed indexes) narrows it to the pods of those: a
 * disrupted pod of another index, replaced for free, is not why the Job failed.
 */
export function lastPodFailure(pods: readonly ObservedPod[], indexes: readonly number[] = []): PodFailure | undefined {
  const ofIndexes = indexes.length ? pods.filter((p) => indexes.includes(podIndex(p) ?? -1)) : [];
  const failures = (ofIndexes.length ? ofIndexes : pods)
    .filter((p) => p.status?.phase === 'Failed' || isTrue(p.status?.conditions, 'DisruptionTarget') || workerTerminated(p)?.exitCode)
    .map((p) => ({ pod: p, finished: timeOf(workerTerminated(p)?.finishedAt) }))
    .sort((a, b) => b.finished - a.finished);
  const pod = failures[0]?.pod;
  if (!pod) return undefined;
  const terminated = workerTerminated(pod);
  const disruption = isTrue(pod.status?.conditions, 'DisruptionTarget');
  const failure: PodFailure = { pod: pod.metadata?.name ?? '(unnamed)' };
  const index = podIndex(pod);
  if (index !== undefined) failure.index = index;
  if (terminated) {
    failure.exitCode = terminated.exitCode;
    if (terminated.signal !== undefined) failure.signal = terminated.signal;
    if (terminated.reason) failure.reason = terminated.reason;
    if (terminated.message) failure.message = terminated.message.trim();
  } else if (pod.status?.reason) {
    failure.reason = pod.status.reason;
  }
  if (!failure.message && pod.status?.message) failure.message = pod.status.message;
  if (disruption) failure.disruption = { reason: disruption.reason ?? 'DisruptionTarget', message: disruption.message ?? '' };
  return failure;
}

function workerTerminated(pod: ObservedPod) {
  return pod.status?.containerStatuses?.find((c) => c.name === workerContainerName)?.state?.terminated;
}

function timeOf(value: Date | string | undefined): number {
  if (value === undefined) return 0;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? 0 : ms;
}

/** "Container worker for pod ns/x failed with exit code 3 matching FailJob rule at index 1" → 3 */
export function exitCodeFromMessage(message: string): number | undefined {
  const match = /exit code (\d+)/.exec(message);
  return match ? Number(match[1]) : undefined;
}
