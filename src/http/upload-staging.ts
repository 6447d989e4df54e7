// Where an upload's bytes wait for their job. With one machine (local executor, local output) the
// control plane's disk will do: the workers read the same files. When workers run elsewhere
// (Kubernetes, several machines) they cannot see that disk, so uploads go to the asset bucket,
// which every worker can already read (see upload-staging-bucket.ts).
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';

/** More than the limit arrived. */
export class TooLargeError extends Error {}
/** Nothing arrived. */
export class EmptyUploadError extends Error {}

export interface UploadRef {
  /** Unique per upload (also its job's idempotency key). */
  id: string;
  /** A safe basename (see upload-name.ts). */
  name: string;
}

export interface UploadStaging {
  /**
   * Stores `body` as upload `ref` and returns the job source that names it and its size. Throws
   * TooLargeError past `limit` bytes, EmptyUploadError for an empty body, or the stream's error.
   * On failure it may leave bytes behind: the caller then calls discard().
   */
  stage(ref: UploadRef, body: Readable, options: { limit: number; contentType: string }): Promise<{ source: string; bytes: number }>;
  /** Removes whatever stage() left of `ref`, complete or partial; nothing there is fine. */
  discard(ref: UploadRef): Promise<void>;
}

/**
 * `body` passed through a counter that fails with TooLargeError once more than `limit` bytes
 * arrived. stream.pipeline (not .pipe) so that an aborted client errors the counted stream too,
 * and so that on an error the server request is destroyed without its socket: the 413 or 400
 * still reaches the client.
 */
export function limitBytes(body: Readable, limit: number): { stream: Readable; bytes(): number } {
  let total = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      total += chunk.length;
      if (total > limit) callback(new TooLargeError());
      else callback(null, chunk);
    },
  });
  // Errors surface through `counter` to whoever consumes it.
  const stream = pipeline(body, counter, () => {});
  return { stream, bytes: () => total };
}
