// Runs each TranscodeTask as a batch/v1 Job (built by src/k8s/worker-job.ts), and all chunks of a
// chunked attempt as one Indexed Job (src/k8s/chunk-group-job.ts), and reports each Job's end to the
// scheduler as a WorkerExit of its unit (src/jobs/work-unit.ts): the job id for a whole-recording
// attempt, `<job>/split`, `<job>/chunks`… for the stages of a chunked one. Everything below holds
// per unit. The Job's name is deterministic from job, attempt and unit, so a
// create that answers 409 adopts the Job that is already there: after a control-plane restart or a
// hand-over between replicas, the scheduler claims the job again with the same attempt number and
// the Job is picked up instead of started twice — running, or finished while no control plane
// watched (its result is reported then). Only a Job of an earlier retry generation (the job was
// retried by hand since: kubernetes/retry-generation.ts) is deleted and replaced. A JobReflector
// (list + watch, restarted with backoff) feeds every change in; on each list, Jobs that no job
// wants any more are deleted. Stop deletes the Job with background propagation, except for
// `lease-lost` (another control plane adopts it); close leaves Jobs running for the next owner.
import type { KubernetesExecutorConfig } from '../k8s/executor-config.ts';
import type { ChunkTask, TranscodeTask } from '../jobs/transcode-task.ts';
import { chunkGroupKey, unitKey } from '../jobs/work-unit.ts';
import { buildChunkGroupJob } from '../k8s/chunk-group-job.ts';
import { isFinished, jobPhase, jobRef, lastPodFailure, type JobRef, type ObservedJob } from '../k8s/job-status.ts';
import { workerSelector } from '../k8s/labels.ts';
import { chunkGroupJobName, unitJobName } from '../k8s/names.ts';
import { buildWorkerJob, type WorkerJob } from '../k8s/worker-job.ts';
import { finishedJobExit, readFailedIndexes, vanishedJobExit, type UnitRef } from './kubernetes/worker-exit.ts';
import type { Executor, LaunchContext, StopReason, WorkerExit } from './executor.ts';
import { JobReflector, type JobChange } from './kubernetes/job-reflector.ts';
import { isStatus, type KubeApi } from './kubernetes/kube-api.ts';
import { jobRetryGeneration } from './kubernetes/retry-generation.ts';

