// The one way a job comes into being, whatever asked for it (webhook, API, watch folder): check
// the source (a local one by its real path) and the metadata caps, apply the source kind's default
// priority, store durably, announce, wake the scheduler.
import { randomUUID } from 'node:crypto';
import { InputError } from '../errors/index.ts';
import { checkClipParent, checkClipRange, ClipRefusedError, manifestDuration } from './clip-request.ts';
import type { JobRequest } from './job-request.ts';
import type { Store } from '../store/store.ts';
import { terminalStates, type ClipRange, type Job, type Priority, type SourceKind } from './job.ts';
import type { JobEvents } from './job-events.ts';
import type { LocalFile } from './local-source.ts';
import { metadataProblem } from './metadata-limits.ts';
import { formatSourceLocation, parseSourceLocation, type SourceLocation } from './source-location.ts';
import type { SourcePolicy } from './source-policy.ts';
import { appliedTrim, type TrimRequest } from './trim-request.ts';

export interface IntakeServiceOptions {
  store: Store;
  events: JobEvents;
  sources: SourcePolicy;
  defaultPriority: (kind: SourceKind) => Priority;
  maxAttempts: number;
  /** The trim of a request that does not ask for one (config `jobs.trim`); absent: none. */
  defaultTrim?: TrimRequest | undefined;
  onCreated?: (job: Job) => void;
  now?: () => Date;
  /** A finished job's manifest.json (a clip's range is checked against its duration); without it, clips are refused. */
  readAssetManifest?: (job: Job) => Promise<unknown>;
}

export interface ClipOptions {
  /** The same key is the same clip (an applied trim's: one per parent). */
  idempotencyKey?: string | undefined;
  /** Entries beside `title` and `clipOf` (a trim's `trimOf`). */
  metadata?: Record<string, string> | undefined;
  /** An end past the asset's duration is moved to it instead of refused. */
  clampToAsset?: boolean | undefined;
}

export class SourceRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceRefusedError';
  }
}

/** The request is well formed but over a limit (metadata caps): 400 with what is over. */
export class RequestRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestRefusedError';
  }
}

/** The idempotency key already names a job of another recording: 409, as no job is made or returned. */
export class IdempotencyKeyReusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdempotencyKeyReusedError';
  }
}

/**
 * A stored source as it names a recording: a URL without its query, as a sender retrying with a
 * freshly presigned link names the same recording with a new signature (which is not repeated
 * back in a refusal either).
 */
function recordingOf(stored: string): string {
  return /^https?:\/\//i.test(stored) ? stored.replace(/[?#].*$/, '') : stored;
}

export class IntakeService {
  readonly #o: IntakeServiceOptions;

  constructor(options: IntakeServiceOptions) {
    this.#o = options;
  }

  /**
   * A source as a caller wrote it, parsed and allowed (a local one canonical, with its size and
   * time); SourceRefusedError saying what is allowed otherwise.
   */
  async checkSource(text: string): Promise<{ source: SourceLocation; file?: LocalFile }> {
    let source: SourceLocation;
    try {
      source = parseSourceLocation(text);
    } catch (error) {
      if (error instanceof InputError) throw new SourceRefusedError(error.message);
      throw error;
    }
    return this.#allow(source);
  }

  /** Validates every request first, so a refused one creates nothing. */
  async accept(kind: SourceKind, given: JobRequest[]): Promise<{ job: Job; created: boolean }[]> {
    const requests: JobRequest[] = [];
    for (const request of given) {
      const problem = metadataProblem(request.metadata);
      if (problem !== undefined) throw new RequestRefusedError(problem);
      // The job names the checked (real) path, never the spelling it came in with.
      requests.push({ ...request, source: (await this.#allow(request.source)).source });
    }
    const results: { job: Job; created: boolean }[] = [];
    for (const request of requests) {
      const now = this.#o.now?.() ?? new Date();
      // Stored in its canonical form, which reads back to the same location.
      const source = formatSourceLocation(request.source);
      const create = (idempotencyKey: string) => this.#o.store.createJob({
        idempotencyKey,
        source,
        sourceKind: kind,
        priority: request.priority ?? this.#o.defaultPriority(kind),
        metadata: request.metadata,
        sourceFacts: request.facts ?? {},
        trim: appliedTrim(request.trim ?? this.#o.defaultTrim),
        maxAttempts: this.#o.maxAttempts,
      }, now);
      let result = await create(request.idempotencyKey);
      // A key names one recording: a second recording under it would otherwise get the first's job
      // as if it were its own, and never be transcoded.
      if (!result.created && recordingOf(result.job.source) !== recordingOf(source)) {
        throw new IdempotencyKeyReusedError(`the idempotency key ${JSON.stringify(request.idempotencyKey)} already names job ${result.job.id} for another recording (${recordingOf(result.job.source)}); send a new key for ${recordingOf(source)}, or the same source to get that job`);
      }
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

  /**
   * A clip of a finished job: a new job of kind `clip` whose worker cuts [start, end) of the
   * parent's asset. ClipRefusedError when the parent is missing or unfinished or the range is not
   * inside its asset. Each request makes a new clip, unless `options.idempotencyKey` names one
   * already made (then that one is answered, and nothing is announced). With `clampToAsset` an end
   * past the asset's duration becomes the duration (an applied trim's range asked before the
   * asset existed).
   */
  async acceptClip(parentId: string, request: ClipRange & { priority?: Priority | undefined }, options: ClipOptions = {}): Promise<Job> {
    const parent = checkClipParent(await this.#o.store.getJob(parentId), parentId);
    const manifest = this.#o.readAssetManifest ? await this.#o.readAssetManifest(parent).catch(() => undefined) : undefined;
    const duration = manifestDuration(manifest);
    if (duration === undefined) throw new ClipRefusedError('not_finished', `job ${parentId} has no readable asset (manifest.json) to cut a clip from`);
    const end = options.clampToAsset ? Math.min(request.end, duration) : request.end;
    checkClipRange({ ...request, end }, duration);
    const now = this.#o.now?.() ?? new Date();
    const clip: ClipRange = { start: request.start, end, ...(request.title === undefined ? {} : { title: request.title }) };
    const { job, created } = await this.#o.store.createJob({
      kind: 'clip', parentJobId: parent.id, clip,
      idempotencyKey: options.idempotencyKey ?? `clip:${parent.id}:${randomUUID()}`,
      source: parent.source,
      sourceKind: 'api',
      priority: request.priority ?? this.#o.defaultPriority('api'),
      // Notifications carry the metadata (as `ingest`): a media library learns what the clip is of.
      metadata: { ...(request.title === undefined ? {} : { title: request.title }), clipOf: parent.id, ...options.metadata },
      sourceFacts: { durationSeconds: end - request.start },
      maxAttempts: this.#o.maxAttempts,
    }, now);
    if (!created) return job;
    this.#o.events.emit({ type: 'job.queued', job, at: now.toISOString() });
    this.#o.onCreated?.(job);
    return job;
  }

  async #allow(source: SourceLocation): Promise<{ source: SourceLocation; file?: LocalFile }> {
    const checked = await this.#o.sources.check(source);
    if ('refusal' in checked) throw new SourceRefusedError(checked.refusal);
    return checked;
  }
}
