// What ending an attempt does to a job, decided once for both backends: the job's new column
// values, how the attempt is recorded and which event is appended. Pure.
import type { AttemptOutcome, Job, JobState } from '../jobs/job.ts';
import { assertTransition } from '../jobs/state-machine.ts';
import type { AttemptResult } from './store.ts';

export interface FinishPlan {
  state: JobState;
  progress: number;
  attempts: number;
  /** JSON text of the JobError, or null. */
  error: string | null;
  /** JSON text of the JobEventSummary, or null: set by a success, kept otherwise. */
  eventSummary: string | null;
  runAfter: string | null;
  finishedAt: string | null;
  at: string;
  attempt: { outcome: AttemptOutcome; reason: string | null; counts: boolean };
  /** `data` is JSON text. */
  event: { type: string; data: string };
}

/** Only the control plane holding the lease of a running job may end its attempt. */
export function holdsLease(job: Job, owner: string): boolean {
  return job.state === 'running' && job.leaseOwner === owner;
}

export function planFinish(job: Job, result: AttemptResult, now: Date): FinishPlan {
  // A cancel asked for while the job ran wins over putting it back in the queue.
  const effective: AttemptResult =
    result.state === 'queued' && job.cancelRequested ? { state: 'cancelled', reason: 'cancel requested' } : result;
  assertTransition(job.state, effective.state);
  const at = now.toISOString();
  const base = { progress: job.progress, attempts: job.attempts, eventSummary: jsonOrNull(job.eventSummary), runAfter: null, finishedAt: at, at };
  const counted = { attempts: job.attempts, maxAttempts: job.maxAttempts };

  switch (effective.state) {
    case 'succeeded':
      return {
        ...base,
        state: 'succeeded',
        progress: 1,
        error: null,
        eventSummary: jsonOrNull(effective.event),
        attempt: { outcome: 'succeeded', reason: null, counts: true },
        event: { type: 'job.succeeded', data: JSON.stringify(counted) },
      };
    case 'failed':
      return {
        ...base,
        state: 'failed',
        error: JSON.stringify(effective.error),
        attempt: { outcome: 'failed', reason: effective.error.message, counts: true },
        event: { type: 'job.failed', data: JSON.stringify({ ...counted, error: effective.error }) },
      };
    case 'cancelled':
      return {
        ...base,
        state: 'cancelled',
        error: jsonOrNull(job.error),
        attempt: { outcome: 'cancelled', reason: effective.reason, counts: true },
        event: { type: 'job.cancelled', data: JSON.stringify({ ...counted, reason: effective.reason }) },
      };
    case 'queued': {
      // A preempted or interrupted attempt gives its retry back; a failed one uses it up.
      const counts = effective.outcome === 'failed';
      const attempts = counts ? job.attempts : Math.max(0, job.attempts - 1);
      const error = effective.error ?? job.error;
      const runAfter = effective.runAfter.toISOString();
      const data = { attempts, maxAttempts: job.maxAttempts, outcome: effective.outcome, reason: effective.reason, runAfter, ...(effective.error ? { error: effective.error } : {}) };
      return {
        ...base,
        state: 'queued',
        progress: 0,
        attempts,
        error: jsonOrNull(error),
        runAfter,
        finishedAt: null,
        attempt: { outcome: effective.outcome, reason: effective.reason, counts },
        event: { type: 'job.requeued', data: JSON.stringify(data) },
      };
    }
  }
}

function jsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
