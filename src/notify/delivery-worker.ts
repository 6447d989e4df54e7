// Sends the stored deliveries: polls the store for due ones (and on kick()), POSTs each signed per
// Standard Webhooks, and records every attempt. 2xx: delivered. 410 Gone: given up. Anything else
// (other status, network error, timeout): retried with backoff until 24 h after the delivery was
// created, then given up. At-least-once: receivers deduplicate by webhook-id, which stays the same
// across retries.
import { signStandardWebhook } from '../webhooks/standard-webhooks.ts';
import type { DeliveryRecord, Store } from '../store/store.ts';
import { version } from '../version.ts';
import { backoffDelayMs } from '../retry/backoff.ts';
import { deliveryBackoff } from './backoff.ts';
import type { EndpointConfig } from './endpoints.ts';

export const defaultPollMs = 1000;
export const defaultDeliveryConcurrency = 8;
/** How much of a failing response's body goes into the delivery log. */
const errorBodyLimit = 512;

export interface DeliveryWorkerOptions {
  store: Pick<Store, 'dueDeliveries' | 'recordDeliveryAttempt'>;
  endpoints: readonly EndpointConfig[];
  now?: () => Date;
  /** Default 1000. */
  pollMs?: number;
  /** Sends in flight at most. Default 8. */
  concurrency?: number;
  /** Jitter source for the backoff; default Math.random. */
  random?: () => number;
  /** Give up a delivery this long after it was created. Default 24 h. */
  maxAgeMs?: number;
  /** Default global fetch. */
  fetch?: typeof fetch;
  /** Store failures while polling or recording (the worker keeps going). */
  onError?: (err: unknown) => void;
}

type AttemptOutcome = Parameters<Store['recordDeliveryAttempt']>[1];

export class DeliveryWorker {
  readonly #store: Pick<Store, 'dueDeliveries' | 'recordDeliveryAttempt'>;
  readonly #endpoints: Map<string, EndpointConfig>;
  readonly #now: () => Date;
  readonly #pollMs: number;
  readonly #concurrency: number;
  readonly #random: () => number;
  readonly #maxAgeMs: number;
  readonly #fetch: typeof fetch;
  readonly #onError: (err: unknown) => void;
  readonly #userAgent = `live2vod/${version}`;

  #running = false;
  #timer: NodeJS.Timeout | undefined;
  /** The poll in progress, if any. */
  #polling: Promise<void> | undefined;
  /** A kick arrived while polling: poll again right after. */
  #again = false;
  /** The last poll could not take everything due: poll again when a send finishes. */
  #saturated = false;
  readonly #inFlight = new Map<number, Promise<void>>();

  constructor(options: DeliveryWorkerOptions) {
    this.#store = options.store;
    this.#endpoints = new Map(options.endpoints.map((e) => [e.url, e]));
    this.#now = options.now ?? (() => new Date());
    this.#pollMs = options.pollMs ?? defaultPollMs;
    this.#concurrency = Math.max(1, options.concurrency ?? defaultDeliveryConcurrency);
    this.#random = options.random ?? Math.random;
    this.#maxAgeMs = options.maxAgeMs ?? deliveryBackoff.maxAgeMs;
    this.#fetch = options.fetch ?? fetch;
    this.#onError = options.onError ?? (() => {});
  }

  get running(): boolean {
    return this.#running;
  }

