// Forwards a worker's events to the control plane over HTTP, authenticated by the job's token.
// Sent one at a time, in order. Progress goes out at most once an interval; one that comes too soon
// is held and sent when the interval is up, so a watcher hears of progress every interval, not up
// to an interval plus ffmpeg's own period apart. Only the latest unsent progress report is kept:
// when the control plane is slow or unreachable (each failed report takes its retries), a report a
// second must not pile up behind it. Every other event is kept. flush() waits for the rest only so
// long, then gives up on it: a dead callback URL must not keep a finished worker from exiting with
// its code. A lost report never fails the encode.
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkerReport } from '../jobs/worker-report.ts';
import { retry } from '../retry/retry.ts';
import { postJson } from './post-json.ts';

export interface CallbackReporterOptions {
  /** Progress is sent at most this often. */
  progressIntervalMs?: number;
  /** How long flush() waits for unsent reports before it gives up on them. */
  flushTimeoutMs?: number;
  /** One POST's limit; each report gets three tries. */
  requestTimeoutMs?: number;
}

/** Three tries per report, 200 ms then 400 ms apart. */
const reportRetry = { attempts: 3, backoff: { baseMs: 200 } };

export class CallbackReporter {
  readonly #url: string;
  readonly #token: string;
  readonly #progressIntervalMs: number;
  readonly #flushTimeoutMs: number;
  readonly #requestTimeoutMs: number;
  #lastProgressAt = 0;
  /** A progress report that came within the interval, and the timer that sends it when the interval is up. */
  #held: { event: WorkerReport; timer: NodeJS.Timeout } | undefined;
  readonly #pending: WorkerReport[] = [];
  #sending: Promise<void> | undefined;
  /** Aborted when flush() gives up: cancels the request and the retry wait in progress. */
  readonly #giveUp = new AbortController();

  constructor(callback: { url: string; token: string }, options: CallbackReporterOptions = {}) {
    this.#url = callback.url;
    this.#token = callback.token;
    this.#progressIntervalMs = options.progressIntervalMs ?? 1000;
    this.#flushTimeoutMs = options.flushTimeoutMs ?? 10_000;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 5000;
  }

  report(event: WorkerReport): void {
    if (this.#giveUp.signal.aborted) return;
    if (event.type === 'progress') {
      const wait = this.#lastProgressAt + this.#progressIntervalMs - Date.now();
      if (event.percent < 100 && wait > 0) {
        if (this.#held) this.#held.event = event;
        else this.#held = { event, timer: setTimeout(() => this.#sendHeld(), wait).unref() };
        return;
      }
      this.#takeHeld();
    } else {
      // What is held happened before this event: it goes first.
      this.#sendHeld();
    }
    this.#enqueue(event);
  }

  #takeHeld(): WorkerReport | undefined {
    if (!this.#held) return undefined;
    clearTimeout(this.#held.timer);
    const { event } = this.#held;
    this.#held = undefined;
    return event;
  }

  #sendHeld(): void {
    const event = this.#takeHeld();
    if (event) this.#enqueue(event);
  }

  #enqueue(event: WorkerReport): void {
    if (event.type === 'progress') {
      this.#lastProgressAt = Date.now();
      // A newer progress report makes an unsent older one pointless.
      const older = this.#pending.findIndex((pending) => pending.type === 'progress');
      if (older >= 0) this.#pending.splice(older, 1);
    }
    this.#pending.push(event);
    this.#sending ??= this.#drain();
  }

  /**
   * Waits until every report was sent (or failed its tries), at most flushTimeoutMs; then drops
   * what is left and cancels the request in flight, so nothing keeps the process alive. Returns
   * whether everything went out.
   */
  async flush(): Promise<boolean> {
    this.#sendHeld();
    const waited = new AbortController();
    const sent = (async () => {
      while (this.#sending) await this.#sending;
      return true;
    })();
    const timedOut = sleep(this.#flushTimeoutMs, false, { signal: waited.signal }).catch(() => false);
    const done = await Promise.race([sent, timedOut]);
    waited.abort();
    if (done) return true;
    const left = this.#pending.length + (this.#sending ? 1 : 0);
    this.#pending.length = 0;
    this.#giveUp.abort();
    process.stderr.write(`live2vod worker: the control plane did not take ${left} report(s) within ${this.#flushTimeoutMs} ms; exiting without them\n`);
    return false;
  }

  async #drain(): Promise<void> {
    // Let report() store this promise before the loop can end and clear it.
    await Promise.resolve();
    for (let event = this.#pending.shift(); event && !this.#giveUp.signal.aborted; event = this.#pending.shift()) {
      await this.#send(event);
    }
    this.#sending = undefined;
  }

  async #send(event: WorkerReport): Promise<void> {
    const signal = this.#giveUp.signal;
    try {
      await retry(async () => {
        const answer = await postJson(this.#url, JSON.stringify(event), { authorization: `Bearer ${this.#token}` },
          AbortSignal.any([signal, AbortSignal.timeout(this.#requestTimeoutMs)]));
        if (answer.status >= 200 && answer.status < 300) return;
        if (answer.status >= 300 && answer.status < 500) {
          // Refused (a report this control plane does not understand, a stale token) or sent elsewhere
          // (redirects are not followed): retrying cannot help, but the pod log should say so.
          process.stderr.write(`live2vod worker: the control plane refused the ${event.type} report (${answer.status}): ${answer.text.slice(0, 500)}\n`);
          return;
        }
        throw new Error(`the control plane answered ${answer.status}`);
      }, { ...reportRetry, signal });
    } catch {
      if (!signal.aborted) process.stderr.write(`live2vod worker: could not report ${event.type} to the control plane\n`);
    }
  }
}
