// Runs each TranscodeTask as a batch/v1 Job (built by src/k8s/worker-job.ts) and reports each Job's
// end to the scheduler as a WorkerExit. The Job's name is deterministic from job and attempt, so a
// create that answers 409 adopts the Job that is already there: after a control-plane restart or a
// hand-over between replicas, the scheduler claims the job again with the same attempt number and
// the running Job is picked up instead of started twice. A JobReflector (list + watch, restarted
// with backoff) feeds every change in; on each list, Jobs that no job wants any more are deleted.
// Stop deletes the Job with background propagation; close leaves Jobs running for the next owner.
import type { KubernetesExecutorConfig } from '../config/kubernetes-executor.ts';
import type { TranscodeTask } from '../jobs/transcode-task.ts';
import { isFinished, jobPhase, jobRef, lastPodFailure, type ObservedJob } from '../k8s/job-status.ts';
import { workerSelector } from '../k8s/labels.ts';
import { sourceFactsFromMetadata } from '../k8s/source-facts.ts';
import { buildWorkerJob, type WorkerJob } from '../k8s/worker-job.ts';
import { finishedJobExit, vanishedJobExit } from '../k8s/worker-exit.ts';
import type { Executor, LaunchContext, StopReason, WorkerExit } from './executor.ts';
import { JobReflector, type JobChange } from './kubernetes/job-reflector.ts';
import { isStatus, type KubeApi } from './kubernetes/kube-api.ts';