  /** Sends in flight now. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.kick();
  }

  /** Polls now instead of at the next tick, e.g. right after a publish. */
  kick(): void {
    if (!this.#running) return;
    if (this.#polling) {
      this.#again = true;
      return;
    }
    this.#clearTimer();
    this.#polling = this.#poll().finally(() => {
      this.#polling = undefined;
      this.#schedule();
    });
  }

  /** Stops polling and resolves once the poll and the sends in flight have finished. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#clearTimer();
    await this.#polling;
    await Promise.all(this.#inFlight.values());
    this.#clearTimer();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#clearTimer();
    if (!this.#running) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.kick();
    }, this.#pollMs);
  }

  async #poll(): Promise<void> {
    do {
      this.#again = false;
      const free = this.#concurrency - this.#inFlight.size;
      if (free <= 0) {
        this.#saturated = true;
        return;
      }
      // Ask for enough that the ones already in flight (still pending) do not crowd out new ones.
      const limit = free + this.#inFlight.size;
      let due: DeliveryRecord[];
      try {
        due = await this.#store.dueDeliveries(this.#now(), limit);
      } catch (err) {
        this.#onError(err);
        return;
      }
      if (!this.#running) return;
      for (const delivery of due) {
        if (this.#inFlight.has(delivery.id)) continue;
        if (this.#inFlight.size >= this.#concurrency) break;
        const sending = this.#send(delivery).catch(this.#onError).finally(() => {
          this.#inFlight.delete(delivery.id);
          if (this.#saturated && this.#running) {
            this.#saturated = false;
            this.kick();
          }
        });
        this.#inFlight.set(delivery.id, sending);
      }
      this.#saturated = due.length >= limit || this.#inFlight.size >= this.#concurrency;
    } while (this.#again && this.#running);
  }

  async #send(delivery: DeliveryRecord): Promise<void> {
    const endpoint = this.#endpoints.get(delivery.endpoint);
    let outcome: AttemptOutcome;
    if (!endpoint) {
      outcome = { delivered: false, error: 'endpoint no longer configured', giveUp: true };
    } else {
      outcome = await this.#attempt(delivery, endpoint);
    }
    try {
      await this.#store.recordDeliveryAttempt(delivery.id, outcome, this.#now());
    } catch (err) {
      // Not recorded: the delivery stays due and is sent again (same webhook-id).
      this.#onError(err);
    }
  }

  async #attempt(delivery: DeliveryRecord, endpoint: EndpointConfig): Promise<AttemptOutcome> {
    const timestamp = Math.floor(this.#now().getTime() / 1000);
    let status: number;
    let error: string | undefined;
    try {
      const response = await this.#fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': this.#userAgent,
          'webhook-id': delivery.messageId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signStandardWebhook(endpoint.secret, delivery.messageId, timestamp, delivery.payload),
        },
        body: delivery.payload,
        // A redirect is an answer from the receiver, not a reason to post the payload elsewhere.
        redirect: 'manual',
        signal: AbortSignal.timeout(endpoint.timeoutMs),
      });
      status = response.status;
      if (status >= 200 && status < 300) {
        await response.body?.cancel().catch(() => {});
        return { delivered: true, status };
      }
      const snippet = await readSnippet(response);
      error = `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}${snippet ? `: ${snippet}` : ''}`;
      if (status === 410) return { delivered: false, status, error, giveUp: true };
    } catch (err) {
      return this.#retry(delivery, { delivered: false, error: describeFetchError(err, endpoint.timeoutMs) });
    }
    return this.#retry(delivery, { delivered: false, status, error });
  }

  /** Schedules the next attempt, or gives up when it would fall after the delivery's deadline. */
  #retry(delivery: DeliveryRecord, outcome: AttemptOutcome): AttemptOutcome {
    const now = this.#now().getTime();
    const next = now + backoffDelayMs(delivery.attempts + 1, deliveryBackoff, this.#random);
    const deadline = Date.parse(delivery.createdAt) + this.#maxAgeMs;
    if (!(next <= deadline)) return { ...outcome, giveUp: true, error: `${outcome.error ?? 'failed'}; giving up ${Math.round(this.#maxAgeMs / 3_600_000 * 10) / 10} h after creation` };
    return { ...outcome, nextAttemptAt: new Date(next) };
  }
}

async function readSnippet(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    while (bytes < errorBodyLimit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      bytes += value.byteLength;
    }
  } catch {
    // A body that breaks off still leaves the status to go by.
  } finally {
    await reader.cancel().catch(() => {});
  }
  const text = Buffer.concat(chunks).subarray(0, errorBodyLimit).toString('utf8').replace(/\s+/g, ' ').trim();
  return bytes > errorBodyLimit ? `${text}…` : text;
}

function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return `timeout: no answer within ${timeoutMs} ms`;
    const cause = err.cause;
    if (cause instanceof Error) {
      const code = (cause as NodeJS.ErrnoException).code;
      return `${err.message}: ${code ? `${code} ` : ''}${cause.message}`.trim();
    }
    return err.message;
  }
  return String(err);
}