export type KubernetesLog = (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;

export interface KubernetesExecutorOptions {
  api: KubeApi;
  config: KubernetesExecutorConfig;
  /**
   * Whether a Job found in the cluster should go on running. Asked for unfinished Jobs this
   * instance does not track, on every list: false deletes the Job (its job was cancelled or
   * finished while no control plane watched). Default: keep everything.
   */
  isWanted?: (ref: JobRef) => Promise<boolean>;
  /**
   * The retry generation of the attempt being launched (kubernetes/retry-generation.ts): a Job of
   * the same name from another generation is replaced, one of this generation adopted. Default 0.
   */
  retryGeneration?: (ref: { jobId: string; attempt: number }) => Promise<number>;
  log?: KubernetesLog;
  /** Tests shorten these. */
  watch?: { backoff?: { baseMs: number; maxMs: number }; timeoutSeconds?: number };
  /** How long a launch waits for an old Job of the same name to be gone. */
  goneTimeoutMs?: number;
}

interface Tracked {
  ref: UnitRef;
  name: string;
  /** An Indexed Job: a failure is explained by the pods of its failed indexes. */
  indexed: boolean;
  /** The uid of the Job this attempt runs in; events of other Jobs by that name are ignored. */
  uid?: string;
  stopReason?: StopReason;
  /** The stop under way: a second stop waits for it. */
  stopping?: Promise<void> | undefined;
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

  async launch(task: TranscodeTask, context: LaunchContext = { priority: 'normal', facts: {} }): Promise<void> {
    const ref = { unit: unitKey(task), jobId: task.jobId, attempt: task.attempt };
    await this.#launchUnit(ref, unitJobName(task), false, (retryGeneration) => buildWorkerJob({ task, priority: context.priority, facts: context.facts, config: this.#o.config, retryGeneration }));
  }

  /** All chunks of one attempt as one Indexed Job: index i runs tasks[i]; it ends once. */
  async launchGroup(tasks: ChunkTask[], context: LaunchContext = { priority: 'normal', facts: {} }): Promise<void> {
    const first = tasks[0];
    if (!first) throw new Error('launchGroup needs the chunk tasks of one attempt, got none');
    const ref = { unit: chunkGroupKey(first.jobId), jobId: first.jobId, attempt: first.attempt };
    await this.#launchUnit(ref, chunkGroupJobName(first.jobId, first.attempt), true, (retryGeneration) => buildChunkGroupJob({ tasks, priority: context.priority, facts: context.facts, config: this.#o.config, retryGeneration }));
  }

  async #launchUnit(ref: UnitRef, name: string, indexed: boolean, build: (retryGeneration: number) => WorkerJob): Promise<void> {
    if (this.#closed) throw new Error('the Kubernetes executor is closed');
    if (this.#tracked.has(ref.unit)) throw new Error(`${ref.unit} is already running here`);
    if (this.#tracked.size >= this.capacity) throw new Error('no free worker slot');
    // Tracked from the start, so that a stop that comes while the Job is being created finds it.
    const tracked: Tracked = { ref, name, indexed };
    this.#tracked.set(ref.unit, tracked);
    this.#byName.set(tracked.name, ref.unit);
    let observed: ObservedJob;
    try {
      const built = build((await this.#o.retryGeneration?.({ jobId: ref.jobId, attempt: ref.attempt })) ?? 0);
      observed = await this.#createOrAdopt(built);
      if (await this.#abandoned(tracked)) return;
      tracked.uid = uidOf(observed, built.name);
      await this.#ensureSecret(built, tracked.uid);
      if (await this.#abandoned(tracked)) return;
    } catch (error) {
      this.#untrack(ref.unit, tracked);
      throw error;
    }
    // Events that came before the uid was known were skipped: look at the latest state now (an
    // adopted Job may even have finished already).
    const cached = this.#reflector.get(tracked.name);
    this.#onChange('MODIFIED', cached?.metadata?.uid === tracked.uid ? cached : observed);
  }

  async stop(unit: string, reason: StopReason): Promise<void> {
    const tracked = this.#tracked.get(unit);
    if (!tracked || tracked.settling) return;
    // Being stopped already: a second delete would only answer 404, and its reason would not be
    // the one reported. Wait for the first instead, as a local worker's second stop does.
    if (tracked.stopping) return tracked.stopping;
    tracked.stopReason ??= reason;
    // Cleared when done: after a failed delete, a later stop tries again.
    tracked.stopping = this.#stop(unit, tracked, reason).finally(() => { tracked.stopping = undefined; });
    return tracked.stopping;
  }

  async #stop(unit: string, tracked: Tracked, reason: StopReason): Promise<void> {
    if (deletesJob(reason)) {
      // Background: the Job goes at once, the garbage collector removes its pods (each gets
      // SIGTERM and its grace period: the worker stops ffmpeg and reports) and its token Secret.
      await this.#o.api.deleteJob(this.#o.config.namespace, tracked.name, 'Background');
      this.#log('info', 'deleted worker Job', { jobId: tracked.ref.jobId, unit, job: tracked.name, reason });
    } else {
      this.#log('info', 'stopped watching a worker Job: another control plane holds its job now', { jobId: tracked.ref.jobId, unit, job: tracked.name });
    }
    this.#settle(unit, stoppedExit(tracked));
  }

  /**
   * Whether a launch was stopped while it created the Job. The stop's delete came before the Job
   * existed (404) and has been reported; left alone, the Job would run with nobody watching it, so
   * it is deleted here — unless the stop was to hand it over (lease-lost, close), or a newer launch
   * of the same attempt has adopted it meanwhile.
   */
  async #abandoned(tracked: Tracked): Promise<boolean> {
    if (this.#tracked.get(tracked.ref.unit) === tracked) return false;
    if (tracked.stopReason && deletesJob(tracked.stopReason) && !this.#byName.has(tracked.name)) {
      await this.#o.api.deleteJob(this.#o.config.namespace, tracked.name, 'Background');
      this.#log('info', 'deleted a worker Job stopped while it was being created', { jobId: tracked.ref.jobId, unit: tracked.ref.unit, job: tracked.name, reason: tracked.stopReason });
    }
    return true;
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
    for (const [unit, tracked] of [...this.#tracked]) {
      if (tracked.settling) continue;
      this.#settle(unit, { ...tracked.ref, exitCode: null, signal: null, stopReason: 'shutdown', stderrTail: `the control plane stopped watching Kubernetes Job ${tracked.name}; it keeps running and is adopted when the job is claimed again` });
    }
  }

  async #createOrAdopt(built: WorkerJob): Promise<ObservedJob> {
    const { namespace } = this.#o.config;
    for (let round = 0; round < 3; round++) {
      try {
        const created = await this.#o.api.createJob(namespace, built.job);
        this.#log('info', 'created worker Job', { jobId: built.task.jobId, unit: built.unit, job: built.name, activeDeadlineSeconds: built.sizing.activeDeadlineSeconds, gpu: built.gpu });
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
      const wanted = jobRetryGeneration(built.job);
      const found = jobRetryGeneration(existing);
      if (found !== wanted) {
        // The job was retried by hand since this Job ran (its attempts count from 1 again): the
        // Job is an earlier round's, whatever its state, and its result was reported then.
        this.#log('info', 'replacing a worker Job of an earlier retry of the job', { jobId: built.task.jobId, unit: built.unit, job: built.name, generation: found, wanted });
        await this.#o.api.deleteJob(namespace, built.name, 'Background');
        await this.#waitGone(built.name);
        continue;
      }
      // This very attempt, running or finished while no control plane watched: adopted, and a
      // finished one's result reported (re-running a failure would hide it and cost an encode).
      this.#log('info', 'adopted existing worker Job', { jobId: built.task.jobId, unit: built.unit, job: built.name, phase: jobPhase(existing).phase });
      return existing;
    }
    throw new Error(`could not create Kubernetes Job ${built.name}: it kept coming back`);
  }

  async #ensureSecret(built: WorkerJob, uid: string): Promise<void> {
    const secret = built.secret;
    if (!secret) return;
    const { namespace } = this.#o.config;
    try {
      for (let round = 0; round < 3; round++) {
        try {
          await this.#o.api.createSecret(namespace, secret({ name: built.name, uid }));
          return;
        } catch (error) {
          if (!isStatus(error, 409)) throw error;
        }
        const existing = await this.#o.api.readSecret(namespace, built.name);
        if (!existing) continue; // Gone between the 409 and the read: create again.
        // An adopted Job already has its own.
        if (existing.metadata?.ownerReferences?.some((owner) => owner.uid === uid)) return;
        // The Secret of a replaced Job of the same name: the garbage collector deletes it with its
        // old owner, possibly after this pod has started without it. Replace it now.
        await this.#o.api.deleteSecret(namespace, built.name);
        this.#log('info', 'replaced the token Secret of an earlier worker Job of the same name', { jobId: built.task.jobId, job: built.name });
      }
      throw new Error(`could not create the token Secret ${built.name}: it kept coming back`);
    } catch (error) {
      // Without its token the pod cannot start: take the Job away again and let the scheduler retry.
      await this.#o.api.deleteJob(namespace, built.name, 'Background').catch(() => undefined);
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
    const unit = this.#byName.get(name);
    const tracked = unit === undefined ? undefined : this.#tracked.get(unit);
    if (!tracked || unit === undefined || tracked.settling || !tracked.uid || job.metadata?.uid !== tracked.uid) return;
    const ref = tracked.ref;
    if (type === 'DELETED') {
      // Our own delete (stop) may be seen before its answer arrives.
      this.#settle(unit, tracked.stopReason ? stoppedExit(tracked) : vanishedJobExit(ref, name));
      return;
    }
    const phase = jobPhase(job).phase;
    if (phase === 'succeeded') {
      this.#settle(unit, finishedJobExit(ref, job, undefined));
    } else if (phase === 'failed') {
      tracked.settling = true;
      // The pods say why: exit code, termination message, OOM kill, disruption — for an Indexed
      // Job, the pods of the indexes that failed.
      // None when the status cannot be read: the pods of every index are looked at then.
      const read = tracked.indexed ? readFailedIndexes(job) : undefined;
      const indexes = read !== undefined && 'indexes' in read ? read.indexes : [];
      this.#track(this.#podFailure(tracked.uid, indexes).then((failure) => this.#emit(unit, finishedJobExit(ref, job, failure))));
    } else {
      const terminating = job.status?.terminating ?? 0;
      if (terminating > (tracked.terminating ?? 0)) this.#track(this.#noticeDisruption(tracked));
      tracked.terminating = terminating;
    }
  }

  async #podFailure(uid: string, indexes: readonly number[] = []) {
    try {
      return lastPodFailure(await this.#o.api.listPods(this.#o.config.namespace, `batch.kubernetes.io/controller-uid=${uid}`), indexes);
    } catch (error) {
      this.#log('warn', 'could not read the pods of a failed Job', { error: String(error) });
      return undefined;
    }
  }

  /** A pod is going away while its Job runs on: say why, when Kubernetes disrupted it. */
  async #noticeDisruption(tracked: Tracked): Promise<void> {
    if (!tracked.uid) return;
    const failure = await this.#podFailure(tracked.uid);
    if (failure?.disruption) {
      this.#log('warn', 'worker pod disrupted; Kubernetes replaces it without using a retry', { jobId: tracked.ref.jobId, unit: tracked.ref.unit, job: tracked.name, pod: failure.pod, ...(failure.index !== undefined ? { chunk: failure.index } : {}), reason: failure.disruption.reason, message: failure.disruption.message });
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
        this.#log('info', 'deleted a worker Job whose job no longer runs', { jobId: ref.jobId, attempt: ref.attempt, unit: ref.unit, job: name });
      } catch (error) {
        this.#log('warn', 'could not reconcile a worker Job', { job: name, error: String(error) });
      }
    }
  }

  #settle(unit: string, exit: WorkerExit): void {
    const tracked = this.#tracked.get(unit);
    if (!tracked || tracked.settling) return;
    tracked.settling = true;
    this.#emit(unit, exit);
  }

  #emit(unit: string, exit: WorkerExit): void {
    const tracked = this.#tracked.get(unit);
    if (tracked) this.#untrack(unit, tracked);
    for (const listener of this.#listeners) listener(exit);
  }

  /** Forgets `tracked`, and nothing a later launch of the same unit put in its place. */
  #untrack(unit: string, tracked: Tracked): void {
    if (this.#tracked.get(unit) !== tracked) return;
    this.#tracked.delete(unit);
    if (this.#byName.get(tracked.name) === unit) this.#byName.delete(tracked.name);
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

/** Every stop deletes the Job but a hand-over: after `lease-lost` another control plane adopts it. */
function deletesJob(reason: StopReason): boolean {
  return reason !== 'lease-lost';
}


function stoppedExit(tracked: Tracked): WorkerExit {
  const reason = tracked.stopReason ?? 'cancel';
  const what = deletesJob(reason) ? 'deleted' : 'left running for the control plane that holds its job now';
  return { ...tracked.ref, exitCode: null, signal: 'SIGTERM', stopReason: reason, stderrTail: `Kubernetes Job ${tracked.name} ${what} (${reason})` };
}

function uidOf(job: ObservedJob, name: string): string {
  const uid = job.metadata?.uid;
  if (!uid) throw new Error(`Kubernetes Job ${name} has no uid`);
  return uid;
}
