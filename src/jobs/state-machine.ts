// Which state changes are allowed. Pure; the store refuses anything else.
import type { JobState } from './job.ts';

const allowed: Record<JobState, readonly JobState[]> = {
  // queued → running when claimed; → cancelled on cancel; → failed when it cannot even start.
  queued: ['running', 'cancelled', 'failed'],
  // running → queued on a retry, a preemption or a control-plane restart.
  running: ['succeeded', 'failed', 'cancelled', 'queued'],
  succeeded: [],
  // A failed or cancelled job may be retried by hand.
  failed: ['queued'],
  cancelled: ['queued'],
};

export function canTransition(from: JobState, to: JobState): boolean {
  return allowed[from].includes(to);
}

export function assertTransition(from: JobState, to: JobState): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
}

export class InvalidTransitionError extends Error {
  readonly from: JobState;
  readonly to: JobState;
  constructor(from: JobState, to: JobState) {
    super(`a ${from} job cannot become ${to}`);
    this.name = 'InvalidTransitionError';
    this.from = from;
    this.to = to;
  }
}