export type KubernetesLog = (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;

export interface KubernetesExecutorOptions {
  api: KubeApi;
  config: KubernetesExecutorConfig;
  /** Plain, non-secret env for every worker (the source fetch policy). */
  workerEnv?: Readonly<Record<string, string>>;
  /**
   * Whether a Job found in the cluster should go on running. Asked for unfinished Jobs this
   * instance does not track, on every list: false deletes the Job (its job was cancelled or
   * finished while no control plane watched). Default: keep everything.
   */
  isWanted?: (ref: { jobId: string; attempt: number }) => Promise<boolean>;
  log?: KubernetesLog;
  /** Tests shorten these. */
  watch?: { backoff?: { baseMs: number; maxMs: number }; timeoutSeconds?: number };
  /** How long a launch waits for an old Job of the same name to be gone. */
  goneTimeoutMs?: number;
}

interface Tracked {
  task: TranscodeTask;
  name: string;
  /** The uid of the Job this attempt runs in; events of other Jobs by that name are ignored. */
  uid?: string;
  stopReason?: StopReason;
  /** Set once the end is being reported, so it is reported once. */
  settling?: boolean;
  terminating?: number;
}

export class KubernetesExecutor implements Executor {
  readonly kind = 'kubernetes';
  readonly capacity: number;
  readonly #o: KubernetesExecutorOptions;
  readonly #tracked = new Map<string, Tracked>();
  readonly #byName = new Map<string, string>();
  readonly #listeners: ((exit: WorkerExit) => void)[] = [];
  readonly #reflector: JobReflector;
  readonly #pending = new Set<Promise<unknown>>();
  #closed = false;

  constructor(options: KubernetesExecutorOptions) {
    this.#o = options;
    this.capacity = options.config.concurrency;
    this.#reflector = new JobReflector({
      api: options.api,
      namespace: options.config.namespace,
      labelSelector: workerSelector(options.config.instance),
      onChange: (type, job) => this.#onChange(type, job),
      onList: (jobs) => this.#track(this.#sweepOrphans(jobs)),
      onError: (message, error) => this.#log('warn', message, { error: String(error) }),
      ...(options.watch?.backoff ? { backoff: options.watch.backoff } : {}),
      ...(options.watch?.timeoutSeconds ? { watchTimeoutSeconds: options.watch.timeoutSeconds } : {}),
    });
  }

  /** Lists the Jobs already in the cluster (reconciling them) and starts watching. */
  async start(): Promise<void> {
    await this.#reflector.start();
  }

  /** Watch restarts after errors so far. */
  get watchRestarts(): number {
    return this.#reflector.restarts;
  }

  running(): string[] {
    return [...this.#tracked.keys()];
  }

  onExit(listener: (exit: WorkerExit) => void): void {
    this.#listeners.push(listener);
  }

  async launch(task: TranscodeTask, context: LaunchContext = { priority: 'normal', metadata: {} }): Promise<void> {
    if (this.#closed) throw new Error('the Kubernetes executor is closed');
    if (this.#tracked.has(task.jobId)) throw new Error(`job ${task.jobId} is already running here`);
    if (this.#tracked.size >= this.capacity) throw new Error('no free worker slot');
    const built = buildWorkerJob({
      task,
      priority: context.priority,
      facts: sourceFactsFromMetadata(context.metadata),
      config: this.#o.config,
      ...(this.#o.workerEnv ? { env: this.#o.workerEnv } : {}),
    });
    const tracked: Tracked = { task, name: built.name };
    this.#tracked.set(task.jobId, tracked);
    this.#byName.set(built.name, task.jobId);
    let observed: ObservedJob;
    try {
      observed = await this.#createOrAdopt(built);
      tracked.uid = uidOf(observed, built.name);
      await this.#ensureSecret(built, tracked.uid);
    } catch (error) {
      this.#untrack(task.jobId);
      throw error;
    }
    // Events that came before the uid was known were skipped: look at the latest state now (an
    // adopted Job may even have finished already).
    const cached = this.#reflector.get(built.name);
    this.#onChange('MODIFIED', cached?.metadata?.uid === tracked.uid ? cached : observed);
  }

  async stop(jobId: string, reason: StopReason): Promise<void> {
    const tracked = this.#tracked.get(jobId);
    if (!tracked || tracked.settling) return;
    tracked.stopReason ??= reason;
    // Background: the Job goes at once, the garbage collector removes its pods (each gets
    // SIGTERM and its grace period: the worker stops ffmpeg and reports) and its token Secret.
    await this.#o.api.deleteJob(this.#o.config.namespace, tracked.name, 'Background');
    this.#log('info', 'deleted worker Job', { jobId, job: tracked.name, reason });
    this.#settle(jobId, stoppedExit(jobId, tracked));
  }

  /**
   * Stops watching. Jobs keep running: each is reported as stopped for `shutdown`, so the
   * scheduler puts its job back in the queue without using an attempt, and whichever control
   * plane claims it next adopts the running Job (same name, 409).
   */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#reflector.stop();
    await Promise.allSettled([...this.#pending]);
    for (const [jobId, tracked] of [...this.#tracked]) {
      if (tracked.settling) continue;
      this.#settle(jobId, { jobId, attempt: tracked.task.attempt, exitCode: null, signal: null, stopReason: 'shutdown', stderrTail: `the control plane stopped watching Kubernetes Job ${tracked.name}; it keeps running and is adopted when the job is claimed again` });
    }
  }

  async #createOrAdopt(built: WorkerJob): Promise<ObservedJob> {
    const { namespace } = this.#o.config;
    for (let round = 0; round < 3; round++) {
      try {
        const created = await this.#o.api.createJob(namespace, built.job);
        this.#log('info', 'created worker Job', { jobId: built.task.jobId, job: built.name, activeDeadlineSeconds: built.sizing.activeDeadlineSeconds, gpu: built.gpu });
        return created;
      } catch (error) {
        if (!isStatus(error, 409)) throw error;
      }
      const existing = await this.#o.api.readJob(namespace, built.name);
      if (!existing) continue; // Gone between the 409 and the read: create again.
      if (existing.metadata?.deletionTimestamp) {
        await this.#waitGone(built.name);
        continue;
      }
      if (jobPhase(existing).phase === 'failed') {
        // A failed Job of this name is an earlier life of this attempt number (a job retried by
        // hand starts again at attempt 1): replace it. Running or complete ones are adopted.
        await this.#o.api.deleteJob(namespace, built.name, 'Background');
        await this.#waitGone(built.name);
        continue;
      }
      this.#log('info', 'adopted existing worker Job', { jobId: built.task.jobId, job: built.name, phase: jobPhase(existing).phase });
      return existing;
    }
    throw new Error(`could not create Kubernetes Job ${built.name}: it kept coming back`);
  }

  async #ensureSecret(built: WorkerJob, uid: string): Promise<void> {
    if (!built.secret) return;
    try {
      await this.#o.api.createSecret(this.#o.config.namespace, built.secret({ name: built.name, uid }));
    } catch (error) {
      // Adopted Jobs already have theirs.
      if (isStatus(error, 409)) return;
      // Without its token the pod cannot start: take the Job away again and let the scheduler retry.
      await this.#o.api.deleteJob(this.#o.config.namespace, built.name, 'Background').catch(() => undefined);
      throw error;
    }
  }

  async #waitGone(name: string): Promise<void> {
    const deadline = Date.now() + (this.#o.goneTimeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      if (!(await this.#o.api.readJob(this.#o.config.namespace, name))) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`Kubernetes Job ${name} is still being deleted`);
  }

  #onChange(type: JobChange, job: ObservedJob): void {
    const name = job.metadata?.name ?? '';
    const jobId = this.#byName.get(name);
    const tracked = jobId === undefined ? undefined : this.#tracked.get(jobId);
    if (!tracked || jobId === undefined || tracked.settling || !tracked.uid || job.metadata?.uid !== tracked.uid) return;
    const ref = { jobId, attempt: tracked.task.attempt };
    if (type === 'DELETED') {
      // Our own delete (stop) may be seen before its answer arrives.
      this.#settle(jobId, tracked.stopReason ? stoppedExit(jobId, tracked) : vanishedJobExit(ref, name));
      return;
    }
    const phase = jobPhase(job).phase;
    if (phase === 'succeeded') {
      this.#settle(jobId, finishedJobExit(ref, job, undefined));
    } else if (phase === 'failed') {
      tracked.settling = true;
      // The pods say why: exit code, termination message, OOM kill, disruption.
      this.#track(this.#podFailure(tracked.uid).then((failure) => this.#emit(jobId, finishedJobExit(ref, job, failure))));
    } else {
      const terminating = job.status?.terminating ?? 0;
      if (terminating > (tracked.terminating ?? 0)) this.#track(this.#noticeDisruption(tracked, jobId));
      tracked.terminating = terminating;
    }
  }

  async #podFailure(uid: string) {
    try {
      return lastPodFailure(await this.#o.api.listPods(this.#o.config.namespace, `batch.kubernetes.io/controller-uid=${uid}`));
    } catch (error) {
      this.#log('warn', 'could not read the pods of a failed Job', { error: String(error) });
      return undefined;
    }
  }

  /** A pod is going away while its Job runs on: say why, when Kubernetes disrupted it. */
  async #noticeDisruption(tracked: Tracked, jobId: string): Promise<void> {
    if (!tracked.uid) return;
    const failure = await this.#podFailure(tracked.uid);
    if (failure?.disruption) {
      this.#log('warn', 'worker pod disrupted; Kubernetes replaces it without using a retry', { jobId, job: tracked.name, pod: failure.pod, reason: failure.disruption.reason, message: failure.disruption.message });
    }
  }

  /** Unfinished Jobs nobody here tracks, whose job no longer wants them, are deleted. */
  async #sweepOrphans(jobs: readonly ObservedJob[]): Promise<void> {
    const isWanted = this.#o.isWanted;
    if (!isWanted || this.#closed) return;
    for (const job of jobs) {
      const ref = jobRef(job);
      const name = job.metadata?.name;
      if (!ref || !name || isFinished(job) || job.metadata?.deletionTimestamp || this.#byName.has(name)) continue;
      try {
        if (await isWanted(ref)) continue;
        if (this.#byName.has(name)) continue; // Launched (adopted) while we asked.
        await this.#o.api.deleteJob(this.#o.config.namespace, name, 'Background');
        this.#log('info', 'deleted a worker Job whose job no longer runs', { jobId: ref.jobId, attempt: ref.attempt, job: name });
      } catch (error) {
        this.#log('warn', 'could not reconcile a worker Job', { job: name, error: String(error) });
      }
    }
  }

  #settle(jobId: string, exit: WorkerExit): void {
    const tracked = this.#tracked.get(jobId);
    if (!tracked || tracked.settling) return;
    tracked.settling = true;
    this.#emit(jobId, exit);
  }

  #emit(jobId: string, exit: WorkerExit): void {
    this.#untrack(jobId);
    for (const listener of this.#listeners) listener(exit);
  }

  #untrack(jobId: string): void {
    const tracked = this.#tracked.get(jobId);
    this.#tracked.delete(jobId);
    if (tracked && this.#byName.get(tracked.name) === jobId) this.#byName.delete(tracked.name);
  }

  #track(work: Promise<unknown>): void {
    const guarded = work.catch((error: unknown) => this.#log('warn', 'Kubernetes executor background work failed', { error: String(error) }));
    this.#pending.add(guarded);
    void guarded.finally(() => this.#pending.delete(guarded));
  }

  #log(level: 'info' | 'warn', message: string, fields: Record<string, unknown> = {}): void {
    this.#o.log?.(level, message, fields);
  }
}

function stoppedExit(jobId: string, tracked: Tracked): WorkerExit {
  const reason = tracked.stopReason ?? 'cancel';
  return { jobId, attempt: tracked.task.attempt, exitCode: null, signal: 'SIGTERM', stopReason: reason, stderrTail: `Kubernetes Job ${tracked.name} deleted (${reason})` };
}

function uidOf(job: ObservedJob, name: string): string {
  const uid = job.metadata?.uid;
  if (!uid) throw new Error(`Kubernetes Job ${name} has no uid`);
  return uid;
}
