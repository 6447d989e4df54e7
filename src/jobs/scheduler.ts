// Moves jobs from the store to the executor: claims the next job whenever a slot is free,
// preempts a low-priority job for an urgent one, renews leases, and settles each attempt when its
// worker exits. It does not know which executor it talks to.
import type { Executor, StopReason, WorkerExit } from '../executors/executor.ts';
import type { AttemptResult, Store } from '../store/store.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { Job } from './job.ts';
import type { JobChangeType, JobEvents } from './job-events.ts';
import { attemptResult, type ReportedFailure } from './retry-policy.ts';
import type { TranscodeTask } from './transcode-task.ts';
import type { WorkerReport } from './worker-report.ts';

export interface SchedulerOptions {
  store: Store;
  executor: Executor;
  events: JobEvents;
  /** This control-plane instance's identity in leases. */
  owner: string;
  leaseMs: number;
  backoff: BackoffPolicy;
  buildTask: (job: Job) => TranscodeTask;
  tickMs?: number;
  now?: () => Date;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

interface RunningJob {
  job: Job;
  failure?: ReportedFailure;
}

export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #running = new Map<string, RunningJob>();
  readonly #preempting = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  readonly #settling = new Set<Promise<void>>();

  constructor(options: SchedulerOptions) {
    this.#o = options;
    options.executor.onExit((exit) => {
      const settled = this.#settle(exit).catch((error: unknown) => this.#log('could not settle an attempt', { jobId: exit.jobId, error: String(error) }));
      this.#settling.add(settled);
      void settled.finally(() => this.#settling.delete(settled));
    });
  }

  /** Starts ticking. `recoverAll`: every running job is orphaned (single-node store after a restart). */
  async start(options: { recoverAll: boolean }): Promise<void> {
    const now = this.#now();
    // With one control plane, nothing else can be running these jobs: take them back at once.
    const leasesBefore = options.recoverAll ? new Date(now.getTime() + 100 * 365 * 86_400_000) : now;
    for (const job of await this.#o.store.requeueExpired(now, { leasesBefore })) {
      this.#publish(job.state === 'cancelled' ? 'job.cancelled' : 'job.requeued', job, { reason: 'the control plane restarted' });
    }
    this.#timer = setInterval(() => this.kick(), this.#o.tickMs ?? 1000);
    this.kick();
  }

  /** Runs a tick soon; coalesces calls while one is in progress. */
  kick(): void {
    if (this.#stopped) return;
    if (this.#ticking) {
      this.#again = true;
      return;
    }
    this.#ticking = this.#tick()
      .catch((error: unknown) => this.#log('scheduler tick failed', { error: String(error) }))
      .finally(() => {
        this.#ticking = undefined;
        if (this.#again) {
          this.#again = false;
          this.kick();
        }
      });
  }

  /**
   * A new job was stored. A tick costs store queries, so a burst of webhooks must not cause one per
   * job: kick only when a slot is free or the job is urgent (it may preempt); the periodic tick
   * covers the rest.
   */
  jobQueued(job: Job): void {
    if (job.priority === 'urgent' || this.#o.executor.running().length < this.#o.executor.capacity) this.kick();
  }

  /** Stops claiming; running workers are stopped and their jobs requeued without losing an attempt. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#ticking;
    await this.#o.executor.close();
    await Promise.all([...this.#settling]);
  }

  /** Called by the API after the store recorded a cancel request for a running job. */
  async cancel(jobId: string): Promise<void> {
    if (this.#running.has(jobId)) await this.#o.executor.stop(jobId, 'cancel');
  }

  /** A report from a worker (progress, playable, failure details), already authenticated and parsed. */
  async onWorkerReport(jobId: string, report: WorkerReport): Promise<void> {
    const entry = this.#running.get(jobId);
    if (!entry) return;
    const now = this.#now();
    switch (report.type) {
      case 'progress': {
        const progress = Math.min(1, Math.max(0, report.percent / 100));
        await this.#o.store.setProgress(jobId, progress, now);
        entry.job = { ...entry.job, progress };
        // Speed and ETA are not stored: they only matter while someone watches (the dashboard).
        this.#publish('job.progress', entry.job, {
          progress,
          ...(report.speed !== undefined ? { speed: report.speed } : {}),
          ...(report.etaSeconds !== undefined ? { etaSeconds: report.etaSeconds } : {}),
        });
        return;
      }
      case 'playable': {
        const job = await this.#o.store.markPlayable(jobId, now);
        if (job) {
          entry.job = job;
          this.#publish('asset.playable', job, { playlist: report.playlist });
        }
        return;
      }
      case 'failed':
        // Kept until the worker exits: the exit decides the attempt, the report explains it.
        entry.failure = {
          message: report.message, exitCode: report.exitCode, retryable: report.retryable,
          ...(report.stderrTail ? { stderrTail: report.stderrTail } : {}),
          ...(report.command ? { command: report.command } : {}),
        };
        return;
      case 'step': {
        const event = await this.#o.store.appendEvent(jobId, 'job.step', { ...report }, now);
        // Published too, so a job's page shows step timings as they happen.
        this.#publish('job.step', entry.job, event.data);
        return;
      }
      case 'chunk': {
        // Kept in the job's log: the job page draws each chunk's last state.
        const event = await this.#o.store.appendEvent(jobId, 'job.chunk', { ...report }, now);
        this.#publish('job.chunk', entry.job, event.data);
        return;
      }
      // The plan and warnings go to the worker's log; success is settled by the worker's exit.
      case 'plan':
      case 'warning':
      case 'done':
        return;
      default: {
        const unknown: never = report;
        throw new Error(`unhandled worker report ${JSON.stringify(unknown)}`);
      }
    }
  }

  isRunning(jobId: string): boolean {
    return this.#running.has(jobId);
  }

  async #tick(): Promise<void> {
    const { store, executor } = this.#o;
    const now = this.#now();
    await this.#renewLeases(now);
    for (const job of await store.requeueExpired(now)) this.#publish(job.state === 'cancelled' ? 'job.cancelled' : 'job.requeued', job, { reason: 'its lease expired' });

    while (!this.#stopped && executor.running().length < executor.capacity) {
      const job = await store.claimNext({ owner: this.#o.owner, now: this.#now(), leaseMs: this.#o.leaseMs });
      if (!job) break;
      this.#running.set(job.id, { job });
      this.#publish('job.started', job, { attempt: job.attempts });
      try {
        await executor.launch(this.#o.buildTask(job), { priority: job.priority, facts: job.sourceFacts });
      } catch (error) {
        this.#running.delete(job.id);
        await this.#finish(job, { state: 'queued', outcome: 'interrupted', reason: `could not start a worker: ${String(error)}`, runAfter: new Date(this.#now().getTime() + 5000) });
        break;
      }
    }
    await this.#preemptIfUrgentWaits();
  }

  /** An urgent job that finds every slot busy takes the slot of a running low-priority job. */
  async #preemptIfUrgentWaits(): Promise<void> {
    const { store, executor } = this.#o;
    if (executor.running().length < executor.capacity) return;
    // Only with a possible victim is the queue worth counting.
    const victim = [...this.#running.values()]
      .filter((r) => r.job.priority === 'low' && !this.#preempting.has(r.job.id))
      .sort((a, b) => b.job.seq - a.job.seq)[0];
    if (!victim) return;
    const counts = await store.countByStateAndPriority();
    const urgentWaiting = counts.find((c) => c.state === 'queued' && c.priority === 'urgent')?.count ?? 0;
    if (urgentWaiting <= this.#preempting.size) return;
    this.#preempting.add(victim.job.id);
    this.#log('preempting a low-priority job for an urgent one', { jobId: victim.job.id });
    await executor.stop(victim.job.id, 'preempt');
  }

  async #renewLeases(now: Date): Promise<void> {
    const until = new Date(now.getTime() + this.#o.leaseMs);
    for (const [jobId] of this.#running) {
      const ours = await this.#o.store.renewLease(jobId, this.#o.owner, until);
      if (!ours) await this.#o.executor.stop(jobId, await this.#whyLost(jobId));
    }
  }

  /**
   * A renewal refused: the job was cancelled (possibly through another instance) — stop the
   * worker — or it is no longer ours (the lease ran out, another instance requeued or claimed it)
   * — where the executor can, the worker is left to the instance that adopts it, which also
   * handles a cancel asked for since.
   */
  async #whyLost(jobId: string): Promise<StopReason> {
    const job = await this.#o.store.getJob(jobId);
    if (!job || job.state === 'cancelled') return 'cancel';
    return job.cancelRequested && job.leaseOwner === this.#o.owner ? 'cancel' : 'lease-lost';
  }

  async #settle(exit: WorkerExit): Promise<void> {
    const entry = this.#running.get(exit.jobId);
    this.#running.delete(exit.jobId);
    this.#preempting.delete(exit.jobId);
    const job = entry?.job ?? (await this.#o.store.getJob(exit.jobId));
    if (!job) return;
    await this.#finish(job, attemptResult(job, exit, entry?.failure, this.#o.backoff, this.#now()));
    this.kick();
  }

  async #finish(job: Job, result: AttemptResult): Promise<void> {
    const finished = await this.#o.store.finishAttempt(job.id, this.#o.owner, result, this.#now());
    if (!finished) return;
    // The stored state decides: a cancel requested meanwhile wins over a requeue.
    const type: JobChangeType = finished.state === 'succeeded' ? 'asset.ready' : finished.state === 'failed' ? 'job.failed' : finished.state === 'cancelled' ? 'job.cancelled' : 'job.requeued';
    this.#publish(type, finished, result.state === 'queued' ? { reason: result.reason } : {});
    this.#log(`job ${finished.state}`, { jobId: job.id, attempt: job.attempts, ...(result.state === 'failed' ? { error: result.error.message } : {}) });
  }

  #publish(type: JobChangeType, job: Job, data: Record<string, unknown>): void {
    this.#o.events.emit({ type, job, at: this.#now().toISOString(), data });
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }

  #log(message: string, fields: Record<string, unknown> = {}): void {
    this.#o.log?.(message, fields);
  }
}
