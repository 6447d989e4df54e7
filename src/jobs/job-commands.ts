// What a caller may ask of an existing job: cancel it, retry it, change its priority. Creation is
// IntakeService's; this is the rest, in one place for the API, the dashboard (through the API) and
// any future CLI: change the store, announce the change, wake the scheduler.
import type { Store } from '../store/store.ts';
import type { Job, Priority } from './job.ts';
import type { JobEvents } from './job-events.ts';
import type { Scheduler } from './scheduler.ts';

export interface JobCommandsOptions {
  store: Store;
  events: JobEvents;
  scheduler: Pick<Scheduler, 'cancel' | 'kick'>;
  now?: () => Date;
}

/** Why a command was not carried out; `message` says it in words a caller can act on. */
export type CommandRefusal = 'not_found' | 'not_cancellable' | 'not_retryable' | 'not_queued';

export type CommandOutcome = { ok: true; job: Job } | { ok: false; refusal: CommandRefusal; message: string };

export class JobCommands {
  readonly #o: JobCommandsOptions;
  readonly #now: () => Date;

  constructor(options: JobCommandsOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => new Date());
  }

  /** A queued job is cancelled at once; a running one is stopped by the scheduler. */
  async cancel(id: string): Promise<CommandOutcome> {
    const job = await this.#o.store.getJob(id);
    if (!job) return notFound(id);
    if (job.state === 'succeeded' || job.state === 'failed' || job.state === 'cancelled') {
      return { ok: false, refusal: 'not_cancellable', message: `the job is already ${job.state}` };
    }
    const now = this.#now();
    const updated = await this.#o.store.requestCancel(job.id, now);
    if (!updated) return notFound(id);
    if (updated.state === 'running') await this.#o.scheduler.cancel(job.id);
    else if (updated.state === 'cancelled' && job.state === 'queued') this.#o.events.emit({ type: 'job.cancelled', job: updated, at: now.toISOString() });
    // The scheduler may have moved it on while stopping the worker: answer with what is stored now.
    return { ok: true, job: (await this.#o.store.getJob(job.id)) ?? updated };
  }

  /** A failed or cancelled job goes back to the queue. */
  async retry(id: string): Promise<CommandOutcome> {
    const job = await this.#o.store.getJob(id);
    if (!job) return notFound(id);
    const now = this.#now();
    const updated = await this.#o.store.retry(job.id, now);
    if (!updated) return { ok: false, refusal: 'not_retryable', message: `a ${job.state} job cannot be retried; only failed or cancelled jobs can` };
    this.#o.events.emit({ type: 'job.queued', job: updated, at: now.toISOString() });
    this.#o.scheduler.kick();
    return { ok: true, job: updated };
  }

  /** Only while queued: a running job keeps the slot it has. */
  async setPriority(id: string, priority: Priority): Promise<CommandOutcome> {
    const job = await this.#o.store.getJob(id);
    if (!job) return notFound(id);
    const now = this.#now();
    const updated = await this.#o.store.setPriority(job.id, priority, now);
    if (!updated) return { ok: false, refusal: 'not_queued', message: `the priority can only change while the job is queued; it is ${job.state}` };
    this.#o.events.emit({ type: 'job.updated', job: updated, at: now.toISOString() });
    this.#o.scheduler.kick();
    return { ok: true, job: updated };
  }
}

function notFound(id: string): CommandOutcome {
  return { ok: false, refusal: 'not_found', message: `no job ${id}` };
}
