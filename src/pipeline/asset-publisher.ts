// Publishes an asset from its local staging directory to an object store (S3). Segments go up as
// soon as the packager has written them, so uploading overlaps encoding; manifest.json goes last,
// so its presence at the destination still means "complete". A failed run uploads no manifest.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { objectHeaders } from '../storage/content-types.ts';
import type { ObjectStore } from '../storage/object-store.ts';

const manifestKey = 'manifest.json';

export class AssetPublisher {
  readonly #store: ObjectStore;
  readonly #staging: string;
  readonly #concurrency: number;
  readonly #uploaded = new Set<string>();
  readonly #inFlight = new Set<Promise<void>>();
  #failure: unknown;

  constructor(store: ObjectStore, stagingDir: string, concurrency = 8) {
    this.#store = store;
    this.#staging = stagingDir;
    this.#concurrency = concurrency;
  }

  /** Before anything is written: a previous asset at the destination stops claiming to be complete. */
  async begin(): Promise<void> {
    await this.#store.delete([manifestKey]);
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
   * Uploads every staged file not yet uploaded, waits for all, then manifest.json; then removes
   * objects a previous run left under the prefix (a different ladder), so a rerun overwrites cleanly.
   */
  async finish(files: readonly string[]): Promise<void> {
    for (const file of files) if (file !== manifestKey && !this.#uploaded.has(file)) await this.upload(file);
    await Promise.all([...this.#inFlight]);
    if (this.#failure) throw this.#failure;
    await this.#put(manifestKey);
    const keep = new Set([...files, manifestKey]);
    const stale = (await this.#store.list('')).map((o) => o.key).filter((key) => !keep.has(key));
    if (stale.length > 0) await this.#store.delete(stale);
  }

  /** After a failure: lets in-flight uploads settle. No manifest was uploaded, so the asset reads as incomplete. */
  async abort(): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }

  async #put(key: string): Promise<void> {
    const file = path.join(this.#staging, ...key.split('/'));
    const { size } = await stat(file);
    const headers = objectHeaders(key);
    // Small files as one buffer-less stream too: the store picks single-part or multipart by size.
    await this.#store.put(key, createReadStream(file), { contentType: headers.contentType, cacheControl: headers.cacheControl, size });
  }
}
