// A FakeExecutor (named so: it records launches and stops, and the test ends its "workers" with
// exit codes; with `groups` it also runs indexed groups as one unit, as Kubernetes does) and a
// Scheduler rig around it with a real SQLite store and a controllable clock.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Executor, StopReason, WorkerExit } from '../../src/executors/executor.ts';
import type { Job, Priority } from '../../src/jobs/job.ts';
import { JobEvents, type JobChange } from '../../src/jobs/job-events.ts';
import { Scheduler, type SchedulerOptions } from '../../src/jobs/scheduler.ts';
import { defaultSourceFetch } from '../../src/jobs/source-fetch.ts';
import { parseSourceLocation } from '../../src/jobs/source-location.ts';
import { transcodeProfileSchema, type ChunkTask, type TranscodeTask } from '../../src/jobs/transcode-task.ts';
import { chunkGroupKey, unitKey } from '../../src/jobs/work-unit.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { makeTemp, waitFor } from './serve.ts';

/** A fake executor: no processes. Launches and stops are recorded; `exit` ends a "worker". */
export class FakeExecutor implements Executor {
  readonly kind = 'fake';
  readonly capacity: number;
  readonly launches: TranscodeTask[] = [];
  readonly stops: { unit: string; reason: StopReason }[] = [];
  /** When false, stop() records the request and the test decides when the worker exits. */
  exitOnStop = true;
  readonly #running = new Map<string, { task: TranscodeTask; stopReason?: StopReason }>();
  readonly #listeners: ((exit: WorkerExit) => void)[] = [];

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  running(): string[] {
    return [...this.#running.keys()];
  }

  async launch(task: TranscodeTask): Promise<void> {
    this.#start(unitKey(task), task);
    this.launches.push(task);
  }

  protected startGroup(tasks: ChunkTask[]): void {
    const first = tasks[0];
    assert.ok(first, 'an empty group');
    this.#start(chunkGroupKey(first.jobId), first);
  }

  #start(unit: string, task: TranscodeTask): void {
    if (this.#running.has(unit)) throw new Error(`${unit} is already running here`);
    if (this.#running.size >= this.capacity) throw new Error('no free worker slot');
    this.#running.set(unit, { task });
  }

  async stop(unit: string, reason: StopReason): Promise<void> {
    const entry = this.#running.get(unit);
    if (!entry) return;
    this.stops.push({ unit, reason });
    entry.stopReason ??= reason;
    if (this.exitOnStop) this.exit(unit, null, 'SIGTERM');
  }

  onExit(listener: (exit: WorkerExit) => void): void {
    this.#listeners.push(listener);
  }

  async close(): Promise<void> {
    await Promise.all(this.running().map((id) => this.stop(id, 'shutdown')));
  }

  /** Ends a running worker (a unit key: the job id for a whole-recording worker) as if its process exited. */
  exit(unit: string, exitCode: number | null, signal: string | null = null): void {
    const entry = this.#running.get(unit);
    assert.ok(entry, `${unit} is not running in the FakeExecutor`);
    this.#running.delete(unit);
    const exit: WorkerExit = { unit, jobId: entry.task.jobId, attempt: entry.task.attempt, exitCode, signal, stderrTail: exitCode === 0 ? '' : 'fake stderr' };
    if (entry.stopReason) exit.stopReason = entry.stopReason;
    for (const listener of this.#listeners) listener(exit);
  }
}

/** A FakeExecutor that runs all chunks of an attempt as one indexed group, as the Kubernetes executor does. */
export class FakeGroupExecutor extends FakeExecutor {
  readonly groups: ChunkTask[][] = [];

  async launchGroup(tasks: ChunkTask[]): Promise<void> {
    this.startGroup(tasks);
    this.groups.push(tasks);
  }
}

const profile = transcodeProfileSchema.parse({});

export interface Rig {
  store: Store;
  executor: FakeExecutor;
  scheduler: Scheduler;
  changes: JobChange[];
  /** What the scheduler logged, with its level. */
  logs: { level: 'info' | 'warn'; message: string }[];
  clock: { ms: number };
  add(priority: Priority, options?: { maxAttempts?: number }): Promise<Job>;
  waitForState(id: string, state: Job['state']): Promise<Job>;
  waitForLaunches(count: number): Promise<TranscodeTask[]>;
}

let rigs = 0;

export async function rig(t: TestContext, options: { capacity?: number; owner?: string; store?: Store; baseMs?: number; chunkAcrossWorkers?: SchedulerOptions['chunkAcrossWorkers']; groups?: boolean } = {}): Promise<Rig> {
  const dir = await makeTemp('live2vod-scheduler-');
  const store = options.store ?? await openSqliteStore(path.join(dir, 'live2vod.db'));
  const executor = options.groups ? new FakeGroupExecutor(options.capacity ?? 1) : new FakeExecutor(options.capacity ?? 1);
  const events = new JobEvents();
  const changes: JobChange[] = [];
  events.subscribe((change) => changes.push(change));
  const clock = { ms: Date.now() };
  const logs: Rig['logs'] = [];
  const scheduler = new Scheduler({
    log: (level, message) => logs.push({ level, message }),
    store, executor, events,
    owner: options.owner ?? `test-${++rigs}`,
    leaseMs: 60_000,
    backoff: { baseMs: options.baseMs ?? 10_000, maxMs: 60_000 },
    tickMs: 50,
    now: () => new Date(clock.ms),
    ...(options.chunkAcrossWorkers ? { chunkAcrossWorkers: options.chunkAcrossWorkers } : {}),
    buildTask: (job) => ({ version: 2, stage: 'full', jobId: job.id, attempt: job.attempts, source: parseSourceLocation(job.source), output: `/tmp/out/${job.id}`, profile, sourceFetch: defaultSourceFetch }),
  });
  let seq = 0;
  t.after(async () => {
    await scheduler.stop();
    if (!options.store) await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  return {
    store, executor, scheduler, changes, logs, clock,
    async add(priority, addOptions = {}) {
      seq += 1;
      const { job } = await store.createJob({ idempotencyKey: `k-${rigs}-${seq}-${Math.random()}`, source: `s3://bucket/${priority}-${seq}.mp4`, sourceKind: 'api', priority, metadata: { name: `${priority}-${seq}` }, maxAttempts: addOptions.maxAttempts ?? 3 }, new Date(clock.ms));
      return job;
    },
    async waitForState(id, state) {
      return waitFor(`job ${id} to become ${state}`, async () => {
        const job = await store.getJob(id);
        return job?.state === state ? job : undefined;
      }, { timeoutMs: 5000, intervalMs: 10 });
    },
    async waitForLaunches(count) {
      return waitFor(`${count} launches`, () => (executor.launches.length >= count ? executor.launches.slice(0, count) : undefined), { timeoutMs: 5000, intervalMs: 10 });
    },
  };
}

