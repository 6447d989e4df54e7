// The job model: one recording → one job → one asset. Plain data, shared by the store, the
// scheduler, the API and the notifications.
import type { JobEventSummary } from './event-summary.ts';
import type { SourceFacts } from './source-facts.ts';
import type { TrimRequest } from './trim-request.ts';

export const jobStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof jobStates)[number];

export const terminalStates: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

export const priorities = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof priorities)[number];

/** Higher runs first. Stored as this number so "ORDER BY priority DESC, seq" is the queue order. */
export const priorityWeight: Record<Priority, number> = { urgent: 3, high: 2, normal: 1, low: 0 };

export function priorityFromWeight(weight: number): Priority {
  const found = priorities.find((p) => priorityWeight[p] === weight);
  if (!found) throw new Error(`unknown priority weight ${weight}`);
  return found;
}

export const sourceKinds = ['nginx-rtmp', 'srs', 'mediamtx', 's3', 'generic', 'api', 'watch'] as const;
export type SourceKind = (typeof sourceKinds)[number];

/** What a job makes: an asset from a recording, or a clip of another job's asset. */
export const jobKinds = ['transcode', 'clip'] as const;
export type JobKind = (typeof jobKinds)[number];

/** A clip's range on its parent's timeline (seconds) and its title. */
export interface ClipRange {
  start: number;
  end: number;
  title?: string;
}

export interface JobError {
  message: string;
  /** The worker's exit code or a symbolic reason (`crashed`, `timeout`). */
  code: string;
  retryable: boolean;
  stderrTail?: string;
  /** The failing ffmpeg/ffprobe command, copy-pasteable. */
  command?: string;
}

export interface Job {
  id: string;
  /** Insertion order: FIFO within one priority. */
  seq: number;
  kind: JobKind;
  /** A clip's parent: the job whose asset it is cut from. */
  parentJobId?: string;
  /** A clip's range and title. */
  clip?: ClipRange;
  /** The trim asked for (auto or a range); absent: none, suggest only. */
  trim?: Exclude<TrimRequest, 'none'>;
  idempotencyKey: string;
  source: string;
  sourceKind: SourceKind;
  priority: Priority;
  state: JobState;
  /** 0–1 */
  progress: number;
  /** Attempts that counted towards maxAttempts (a preempted attempt does not count). */
  attempts: number;
  maxAttempts: number;
  /** The asset's location relative to the media root, e.g. `assets/<job id>`. */
  outputPrefix: string;
  /** Free-form facts from the intake: stream name, app, bucket, etag… */
  metadata: Record<string, string>;
  /** Typed facts about the recording from the intake (duration, size, codecs); `{}` when none. */
  sourceFacts: SourceFacts;
  playableAt?: string;
  /** The suggested trim and the chapter count of a succeeded job's asset, when its encode looked for them. */
  eventSummary?: JobEventSummary;
  error?: JobError;
  /** A queued job does not start before this time (retry backoff). */
  runAfter?: string;
  /** Which control-plane instance runs it, and until when its lease holds. */
  leaseOwner?: string;
  leaseExpiresAt?: string;
  cancelRequested: boolean;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
}

export type AttemptOutcome = 'succeeded' | 'failed' | 'preempted' | 'cancelled' | 'interrupted';

export interface Attempt {
  jobId: string;
  number: number;
  startedAt: string;
  finishedAt?: string;
  outcome?: AttemptOutcome;
  reason?: string;
  /** False for attempts that must not use up a retry (preemption, control-plane restart). */
  counts: boolean;
}

export interface JobEvent {
  id: number;
  jobId: string;
  at: string;
  type: string;
  data: Record<string, unknown>;
}

/** What an intake (webhook, API call, watch folder) asks for. */
export interface NewJob {
  /** Absent: a transcode. */
  kind?: JobKind;
  parentJobId?: string;
  clip?: ClipRange;
  /** The trim to apply when it succeeds; absent or none: suggest only. */
  trim?: TrimRequest | undefined;
  idempotencyKey: string;
  source: string;
  sourceKind: SourceKind;
  priority: Priority;
  metadata: Record<string, string>;
  sourceFacts?: SourceFacts;
  maxAttempts: number;
}

/** Every job's asset directory, relative to the media root or the storage output: `assets/<job id>`. */
export const assetsDirName = 'assets';
export function outputPrefixOf(jobId: string): string {
  return `${assetsDirName}/${jobId}`;
}
