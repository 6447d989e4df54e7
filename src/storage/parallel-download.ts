// Downloads one object to a local file with parallel ranged GETs: the object is cut into parts
// (16 MiB), `concurrency` parts are fetched at once, and each chunk is written at its offset
// (positional writes on one file handle), so a 1 GB recording arrives at several times the speed of
// a single stream. A part that fails transiently (reset connection, 5xx after the SDK's retries,
// short read) is resumed from its last written byte after a backoff, a few times. The file appears
// under its name only when complete (`<file>.partial` is renamed), and its size is verified.
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { CancelledError, InputError } from '../errors/index.ts';
import { plusMinus } from '../retry/backoff.ts';
import { retry } from '../retry/retry.ts';
import type { ObjectStore } from './object-store.ts';
import { StorageError, isRetryableError } from './storage-error.ts';

export interface DownloadProgress {
  bytes: number;
  totalBytes: number;
}

export interface DownloadOptions {
  /** Bytes per ranged GET (default 16 MiB). */
  partBytes?: number;
  /** Parts in flight at once (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
  /** Refuse (InputError) objects larger than this. */
  maxBytes?: number;
  /** Called as bytes land on disk. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Attempts per part, the first included (default 4). */
  partAttempts?: number;
  /** Base of the exponential backoff between attempts of a part (default 250 ms; doubled each time, ±50 % jitter). */
  retryDelayMs?: number;
}

export interface DownloadResult {
  bytes: number;
  parts: number;
  /** Part attempts that were retried. */
  retries: number;
  etag?: string;
}

export const defaultDownloadPartBytes = 16 * 1024 * 1024;
export const defaultDownloadConcurrency = 4;

function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

function describe(store: ObjectStore, key: string): string {
  return store.uri.endsWith('/') ? store.uri + key : `${store.uri}/${key}`;
}

/** Downloads `key` from `store` to `file` (replacing it), verifying the size. */
export async function downloadToFile(store: ObjectStore, key: string, file: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const partBytes = options.partBytes ?? defaultDownloadPartBytes;
  const concurrency = options.concurrency ?? defaultDownloadConcurrency;
  const partAttempts = options.partAttempts ?? 4;
  const retryDelayMs = options.retryDelayMs ?? 250;
  const { signal } = options;
  if (!Number.isInteger(partBytes) || partBytes < 1) throw new InputError(`the download part size must be a positive whole number of bytes, not ${partBytes}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new InputError(`the download concurrency must be a positive whole number, not ${concurrency}`);
  const name = describe(store, key);
  const cancelled = (): CancelledError => new CancelledError(`the download of ${name} was cancelled`);
  if (signal?.aborted === true) throw cancelled();

  const info = await store.head(key);
  if (info === undefined) throw new InputError(`the source ${name} does not exist: check the location (and that the recording finished uploading)`);
  const size = info.size;
  if (options.maxBytes !== undefined && size > options.maxBytes) {
    throw new InputError(`the source ${name} is ${formatBytes(size)} (${size} bytes), more than the ${formatBytes(options.maxBytes)} (${options.maxBytes} bytes) allowed: raise the source size limit or split the recording`);
  }

  const parts: { start: number; end: number }[] = [];
  for (let start = 0; start < size; start += partBytes) parts.push({ start, end: Math.min(start + partBytes, size) - 1 });

  const partial = `${file}.partial`;
  await mkdir(dirname(file), { recursive: true });
  const handle = await open(partial, 'w');
  const active = new Set<Readable>();
  let stopped: unknown;
  const stop = (reason: unknown): void => {
    if (stopped !== undefined) return;
    stopped = reason;
    for (const stream of active) stream.destroy();
  };
  const onAbort = (): void => stop(cancelled());
  signal?.addEventListener('abort', onAbort, { once: true });
  let written = 0;
  let retries = 0;

  const fetchPart = async (part: { start: number; end: number }): Promise<void> => {
    let position = part.start;
    // Each attempt resumes from the last byte written.
    const attemptPart = async (): Promise<void> => {
      if (stopped !== undefined) throw stopped;
      let stream: Readable | undefined;
      try {
        stream = await store.get(key, { start: position, end: part.end });
        active.add(stream);
        if (stopped !== undefined) throw stopped;
        for await (const chunk of stream) {
          if (stopped !== undefined) throw stopped;
          const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
          if (buffer.length > part.end + 1 - position) {
            throw new StorageError(`reading ${name}: the store returned more bytes than bytes ${part.start}-${part.end} hold`, { reason: 'transient', retryable: true, code: 'LongRead', key });
          }
          for (let offset = 0; offset < buffer.length;) {
            const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset, position);
            offset += bytesWritten;
            position += bytesWritten;
            written += bytesWritten;
          }
          options.onProgress?.({ bytes: written, totalBytes: size });
        }
        if (position !== part.end + 1) {
          throw new StorageError(`reading ${name}: bytes ${part.start}-${part.end} ended early at ${position} (the object may have changed)`, { reason: 'transient', retryable: true, code: 'ShortRead', key });
        }
      } finally {
        if (stream !== undefined) {
          active.delete(stream);
          if (!stream.destroyed) stream.destroy();
        }
      }
    };
    try {
      await retry(attemptPart, {
        attempts: partAttempts,
        backoff: { baseMs: retryDelayMs, jitter: plusMinus(0.5) },
        retryable: (error) => stopped === undefined && isRetryableError(error),
        onRetry: () => {
          retries += 1;
        },
        signal,
      });
    } catch (error) {
      // Stopped (cancelled, or another part failed): that reason, not this part's last error.
      throw stopped ?? error;
    }
  };

  try {
    await handle.truncate(size);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (stopped === undefined) {
        const part = parts[next];
        if (part === undefined) return;
        next += 1;
        try {
          await fetchPart(part);
        } catch (error) {
          stop(error);
          throw error;
        }
      }
    };
    const results = await Promise.allSettled(Array.from({ length: Math.min(concurrency, parts.length) }, worker));
    if (stopped !== undefined) throw stopped;
    const failure = results.find((r) => r.status === 'rejected');
    if (failure !== undefined) throw failure.reason;

    const finalSize = (await handle.stat()).size;
    if (written !== size || finalSize !== size) {
      throw new StorageError(`downloading ${name}: wrote ${written} bytes into a ${finalSize}-byte file, expected ${size}`, { reason: 'transient', retryable: true, code: 'SizeMismatch', key });
    }
    await handle.close();
    // The object must not have been replaced while its parts were read.
    const after = await store.head(key);
    if (after === undefined || after.size !== size || (info.etag !== undefined && after.etag !== undefined && after.etag !== info.etag)) {
      throw new StorageError(`the source ${name} changed while it was downloaded`, { reason: 'transient', retryable: true, code: 'SourceChanged', key });
    }
    await rename(partial, file);
    const result: DownloadResult = { bytes: size, parts: parts.length, retries };
    if (info.etag !== undefined) result.etag = info.etag;
    return result;
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(partial).catch(() => {});
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
