// Decides what a worker's exit means for its job. Pure.
import { ExitCode } from '../errors/index.ts';
import type { WorkerExit } from '../executors/executor.ts';
import type { AttemptResult } from '../store/store.ts';
import { backoffDelayMs, equalJitter } from '../retry/backoff.ts';
import type { Job, JobError } from './job.ts';

/** Exponential from baseMs, capped at maxMs; equal jitter, so a retry never comes at once. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** Exit codes that a retry cannot fix. */
const permanentExitCodes = new Set<number>([ExitCode.badInput, ExitCode.usage, ExitCode.environment]);

export interface ReportedFailure {
  message: string;
  exitCode: number;
  retryable: boolean;
  stderrTail?: string;
  command?: string;
}

export function attemptResult(job: Job, exit: WorkerExit, reported: ReportedFailure | undefined, policy: BackoffPolicy, now: Date, random?: () => number): AttemptResult {
  switch (exit.stopReason) {
    case 'cancel':
      return { state: 'cancelled', reason: 'cancelled on request' };
    case 'preempt':
      return { state: 'queued', outcome: 'preempted', reason: 'preempted by an urgent job', runAfter: now };
    case 'shutdown':
      return { state: 'queued', outcome: 'interrupted', reason: 'the control plane shut down', runAfter: now };
    case 'lease-lost':
      // The store refuses it anyway (another owner holds the job); said for completeness.
      return { state: 'queued', outcome: 'interrupted', reason: 'another control plane took the job over', runAfter: now };
    default:
      break;
  }
  if (exit.exitCode === 0) return { state: 'succeeded' };

  const error = describeFailure(exit, reported);
  if (!error.retryable) return { state: 'failed', error };
  if (job.attempts >= job.maxAttempts) {
    return { state: 'failed', error: { ...error, message: `${error.message} (attempt ${job.attempts} of ${job.maxAttempts}; giving up)` } };
  }
  const runAfter = new Date(now.getTime() + backoffDelayMs(job.attempts, { ...policy, jitter: equalJitter }, random));
  return { state: 'queued', outcome: 'failed', reason: `${error.message} (attempt ${job.attempts} of ${job.maxAttempts}; retrying)`, runAfter, error };
}

export function describeFailure(exit: WorkerExit, reported: ReportedFailure | undefined): JobError {
  if (reported) {
    const error: JobError = { message: reported.message, code: `exit-${reported.exitCode}`, retryable: reported.retryable && !permanentExitCodes.has(reported.exitCode) };
    if (reported.stderrTail) error.stderrTail = reported.stderrTail;
    if (reported.command) error.command = reported.command;
    return error;
  }
  // The worker died without saying why: a crash (signal, OOM kill) is worth another try.
  const code = exit.exitCode ?? -1;
  const error: JobError = {
    message: exit.signal ? `the worker was killed by ${exit.signal}` : `the worker exited with code ${code}`,
    code: exit.signal ? 'crashed' : `exit-${code}`,
    retryable: !permanentExitCodes.has(code),
  };
  if (exit.stderrTail) error.stderrTail = exit.stderrTail;
  return error;
}
