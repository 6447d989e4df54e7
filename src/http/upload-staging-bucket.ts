// Uploads in the asset bucket, for workers that cannot see the control plane's disk: the body is
// streamed (multipart for large recordings) to `uploads/<id>/<name>` under the store's root, a
// sibling of the `assets/` prefix, and the job's source is that object's s3:// URI, which workers
// fetch like any S3 source, with the credentials they already use to publish assets.
import type { Readable } from 'node:stream';
import type { ObjectStore } from '../storage/object-store.ts';
import { EmptyUploadError, limitBytes, type UploadRef, type UploadStaging } from './upload-staging.ts';

/** An object store that can name its objects as s3:// URIs (S3ObjectStore). */
export type UriObjectStore = Pick<ObjectStore, 'put' | 'delete'> & { objectUri(key: string): string };

export class BucketUploadStaging implements UploadStaging {
  readonly #store: UriObjectStore;

  constructor(store: UriObjectStore) {
    this.#store = store;
  }

  async stage(ref: UploadRef, body: Readable, options: { limit: number; contentType: string }): Promise<{ source: string; bytes: number }> {
    const key = this.#key(ref);
    const counted = limitBytes(body, options.limit);
    try {
      // A source is read once by a worker: nothing should cache it.
      await this.#store.put(key, counted.stream, { contentType: options.contentType, cacheControl: 'no-store' });
    } catch (error) {
      // The bucket failed: stop reading the client's body (its pipeline ends too) instead of leaving it stalled.
      counted.stream.destroy();
      throw error;
    }
    // An empty body still made an (empty) object; the caller's discard() removes it.
    if (counted.bytes() === 0) throw new EmptyUploadError();
    return { source: this.#store.objectUri(key), bytes: counted.bytes() };
  }

  async discard(ref: UploadRef): Promise<void> {
    // A failed multipart upload is aborted by the store; this removes a completed object (an
    // empty body, or a job that could not be created). Deleting a missing key is not an error.
    await this.#store.delete([this.#key(ref)]);
  }

  #key(ref: UploadRef): string {
    if (!/^[\w-]+$/.test(ref.id)) throw new Error(`invalid upload id ${JSON.stringify(ref.id)}`);
    return `uploads/${ref.id}/${ref.name}`;
  }
}
