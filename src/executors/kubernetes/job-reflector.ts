// Keeps an up-to-date picture of live2vod's worker Jobs: list, then watch from the list's
// resourceVersion. A watch that ends normally is resumed from the last version seen; a 410 Gone
// lists again at once; any other error (connection lost, HTTP error, ERROR event) lists again
// after an exponential backoff with jitter, forever, until stopped. The backoff grows with the
// failures in a row and starts over once a watch has worked: an API server outage long ago must
// not make the next blip wait the maximum. Every change, including the differences a new
// list reveals, is handed on as ADDED/MODIFIED/DELETED.
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelayMs, equalJitter, type Backoff } from '../../retry/backoff.ts';
import type { ObservedJob } from '../../k8s/job-status.ts';
import type { JobWatch, JobWatchEvent, KubeApi } from './kube-api.ts';

export type JobChange = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ReflectorOptions {
  api: KubeApi;
  namespace: string;
  labelSelector: string;
  onChange: (type: JobChange, job: ObservedJob) => void;
  /** After every (re)list, with all Jobs: the executor's chance to reconcile. */
  onList?: (jobs: readonly ObservedJob[]) => void;
  onError?: (message: string, error: unknown) => void;
  backoff?: { baseMs: number; maxMs: number };
  /** The server ends each watch after this long; it is then resumed. */
  watchTimeoutSeconds?: number;
}

class GoneError extends Error {}

/** A watch that lasted this long worked: whatever ends it, the failure streak starts over. */
const healthyWatchMs = 1000;

export class JobReflector {
  readonly #o: ReflectorOptions;
  readonly #cache = new Map<string, ObservedJob>();
  #resourceVersion = '';
  #watch: JobWatch | undefined;
  #stopped = false;
  #wake: AbortController | undefined;
  #loop: Promise<void> | undefined;
  /** Watch restarts after an error since the start: visible to tests and logs. */
  restarts = 0;
  /**
   * Failures in a row (watches and lists), which the backoff grows with. Only a watch that worked
   * ends a streak, not a list: when lists work but every watch fails at once, the waits must
   * still grow instead of listing the whole namespace at a fixed rate.
   */
  #streak = 0;

  constructor(options: ReflectorOptions) {
    this.#o = options;
  }

  get #backoff(): Backoff {
    return { ...(this.#o.backoff ?? { baseMs: 500, maxMs: 30_000 }), jitter: equalJitter };
  }

  /** The first list; rejects when it fails (wrong credentials or RBAC should stop the start). */
  async start(): Promise<void> {
    await this.#list();
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#watch?.stop();
    this.#wake?.abort();
    await this.#loop;
  }

  get(name: string): ObservedJob | undefined {
    return this.#cache.get(name);
  }

  async #run(): Promise<void> {
    const backoff = this.#backoff;
    while (!this.#stopped) {
      const started = Date.now();
      try {
        await this.#watchOnce();
        // A watch the server ends at once, again and again (a proxy?), must not spin.
        if (Date.now() - started < healthyWatchMs) await this.#sleep(backoffDelayMs(++this.#streak, backoff));
        else this.#streak = 0;
      } catch (error) {
        if (this.#stopped) break;
        // A watch that worked for a while ends the streak: losing it is a first failure.
        if (Date.now() - started >= healthyWatchMs) this.#streak = 0;
        if (error instanceof GoneError) {
          await this.#relist();
          continue;
        }
        this.#streak++;
        this.restarts++;
        const delay = backoffDelayMs(this.#streak, backoff);
        this.#o.onError?.(`watch of Jobs failed (${this.#streak} in a row); listing again in ${delay} ms`, error);
        await this.#sleep(delay);
        await this.#relist();
      }
    }
  }

  /** Lists until it works (or the reflector stops), each failure one backoff step further. */
  async #relist(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#list();
        return;
      } catch (error) {
        this.#streak++;
        this.restarts++;
        const delay = backoffDelayMs(this.#streak, this.#backoff);
        this.#o.onError?.(`list of Jobs failed (${this.#streak} in a row); trying again in ${delay} ms`, error);
        await this.#sleep(delay);
      }
    }
  }

  async #watchOnce(): Promise<void> {
    let failure: Error | undefined;
    const watch = await this.#o.api.watchJobs(this.#o.namespace, {
      labelSelector: this.#o.labelSelector,
      resourceVersion: this.#resourceVersion,
      timeoutSeconds: this.#o.watchTimeoutSeconds ?? 300,
    }, (event) => {
      const problem = this.#apply(event);
      if (problem && !failure) {
        failure = problem;
        watch.stop();
      }
    });
    this.#watch = watch;
    // stop() may have come while the watch was connecting.
    if (this.#stopped) watch.stop();
    try {
      await watch.done;
    } finally {
      this.#watch = undefined;
    }
    if (failure) throw failure;
  }

  /** Applies one watch event; returns an error for an ERROR event. */
  #apply(event: JobWatchEvent): Error | undefined {
    if (event.type === 'ERROR') {
      const code = event.object.code;
      return code === 410 ? new GoneError('resourceVersion expired') : new Error(`watch ERROR event: ${code ?? '?'} ${event.object.message ?? ''}`);
    }
    const version = event.object.metadata?.resourceVersion;
    if (version) this.#resourceVersion = version;
    if (event.type === 'BOOKMARK') return undefined;
    const name = event.object.metadata?.name;
    if (!name) return undefined;
    if (event.type === 'DELETED') this.#cache.delete(name);
    else this.#cache.set(name, event.object);
    this.#o.onChange(event.type, event.object);
    return undefined;
  }

  async #list(): Promise<void> {
    const list = await this.#o.api.listJobs(this.#o.namespace, this.#o.labelSelector);
    const seen = new Set<string>();
    for (const job of list.items) {
      const name = job.metadata?.name;
      if (!name) continue;
      seen.add(name);
      const known = this.#cache.has(name);
      this.#cache.set(name, job);
      this.#o.onChange(known ? 'MODIFIED' : 'ADDED', job);
    }
    // What vanished while no watch was looking.
    for (const [name, job] of [...this.#cache]) {
      if (seen.has(name)) continue;
      this.#cache.delete(name);
      this.#o.onChange('DELETED', job);
    }
    this.#resourceVersion = list.resourceVersion;
    this.#o.onList?.(list.items);
  }

  async #sleep(ms: number): Promise<void> {
    this.#wake = new AbortController();
    await sleep(ms, undefined, { signal: this.#wake.signal }).catch(() => undefined);
    this.#wake = undefined;
  }
}
