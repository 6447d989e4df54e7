// The one way a job comes into being, whatever asked for it (webhook, API, watch folder): check
// the source, apply the source kind's default priority, store durably, announce, wake the scheduler.
import type { JobRequest } from '../ingest/intake.ts';
import type { Store } from '../store/store.ts';
import type { Job, Priority, SourceKind } from './job.ts';
import type { JobEvents } from './job-events.ts';
import type { SourcePolicy } from './source-policy.ts';

export interface IntakeServiceOptions {
  store: Store;
  events: JobEvents;
  sources: SourcePolicy;
  defaultPriority: (kind: SourceKind) => Priority;
  maxAttempts: number;
  onCreated?: (job: Job) => void;
  now?: () => Date;
}

export class SourceRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceRefusedError';
  }
}

export class IntakeService {
  readonly #o: IntakeServiceOptions;

  constructor(options: IntakeServiceOptions) {
    this.#o = options;
  }

  /** The normalised source, or SourceRefusedError saying what is allowed. */
  checkSource(source: string): string {
    const result = this.#o.sources.check(source);
    if ('error' in result) throw new SourceRefusedError(result.error);
    return result.source;
  }

  /** Validates every request first, so a refused one creates nothing. */
  async accept(kind: SourceKind, requests: JobRequest[]): Promise<{ job: Job; created: boolean }[]> {
    const checked = requests.map((request) => ({ ...request, source: this.checkSource(request.source) }));
    const results: { job: Job; created: boolean }[] = [];
    for (const request of checked) {
      const now = this.#o.now?.() ?? new Date();
      const result = await this.#o.store.createJob({
        idempotencyKey: request.idempotencyKey,
        source: request.source,
        sourceKind: kind,
        priority: request.priority ?? this.#o.defaultPriority(kind),
        metadata: request.metadata,
        maxAttempts: this.#o.maxAttempts,
      }, now);
      if (result.created) {
        this.#o.events.emit({ type: 'job.queued', job: result.job, at: now.toISOString() });
        this.#o.onCreated?.(result.job);
      }
      results.push(result);
    }
    return results;
  }
}
