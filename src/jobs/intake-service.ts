// The one way a job comes into being, whatever asked for it (webhook, API, watch folder): check
// the source, apply the source kind's default priority, store durably, announce, wake the scheduler.
import { InputError } from '../errors/index.ts';
import type { JobRequest } from '../ingest/intake.ts';
import type { Store } from '../store/store.ts';
import { terminalStates, type Job, type Priority, type SourceKind } from './job.ts';
import type { JobEvents } from './job-events.ts';
import { formatSourceLocation, parseSourceLocation, type SourceLocation } from './source-location.ts';
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

  /** A source as a caller wrote it, parsed and allowed; SourceRefusedError saying what is allowed otherwise. */
  checkSource(text: string): SourceLocation {
    let source: SourceLocation;
    try {
      source = parseSourceLocation(text);
    } catch (error) {
      if (error instanceof InputError) throw new SourceRefusedError(error.message);
      throw error;
    }
    this.#allow(source);
    return source;
  }

  /** Validates every request first, so a refused one creates nothing. */
  async accept(kind: SourceKind, requests: JobRequest[]): Promise<{ job: Job; created: boolean }[]> {
    for (const request of requests) this.#allow(request.source);
    const results: { job: Job; created: boolean }[] = [];
    for (const request of requests) {
      const now = this.#o.now?.() ?? new Date();
      const create = (idempotencyKey: string) => this.#o.store.createJob({
        idempotencyKey,
        // Stored in its canonical form, which reads back to the same location.
        source: formatSourceLocation(request.source),
        sourceKind: kind,
        priority: request.priority ?? this.#o.defaultPriority(kind),
        metadata: request.metadata,
        sourceFacts: request.facts ?? {},
        maxAttempts: this.#o.maxAttempts,
      }, now);
      let result = await create(request.idempotencyKey);
      // Each ended job of the location passes the turn to the next key (`key#2`, `key#3`…), so
      // requests arriving together while one runs still share it.
      for (let n = 2; request.newAfterEnd && !result.created && terminalStates.includes(result.job.state); n++) {
        result = await create(`${request.idempotencyKey}#${n}`);
      }
      if (result.created) {
        this.#o.events.emit({ type: 'job.queued', job: result.job, at: now.toISOString() });
        this.#o.onCreated?.(result.job);
      }
      results.push(result);
    }
    return results;
  }

  #allow(source: SourceLocation): void {
    const refusal = this.#o.sources.refusal(source);
    if (refusal !== undefined) throw new SourceRefusedError(refusal);
  }
}
