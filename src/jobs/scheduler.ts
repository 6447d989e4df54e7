// Moves jobs from the store to the executor: claims the next job whenever a slot is free,
// preempts a low-priority job for an urgent one, renews leases, and settles each attempt when its
// workers have exited. An attempt runs as one worker, or — chunked across workers — as a split,
// then its chunks and audio, then a stitch (src/jobs/attempt-units.ts): a free slot goes to the
// waiting unit of the highest-priority job, whether already running or still queued, so an urgent
// job's chunks go before a low job's, and preemption takes a low job's chunk (which runs again
// later) before anything else. It does not know which executor it talks to.
import type { Executor, StopReason, WorkerExit } from '../executors/executor.ts';
import type { AttemptResult, Store } from '../store/store.ts';
import type { BackoffPolicy } from './retry-policy.ts';
import { AttemptUnits, type ChunkChange, type Launchable } from './attempt-units.ts';
import type { JobEventSummary } from './event-summary.ts';
import { priorityWeight, type Job, type Priority } from './job.ts';
import type { JobChangeType, JobEvents } from './job-events.ts';
import { attemptResult } from './retry-policy.ts';
import type { ClipTask, FullTask } from './transcode-task.ts';
import type { WorkerReport } from './worker-report.ts';

export interface SchedulerOptions {
  store: Store;
  executor: Executor;
  events: JobEvents;
  /** This control-plane instance's identity in leases. */
  owner: string;
  leaseMs: number;
  backoff: BackoffPolicy;
  /** The job's whole-recording task (the stages of a chunked attempt are made from it), or a clip job's one task. */
  buildTask: (job: Job) => FullTask | ClipTask;
  /**
   * Whether an attempt is cut into chunks that run as separate workers (each in its own slot), and
   * for how many workers the split plans. Undefined: every attempt is one worker (which may still
   * chunk inside itself, by its task's `parallelism`).
   */
  chunkAcrossWorkers?: (job: Job) => { parallelism: number; wholeHere?: true } | undefined;
  tickMs?: number;
  now?: () => Date;
  log?: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
}

interface RunningJob {
  job: Job;
  units: AttemptUnits;
  /** What the asset's `done` report said of the event inside the recording: kept with the success. */
  eventSummary?: JobEventSummary;
  /** The probe's facts of this attempt are in the job's log (a split and the encode may both say). */
  sourceLogged?: true;
}

export class Scheduler {
  readonly #o: SchedulerOptions;
  readonly #running = new Map<string, RunningJob>();
  /** Units being stopped for an urgent job. */
  readonly #preempting = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #again = false;
  #stopped = false;
  readonly #settling = new Set<Promise<void>>();

