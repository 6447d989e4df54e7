// Publishes notification events: one durable delivery per subscribed endpoint, written to the
// store before publish() returns (the DeliveryWorker sends them). job.progress is throttled per job
// in memory; every other event is always enqueued.
import { randomBytes } from 'node:crypto';
import type { DeliveryRecord, Store } from '../store/store.ts';
import { isSubscribed, type EndpointConfig } from './endpoints.ts';
import { terminalEventTypes, type EventType, type NotificationPayload } from './events.ts';

export const defaultProgressIntervalMs = 10_000;

export interface NotifierOptions {
  store: Pick<Store, 'enqueueDelivery'>;
  endpoints: readonly EndpointConfig[];
  now?: () => Date;
  /** At most one job.progress per job per this interval, unless progress reached 1. Default 10 s. */
  progressIntervalMs?: number;
  /** Called after deliveries were enqueued, e.g. `() => worker.kick()`. */
  onEnqueued?: (deliveries: readonly DeliveryRecord[]) => void;
}

/** A Standard Webhooks message id: `msg_` + 24 hex digits. */
export function newMessageId(): string {
  return `msg_${randomBytes(12).toString('hex')}`;
}

export class Notifier {
  readonly #store: Pick<Store, 'enqueueDelivery'>;
  readonly #endpoints: readonly EndpointConfig[];
  readonly #now: () => Date;
  readonly #progressIntervalMs: number;
  readonly #onEnqueued: ((deliveries: readonly DeliveryRecord[]) => void) | undefined;
  /** Job id → time (ms) of the last job.progress let through. */
  readonly #lastProgress = new Map<string, number>();

  constructor(options: NotifierOptions) {
    this.#store = options.store;
    this.#endpoints = options.endpoints;
    this.#now = options.now ?? (() => new Date());
    this.#progressIntervalMs = options.progressIntervalMs ?? defaultProgressIntervalMs;
    this.#onEnqueued = options.onEnqueued;
  }

  /**
   * Enqueues one delivery per endpoint subscribed to `type` and resolves once all are stored.
   * Returns the stored deliveries: none when no endpoint subscribes or job.progress was throttled.
   */
  async publish(type: EventType, payload: NotificationPayload): Promise<DeliveryRecord[]> {
    if (payload.type !== type) throw new Error(`payload is for ${payload.type}, published as ${type}`);
    const jobId = payload.data.jobId;
    const now = this.#now();

    if (terminalEventTypes.includes(type)) this.#lastProgress.delete(jobId);

    const targets = this.#endpoints.filter((endpoint) => isSubscribed(endpoint, type));
    if (targets.length === 0) return [];

    let previousProgressAt: number | undefined;
    if (type === 'job.progress') {
      previousProgressAt = this.#lastProgress.get(jobId);
      const finished = payload.data.progress >= 1;
      if (!finished && previousProgressAt !== undefined && now.getTime() - previousProgressAt < this.#progressIntervalMs) return [];
      // Taken before the awaits below, so concurrent publishes for one job cannot both pass.
      this.#lastProgress.set(jobId, now.getTime());
    }

    const body = JSON.stringify(payload);
    const stored: DeliveryRecord[] = [];
    try {
      for (const endpoint of targets) {
        stored.push(await this.#store.enqueueDelivery({ endpoint: endpoint.url, eventType: type, payload: body, messageId: newMessageId() }, now));
      }
    } catch (err) {
      // Nothing (or only part) was stored: let the next progress update through.
      if (type === 'job.progress') {
        if (previousProgressAt === undefined) this.#lastProgress.delete(jobId);
        else this.#lastProgress.set(jobId, previousProgressAt);
      }
      if (stored.length > 0) this.#onEnqueued?.(stored);
      throw err;
    }
    this.#onEnqueued?.(stored);
    return stored;
  }

  /** Forgets a job's progress throttle (also done on asset.ready, job.failed, job.cancelled). */
  forget(jobId: string): void {
    this.#lastProgress.delete(jobId);
  }
}
