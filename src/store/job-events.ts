// Events appended by the store's own state changes (besides those of finish-plan.ts), shared by
// both backends. `data` is JSON text, ready to bind.
import type { Job, NewJob } from '../jobs/job.ts';

export interface StoreEvent {
  type: string;
  data: string;
}

export function queuedEvent(input: NewJob): StoreEvent {
  return { type: 'job.queued', data: JSON.stringify({ priority: input.priority, source: input.source, sourceKind: input.sourceKind }) };
}

export function cancelledWhileQueuedEvent(job: Job): StoreEvent {
  return { type: 'job.cancelled', data: JSON.stringify({ attempts: job.attempts, maxAttempts: job.maxAttempts, reason: 'cancelled while queued' }) };
}

export function retriedEvent(job: Job): StoreEvent {
  return { type: 'job.retried', data: JSON.stringify({ from: job.state, previousAttempts: job.attempts }) };
}
