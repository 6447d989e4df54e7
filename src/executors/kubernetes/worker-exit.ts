// Turns a finished worker Job (and its last failed pod) into the WorkerExit the scheduler settles,
// so its retry policy decides as it does for local workers: exit 0 succeeds; the permanent codes
// (2, 3, 5) fail at once; a crash, an OOM kill or a deadline retries; a disruption requeues
// without using an attempt — unless the Job ran out of its deadline, whatever its last pod saw.
// An Indexed Job (all chunks of an attempt) ends once: its exit names the indexes that failed for
// good (status.failedIndexes) and, from their last pod, why.
// Pure.
import type { WorkerExit } from '../executor.ts';
import { exitCodeFromMessage, jobPhase, parseIndexSet, type ObservedJob, type PodFailure } from '../../k8s/job-status.ts';

/** Which unit of which attempt a Job runs (src/jobs/work-unit.ts). */
export interface UnitRef {
  unit: string;
  jobId: string;
  attempt: number;
}

const maxTail = 4000;

export function finishedJobExit(ref: UnitRef, job: ObservedJob, failure: PodFailure | undefined): WorkerExit {
  const name = job.metadata?.name ?? '(unnamed)';
  const phase = jobPhase(job);
  const indexed = job.spec?.completionMode === 'Indexed';
  const ended = phase.phase === 'failed' ? `Job ${name} failed: ${phase.reason}${phase.message ? `: ${phase.message}` : ''}` : '';
  const failedIndexes = indexed && phase.phase === 'failed' ? readFailedIndexes(job) : undefined;
  const base = {
    unit: ref.unit, jobId: ref.jobId, attempt: ref.attempt,
    ...(failedIndexes && !('unreadable' in failedIndexes) ? { failedIndexes: failedIndexes.indexes } : {}),
  };
  if (phase.phase === 'succeeded') return { ...base, exitCode: 0, signal: null, stderrTail: '' };
  if (phase.phase !== 'failed') throw new Error(`Job ${name} has not finished (${phase.phase})`);

  const podLine = failure ? describePod(failure) : undefined;
  const chunksLine = failedIndexes ? describeIndexes(job, failedIndexes) : undefined;
  const tail = [podLine, chunksLine, ended].filter(Boolean).join('\n').slice(-maxTail);

  // Before the disruption check: a Job out of time whose last pod was also disrupted would
  // otherwise go back to the queue for free, and could run into its deadline forever.
  if (phase.reason === 'DeadlineExceeded') {
    return { ...base, exitCode: null, signal: 'SIGKILL', stderrTail: `${tail}\nthe Job ran longer than its activeDeadlineSeconds (executor.deadline)` };
  }
  if (failure?.disruption) {
    // Kubernetes took the pod away (preemption, eviction, spot reclaim): not the work's fault.
    return { ...base, exitCode: null, signal: 'SIGTERM', stopReason: 'preempt', stderrTail: tail };
  }
  if (failure?.reason === 'OOMKilled') {
    return { ...base, exitCode: null, signal: 'SIGKILL', stderrTail: `${tail}\nthe worker was OOM-killed: raise executor.resources.limits.memory` };
  }
  const exitCode = (phase.reason === 'PodFailurePolicy' ? exitCodeFromMessage(phase.message) : undefined) ?? failure?.exitCode ?? 1;
  // A failed Job never reports 0, whatever a pod said.
  return { ...base, exitCode: exitCode === 0 ? 1 : exitCode, signal: null, stderrTail: tail };
}

/** An Indexed Job's failed indexes (status.failedIndexes), or why they cannot be read. */
export function readFailedIndexes(job: ObservedJob): { indexes: number[] } | { unreadable: string } {
  try {
    return { indexes: parseIndexSet(job.status?.failedIndexes) };
  } catch (error) {
    return { unreadable: (error as Error).message };
  }
}

function describeIndexes(job: ObservedJob, failed: { indexes: number[] } | { unreadable: string }): string {
  const completions = job.spec?.completions ?? 0;
  let completed: number;
  try {
    completed = parseIndexSet(job.status?.completedIndexes).length;
  } catch {
    completed = job.status?.succeeded ?? 0;
  }
  const which = 'unreadable' in failed ? `status.failedIndexes unreadable: ${failed.unreadable}` : `failed chunks: ${failed.indexes.join(', ') || 'none'}`;
  return `${completed} of ${completions} chunks completed; ${which}`;
}

function describePod(failure: PodFailure): string {
  const parts = [`pod ${failure.pod}${failure.index !== undefined ? ` (chunk ${failure.index})` : ''}`];
  if (failure.exitCode !== undefined) parts.push(`exited with code ${failure.exitCode}`);
  if (failure.reason) parts.push(`(${failure.reason})`);
  if (failure.disruption) parts.push(`was disrupted: ${failure.disruption.reason}${failure.disruption.message ? ` — ${failure.disruption.message}` : ''}`);
  return `${parts.join(' ')}${failure.message ? `\n${failure.message}` : ''}`;
}

/** A worker Job that vanished while live2vod still waited for it (deleted by someone else). */
export function vanishedJobExit(ref: UnitRef, name: string): WorkerExit {
  return { unit: ref.unit, jobId: ref.jobId, attempt: ref.attempt, exitCode: null, signal: 'SIGKILL', stderrTail: `the Kubernetes Job ${name} was deleted outside live2vod before it finished` };
}
