// Publishes an asset from its local staging directory to an object store (S3). Segments go up as
// soon as the packager has written them, so uploading overlaps encoding; manifest.json goes last,
// so its presence at the destination still means "complete". A failed run uploads no manifest.
// A store operation that fails transiently (after the S3 client's own quick retries, which cover
// well under a second) is tried again with a backoff of seconds, so a short outage of the store
// does not fail, and re-encode, a whole job.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { plusMinus } from '../retry/backoff.ts';
import { retry } from '../retry/retry.ts';
import { objectHeaders } from '../storage/content-types.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { isRetryableError } from '../storage/storage-error.ts';

const manifestKey = 'manifest.json';

export interface PublisherRetry {
  /** Attempts per store operation, the first included (each one is itself the S3 client's attempts). */
  attempts: number;
  /** Backoff before the second attempt; doubled each time, ±50 % jitter. */
  baseDelayMs: number;
}

/** 0.5, 1, 2, 4 s between attempts (±50 %): outages of a few seconds are ridden out. */
export const defaultPublisherRetry: PublisherRetry = { attempts: 5, baseDelayMs: 500 };

export class AssetPublisher {
  readonly #store: ObjectStore;
  readonly #staging: string;
  readonly #concurrency: number;
  readonly #uploaded = new Set<string>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #retry: PublisherRetry;
  readonly #stopped = new AbortController();
  #failure: unknown;

  constructor(store: ObjectStore, stagingDir: string, concurrency = 8, retry: PublisherRetry = defaultPublisherRetry) {
    this.#store = store;
    this.#staging = stagingDir;
    this.#concurrency = concurrency;
    this.#retry = retry;
  }

  /** Before anything is written: a previous asset at the destination stops claiming to be complete. */
  async begin(): Promise<void> {
    await this.#retrying(() => this.#store.delete([manifestKey]));
  }

  /** Uploads one staged file in the background (bounded concurrency); errors surface in finish(). */
  async upload(relPath: string): Promise<void> {
    if (this.#failure) throw this.#failure;
    while (this.#inFlight.size >= this.#concurrency) await Promise.race(this.#inFlight);
    const key = relPath.split(path.sep).join('/');
    this.#uploaded.add(key);
    const task = this.#put(key).catch((error: unknown) => {
      this.#failure ??= error;
    });
    this.#inFlight.add(task);
    void task.finally(() => this.#inFlight.delete(task));
  }

  /**
   * Uploads one staged file and waits for it (a file that others already uploaded must reference).
   * Counted as uploaded only once it is: finish() puts what failed here.
   */
  async uploadNow(relPath: string): Promise<void> {
    if (this.#failure) throw this.#failure;
    const key = relPath.split(path.sep).join('/');
    await this.#put(key);
    this.#uploaded.add(key);
  }

  /**
   * Uploads `body` under the staged file's key and waits (a snapshot of a file that is still
   * changing). The key stays unpublished for finish(), which puts the file's final state.
   */
  async uploadSnapshot(relPath: string, body: Buffer): Promise<void> {
    if (this.#failure) throw this.#failure;
    const key = relPath.split(path.sep).join('/');
    const headers = objectHeaders(key);
    await this.#retrying(() => this.#store.put(key, body, { contentType: headers.contentType, cacheControl: headers.cacheControl, size: body.length }));
  }

  /**
   * Objects another worker already put at the destination (an audio worker's instant remux):
   * finish() neither uploads them from staging nor removes them as stale.
   */
  adopt(keys: readonly string[]): void {
    for (const key of keys) this.#uploaded.add(key);
  }

  /** Waits for every upload in flight; rejects with the first that failed. */
  async flush(): Promise<void> {
    await Promise.all([...this.#inFlight]);
    if (this.#failure) throw this.#failure;
  }

  /**
   * Uploads every staged file not yet uploaded, waits for all, then manifest.json; then removes
   * objects a previous run left under the prefix (a different ladder), so a rerun overwrites cleanly.
   */
  async finish(files: readonly string[]): Promise<void> {
    for (const file of files) if (file !== manifestKey && !this.#uploaded.has(file)) await this.upload(file);
    await this.flush();
    await this.#put(manifestKey);
    const keep = new Set([...files, manifestKey]);
    const stale = (await this.#retrying(() => this.#store.list(''))).map((o) => o.key).filter((key) => !keep.has(key));
    if (stale.length > 0) await this.#retrying(() => this.#store.delete(stale));
  }

  /** After a failure: stops retrying and lets in-flight uploads settle. No manifest was uploaded, so the asset reads as incomplete. */
  async abort(): Promise<void> {
    this.#stopped.abort();
    await Promise.allSettled([...this.#inFlight]);
  }

  async #put(key: string): Promise<void> {
    const file = path.join(this.#staging, ...key.split('/'));
    const { size } = await stat(file);
    const headers = objectHeaders(key);
    // Small files as one buffer-less stream too: the store picks single-part or multipart by size.
    // A new stream for each attempt.
    await this.#retrying(() => this.#store.put(key, createReadStream(file), { contentType: headers.contentType, cacheControl: headers.cacheControl, size }));
  }

  /** Runs `action`, again after a backoff while it fails with a retryable error (attempts permitting). */
  async #retrying<T>(action: () => Promise<T>): Promise<T> {
    return retry(action, {
      attempts: this.#retry.attempts,
      backoff: { baseMs: this.#retry.baseDelayMs, jitter: plusMinus(0.5) },
      retryable: isRetryableError,
      signal: this.#stopped.signal,
    });
  }
}