  constructor(options: SchedulerOptions) {
    this.#o = options;
    options.executor.onExit((exit) => {
      const settled = this.#settle(exit).catch((error: unknown) => this.#log('warn', 'could not settle an attempt', { jobId: exit.jobId, error: String(error) }));
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
      .catch((error: unknown) => this.#log('warn', 'scheduler tick failed', { error: String(error) }))
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
    const entry = this.#running.get(jobId);
    if (entry) await this.#stopUnits(entry, 'cancel');
  }

  /** A report from a worker (progress, playable, failure details), already authenticated and parsed. */
  async onWorkerReport(jobId: string, report: WorkerReport, unit = 'full', attempt?: number): Promise<void> {
    const entry = this.#running.get(jobId);
    // A worker of an earlier attempt (a pod in its grace period) must not steer this one.
    if (!entry || (attempt !== undefined && attempt !== entry.job.attempts)) return;
    const now = this.#now();
    await this.#chunksChanged(entry, entry.units.onReport(unit, report, now.getTime()));
    // A split's layout may free work for idle slots.
    if (report.type === 'chunks') this.kick();
    if (entry.units.chunked) {
      // The job's progress is the sum over its chunks; the other units' own progress is not the job's.
      if (report.type === 'progress' && unit.startsWith('chunk-')) await this.#progress(entry, entry.units.progress(now.getTime()) ?? { progress: 0 });
      // Per-chunk steps would crowd the job's timeline.
      if (report.type === 'progress' || (report.type === 'step' && unit.startsWith('chunk-'))) return;
    }
    switch (report.type) {
      case 'progress':
        // Only the whole-recording worker's progress is the job's (a split's or audio's is not, but
        // for a split that encodes the recording whole itself: it has laid out no chunks).
        if (unit === 'full' || unit === 'split') await this.#progress(entry, { progress: report.percent / 100, ...(report.speed !== undefined ? { speed: report.speed } : {}), ...(report.etaSeconds !== undefined ? { etaSeconds: report.etaSeconds } : {}) });
        return;
      case 'playable': {
        const job = await this.#o.store.markPlayable(jobId, now);
        if (job) {
          entry.job = job;
          this.#publish('asset.playable', job, { playlist: report.playlist });
        }
        return;
      }
      // Kept by the attempt's units until the worker exits: the exit decides, the report explains.
      case 'failed':
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
      case 'done':
        // The asset's report (full or stitch) says what it found of the event; the exit settles.
        if (report.event) entry.eventSummary = report.event;
        return;
      case 'source': {
        if (entry.sourceLogged) return;
        // In the job's log, so its page shows the recording's duration, picture and frame rate while it runs.
        const { type: _type, ...facts } = report;
        const event = await this.#o.store.appendEvent(jobId, 'job.probed', facts, now);
        entry.sourceLogged = true;
        this.#publish('job.probed', entry.job, event.data);
        return;
      }
      // The plan and warnings go to the worker's log; a split's layout was read by the units;
      // success is settled by the worker's exit.
      case 'chunks':
      case 'plan':
      case 'warning':
        return;
      default: {
        const unknown: never = report;
        throw new Error(`unhandled worker report ${JSON.stringify(unknown)}`);
      }
    }
  }

  /**
   * Resolves once nothing is in progress here: no tick running or asked for, no exit being
   * settled. A tick or settle that starts another is waited for too. What an executor has not yet
   * reported, and the periodic tick that comes later, are not. Tests wait on it instead of sleeping
   * to show that something did not happen.
   */
  async idle(): Promise<void> {
    while (this.#ticking || this.#settling.size > 0) await Promise.allSettled([this.#ticking, ...this.#settling]);
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
      // A running job's waiting unit goes first, unless a queued job has a higher priority.
      const waiting = this.#nextWaitingUnit();
      const minPriority = waiting ? above(waiting.entry.job.priority) : undefined;
      const claimed = waiting && !minPriority ? undefined : await store.claimNext({ owner: this.#o.owner, now: this.#now(), leaseMs: this.#o.leaseMs, ...(minPriority ? { minPriority } : {}) });
      if (claimed) {
        const entry = this.#startAttempt(claimed);
        const first = entry.units.next();
        if (first && !(await this.#launch(entry, first))) break;
        continue;
      }
      if (!waiting || !(await this.#launch(waiting.entry, waiting.unit))) break;
    }
    await this.#preemptIfUrgentWaits();
  }

  #startAttempt(job: Job): RunningJob {
    const split = this.#o.chunkAcrossWorkers?.(job);
    const entry: RunningJob = { job, units: new AttemptUnits(this.#o.buildTask(job), { ...(split ? { split } : {}), groups: this.#o.executor.launchGroup !== undefined }) };
    this.#running.set(job.id, entry);
    this.#publish('job.started', job, { attempt: job.attempts });
    return entry;
  }

  /** The waiting unit of the highest-priority running job (the earliest job among equals). */
  #nextWaitingUnit(): { entry: RunningJob; unit: Launchable } | undefined {
    let best: { entry: RunningJob; unit: Launchable } | undefined;
    for (const entry of this.#running.values()) {
      const unit = entry.units.next();
      if (!unit) continue;
      if (!best || rank(entry.job) > rank(best.entry.job)) best = { entry, unit };
    }
    return best;
  }

  /** Starts a unit; false when the executor refused (the attempt is requeued if nothing of it runs). */
  async #launch(entry: RunningJob, unit: Launchable): Promise<boolean> {
    const { executor } = this.#o;
    const context = { priority: entry.job.priority, facts: entry.job.sourceFacts };
    await this.#chunksChanged(entry, entry.units.started(unit.key));
    try {
      if ('group' in unit) {
        if (!executor.launchGroup) throw new Error('this executor does not run indexed groups');
        await executor.launchGroup(unit.group, context);
      } else await executor.launch(unit.task, context);
      // Stopped (cancelled, failed elsewhere) while it was being launched: the stop did not find it yet.
      const ending = entry.units.ending;
      if (ending) await executor.stop(unit.key, ending.exit.stopReason ?? 'cancel');
      return true;
    } catch (error) {
      entry.units.notStarted(unit.key);
      const reason = `could not start a worker: ${String(error)}`;
      // The attempt ended (a sibling failed for good) while this launch was under way: settle that.
      if (entry.units.ending) await this.#stopUnits(entry, 'cancel');
      else if (entry.units.running().length === 0) {
        this.#running.delete(entry.job.id);
        await this.#finish(entry.job, { state: 'queued', outcome: 'interrupted', reason, runAfter: new Date(this.#now().getTime() + 5000) });
      } else this.#log('warn', reason, { jobId: entry.job.id, unit: unit.key });
      return false;
    }
  }

  /**
   * An urgent job that finds every slot busy takes the slot of a low-priority unit: a chunk first
   * (it runs again later and nothing else of its job is lost), the latest job's first.
   */
  async #preemptIfUrgentWaits(): Promise<void> {
    const { store, executor } = this.#o;
    if (executor.running().length < executor.capacity) return;
    // Only with a possible victim is the queue worth counting.
    const victims = [...this.#running.values()]
      .filter((r) => r.job.priority === 'low')
      .flatMap((r) => r.units.running().filter((unit) => !this.#preempting.has(unit)).map((unit) => ({ job: r.job, unit })))
      .sort((a, b) => Number(b.unit.includes('/chunk-')) - Number(a.unit.includes('/chunk-')) || b.job.seq - a.job.seq);
    const victim = victims[0];
    if (!victim) return;
    const runningUrgentWaits = [...this.#running.values()].filter((r) => r.job.priority === 'urgent' && r.units.next() !== undefined).length;
    const counts = runningUrgentWaits > this.#preempting.size ? [] : await store.countByStateAndPriority();
    const urgentWaiting = runningUrgentWaits + (counts.find((c) => c.state === 'queued' && c.priority === 'urgent')?.count ?? 0);
    if (urgentWaiting <= this.#preempting.size) return;
    this.#preempting.add(victim.unit);
    this.#log('info', 'preempting a low-priority worker for an urgent job', { jobId: victim.job.id, unit: victim.unit });
    await executor.stop(victim.unit, 'preempt');
  }

  async #renewLeases(now: Date): Promise<void> {
    const until = new Date(now.getTime() + this.#o.leaseMs);
    for (const [jobId, entry] of this.#running) {
      const ours = await this.#o.store.renewLease(jobId, this.#o.owner, until);
      if (!ours) await this.#stopUnits(entry, await this.#whyLost(jobId));
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

  /** A unit ended: the attempt goes on, or — once nothing of it runs any more — is settled. */
  async #settle(exit: WorkerExit): Promise<void> {
    this.#preempting.delete(exit.unit);
    const entry = this.#running.get(exit.jobId);
    if (!entry) {
      // Not ours to run (any more): settle what the store still holds of it.
      const job = await this.#o.store.getJob(exit.jobId);
      if (job) await this.#finish(job, attemptResult(job, exit, undefined, this.#o.backoff, this.#now()));
      return;
    }
    await this.#chunksChanged(entry, entry.units.onExit(exit));
    if (entry.units.ending) {
      // A unit failed for good, or the attempt was stopped: nothing else of it may go on.
      await this.#stopUnits(entry, exit.stopReason ?? 'cancel');
    } else if (exit.exitCode !== 0 && !exit.stopReason) {
      this.#log('warn', 'a unit of a chunked attempt failed; trying it again alone', { jobId: exit.jobId, unit: exit.unit, exitCode: exit.exitCode, signal: exit.signal });
    }
    this.kick();
  }

  /**
   * Ends the attempt: stops every running unit (their exits come back through #settle, the last
   * one settles it), or settles it now when none runs (all waiting: preempted, retrying, unlaunched).
   */
  async #stopUnits(entry: RunningJob, reason: StopReason): Promise<void> {
    entry.units.end({ exit: { unit: entry.job.id, jobId: entry.job.id, attempt: entry.job.attempts, exitCode: null, signal: 'SIGTERM', stopReason: reason, stderrTail: '' } });
    const running = entry.units.running();
    if (running.length > 0) {
      await Promise.all(running.map((unit) => this.#o.executor.stop(unit, reason)));
      return;
    }
    const ending = entry.units.ending;
    if (!ending || this.#running.get(entry.job.id) !== entry) return;
    this.#running.delete(entry.job.id);
    const result = attemptResult(entry.job, ending.exit, ending.failure, this.#o.backoff, this.#now());
    await this.#finish(entry.job, result.state === 'succeeded' && entry.eventSummary ? { ...result, event: entry.eventSummary } : result);
  }

  async #progress(entry: RunningJob, update: { progress: number; speed?: number; etaSeconds?: number }): Promise<void> {
    const progress = Math.min(1, Math.max(0, update.progress));
    await this.#o.store.setProgress(entry.job.id, progress, this.#now());
    entry.job = { ...entry.job, progress };
    // Speed and ETA are not stored: they only matter while someone watches (the dashboard).
    this.#publish('job.progress', entry.job, {
      progress,
      ...(update.speed !== undefined ? { speed: update.speed } : {}),
      ...(update.etaSeconds !== undefined ? { etaSeconds: update.etaSeconds } : {}),
    });
  }

  /** Chunk states go to the job's log, as a worker chunking inside itself reports them: the job page draws them. */
  async #chunksChanged(entry: RunningJob, changes: ChunkChange[]): Promise<void> {
    for (const change of changes) {
      const event = await this.#o.store.appendEvent(entry.job.id, 'job.chunk', { type: 'chunk', ...change }, this.#now());
      this.#publish('job.chunk', entry.job, event.data);
    }
  }

  async #finish(job: Job, result: AttemptResult): Promise<void> {
    const finished = await this.#o.store.finishAttempt(job.id, this.#o.owner, result, this.#now());
    if (!finished) return;
    // The stored state decides: a cancel requested meanwhile wins over a requeue.
    const type: JobChangeType = finished.state === 'succeeded' ? 'asset.ready' : finished.state === 'failed' ? 'job.failed' : finished.state === 'cancelled' ? 'job.cancelled' : 'job.requeued';
    this.#publish(type, finished, result.state === 'queued' ? { reason: result.reason } : {});
    // A failure is the operator's to look at; the other endings are the ordinary course.
    this.#log(finished.state === 'failed' ? 'warn' : 'info', `job ${finished.state}`, { jobId: job.id, attempt: job.attempts, ...(result.state === 'failed' ? { error: result.error.message } : {}) });
  }

  #publish(type: JobChangeType, job: Job, data: Record<string, unknown>): void {
    this.#o.events.emit({ type, job, at: this.#now().toISOString(), data });
  }

  #now(): Date {
    return this.#o.now?.() ?? new Date();
  }

  #log(level: 'info' | 'warn', message: string, fields: Record<string, unknown> = {}): void {
    this.#o.log?.(level, message, fields);
  }
}

/** Higher first: priority, then the earlier job. */
function rank(job: Job): number {
  return priorityWeight[job.priority] * 1e15 - job.seq;
}

/** The priority just above (none above urgent): only a queued job of it outranks this one's waiting work. */
function above(priority: Priority): Priority | undefined {
  return (Object.keys(priorityWeight) as Priority[]).find((p) => priorityWeight[p] === priorityWeight[priority] + 1);
}
