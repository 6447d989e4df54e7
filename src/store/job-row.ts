// Row → Job / Attempt / JobEvent, shared by both backends (column names are the same in both
// schemas). Absent values are left out of the objects rather than set to undefined, so jobs read
// from either backend compare equal.
import { jobKinds, jobStates, priorityFromWeight, sourceKinds } from '../jobs/job.ts';
import type { Attempt, AttemptOutcome, ClipRange, Job, JobError, JobEvent, JobKind, JobState, SourceKind } from '../jobs/job.ts';
import { isRecord } from '../is-record.ts';
import { eventSummarySchema } from '../jobs/event-summary.ts';
import { trimRequestSchema } from '../jobs/trim-request.ts';
import { sourceFactsFromStored } from '../jobs/source-facts.ts';
import { bool, iso, json, num, optIso, optText, text } from './row-values.ts';
import type { Row } from './row-values.ts';

const outcomes: readonly AttemptOutcome[] = ['succeeded', 'failed', 'preempted', 'cancelled', 'interrupted'];

function oneOf<T extends string>(allowed: readonly T[], value: string, what: string): T {
  const found = allowed.find((candidate) => candidate === value);
  if (found === undefined) throw new Error(`store: unknown ${what} ${value}`);
  return found;
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const [key, entry] of Object.entries(value)) if (typeof entry === 'string') out[key] = entry;
  return out;
}

function jobError(value: unknown): JobError | undefined {
  if (!isRecord(value)) return undefined;
  const { message, code, retryable, stderrTail, command } = value;
  const error: JobError = { message: String(message), code: String(code), retryable: retryable === true };
  if (typeof stderrTail === 'string') error.stderrTail = stderrTail;
  if (typeof command === 'string') error.command = command;
  return error;
}

function clipRange(value: unknown): ClipRange | undefined {
  if (!isRecord(value) || typeof value.start !== 'number' || typeof value.end !== 'number') return undefined;
  return { start: value.start, end: value.end, ...(typeof value.title === 'string' ? { title: value.title } : {}) };
}

export function jobFromRow(row: Row): Job {
  const job: Job = {
    id: text(row, 'id'),
    seq: num(row, 'seq'),
    kind: oneOf<JobKind>(jobKinds, text(row, 'kind'), 'job kind'),
    idempotencyKey: text(row, 'idempotency_key'),
    source: text(row, 'source'),
    sourceKind: oneOf<SourceKind>(sourceKinds, text(row, 'source_kind'), 'source kind'),
    priority: priorityFromWeight(num(row, 'priority')),
    state: oneOf<JobState>(jobStates, text(row, 'state'), 'job state'),
    progress: num(row, 'progress'),
    attempts: num(row, 'attempts'),
    maxAttempts: num(row, 'max_attempts'),
    outputPrefix: text(row, 'output_prefix'),
    metadata: stringRecord(json(row, 'metadata')),
    sourceFacts: sourceFactsFromStored(json(row, 'source_facts')),
    cancelRequested: bool(row, 'cancel_requested'),
    createdAt: iso(row, 'created_at'),
    updatedAt: iso(row, 'updated_at'),
  };
  const parentJobId = optText(row, 'parent_job_id');
  if (parentJobId !== undefined) job.parentJobId = parentJobId;
  const clip = clipRange(json(row, 'clip'));
  if (clip) job.clip = clip;
  // A stored trim this version cannot read is left out (none), not fatal.
  const storedTrim = json(row, 'trim');
  const trim = trimRequestSchema.safeParse(isRecord(storedTrim) ? storedTrim.request : undefined);
  if (trim.success && trim.data !== 'none') job.trim = trim.data;
  const error = jobError(json(row, 'error'));
  if (error) job.error = error;
  // A stored summary this version cannot read (written by a newer one) is left out, not fatal.
  const eventSummary = eventSummarySchema.safeParse(json(row, 'event_summary'));
  if (eventSummary.success) job.eventSummary = eventSummary.data;
  const playableAt = optIso(row, 'playable_at');
  if (playableAt !== undefined) job.playableAt = playableAt;
  const runAfter = optIso(row, 'run_after');
  if (runAfter !== undefined) job.runAfter = runAfter;
  const leaseOwner = optText(row, 'lease_owner');
  if (leaseOwner !== undefined) job.leaseOwner = leaseOwner;
  const leaseExpiresAt = optIso(row, 'lease_expires_at');
  if (leaseExpiresAt !== undefined) job.leaseExpiresAt = leaseExpiresAt;
  const startedAt = optIso(row, 'started_at');
  if (startedAt !== undefined) job.startedAt = startedAt;
  const finishedAt = optIso(row, 'finished_at');
  if (finishedAt !== undefined) job.finishedAt = finishedAt;
  return job;
}

export function attemptFromRow(row: Row): Attempt {
  const attempt: Attempt = {
    jobId: text(row, 'job_id'),
    number: num(row, 'number'),
    startedAt: iso(row, 'started_at'),
    counts: bool(row, 'counts'),
  };
  const finishedAt = optIso(row, 'finished_at');
  if (finishedAt !== undefined) attempt.finishedAt = finishedAt;
  const outcome = optText(row, 'outcome');
  if (outcome !== undefined) attempt.outcome = oneOf(outcomes, outcome, 'attempt outcome');
  const reason = optText(row, 'reason');
  if (reason !== undefined) attempt.reason = reason;
  return attempt;
}

export function eventFromRow(row: Row): JobEvent {
  const data = json(row, 'data');
  return {
    id: num(row, 'id'),
    jobId: text(row, 'job_id'),
    at: iso(row, 'at'),
    type: text(row, 'type'),
    data: isRecord(data) ? data : {},
  };
}
