// Forwards a worker's events to the control plane over HTTP, authenticated by the job's token.
// Progress is throttled; everything else is sent at once. A lost report never fails the encode.
import type { TranscodeEvent } from './events.ts';

/** What the worker reports: the transcode's own events plus the attempt's outcome. */
export type WorkerReport =
  | TranscodeEvent
  | { type: 'done'; manifest: string }
  | { type: 'failed'; message: string; exitCode: number; retryable: boolean; stderrTail?: string; command?: string };

export class CallbackReporter {
  readonly #url: string;
  readonly #token: string;
  readonly #progressIntervalMs: number;
  #lastProgressAt = 0;
  #queue: Promise<void> = Promise.resolve();

  constructor(callback: { url: string; token: string }, progressIntervalMs = 1000) {
    this.#url = callback.url;
    this.#token = callback.token;
    this.#progressIntervalMs = progressIntervalMs;
  }

  report(event: WorkerReport): void {
    if (event.type === 'progress' && event.percent < 100) {
      const now = Date.now();
      if (now - this.#lastProgressAt < this.#progressIntervalMs) return;
      this.#lastProgressAt = now;
    }
    // Sent one after another, so the control plane sees events in order.
    this.#queue = this.#queue.then(() => this.#send(event));
  }

  /** Waits until every queued report was sent (or given up). */
  flush(): Promise<void> {
    return this.#queue;
  }

  async #send(event: WorkerReport): Promise<void> {
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const response = await fetch(this.#url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.#token}` },
          body: JSON.stringify(event),
          signal: AbortSignal.timeout(5000),
        });
        if (response.ok || (response.status >= 400 && response.status < 500)) return;
      } catch {
        // Retried below.
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
    process.stderr.write(`live2vod worker: could not report ${event.type} to the control plane\n`);
  }
}
