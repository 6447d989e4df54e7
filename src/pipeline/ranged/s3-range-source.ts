// An S3 object as a RangeSource: one ranged GetObject per read, through the same store, client
// settings and error mapping as downloads (credentials from the SDK's chain: nothing secret reaches
// ffmpeg's command line). A read that fails transiently is retried a few times with backoff.
import { CancelledError, InputError } from '../../errors/index.ts';
import type { SourceFetchPolicy } from '../../jobs/source-fetch.ts';
import { retry } from '../../retry/retry.ts';
import { isRetryableError, StorageError } from '../../storage/storage-error.ts';
import type { S3ObjectStore } from '../../storage/s3-store.ts';
import { collect, rangeReadRetry, type RangeSource } from './range-source.ts';

export async function openS3RangeSource(source: { bucket: string; key: string }, policy: SourceFetchPolicy): Promise<RangeSource> {
  // Loaded on demand: the AWS SDK costs ~0.5 s of start-up that local sources should not pay.
  const { openS3Store } = await import('../../storage/open-store.ts');
  const store = openS3Store(source.bucket, '');
  const name = store.objectUri(source.key);
  try {
    const info = await store.head(source.key);
    if (info === undefined) throw new InputError(`the source ${name} does not exist: check the location (and that the recording finished uploading)`);
    if (info.size > policy.maxBytes) {
      throw new InputError(`the source ${name} is ${info.size} bytes, more than the ${policy.maxBytes} allowed: raise the source size limit (sourceFetch.maxBytes) or split the recording`);
    }
    return new S3RangeSource(store, source.key, name, info.size);
  } catch (error) {
    await store.close();
    throw error;
  }
}

class S3RangeSource implements RangeSource {
  readonly name: string;
  readonly size: number;
  readonly #store: S3ObjectStore;
  readonly #key: string;

  constructor(store: S3ObjectStore, key: string, name: string, size: number) {
    this.#store = store;
    this.#key = key;
    this.name = name;
    this.size = size;
  }

  async read(start: number, end: number, signal: AbortSignal): Promise<Buffer> {
    const cancelled = (): CancelledError => new CancelledError(`reading ${this.name} was cancelled`);
    try {
      return await retry(async () => {
        if (signal.aborted) throw cancelled();
        const stream = await this.#store.get(this.#key, { start, end });
        const stop = (): void => void stream.destroy(cancelled());
        signal.addEventListener('abort', stop, { once: true });
        try {
          const buffer = await collect(stream, end + 1 - start, () => this.#mismatch(start, end, 'more'));
          if (buffer.length !== end + 1 - start) throw this.#mismatch(start, end, `${buffer.length}`);
          return buffer;
        } finally {
          signal.removeEventListener('abort', stop);
        }
      }, { ...rangeReadRetry, retryable: isRetryableError, signal });
    } catch (error) {
      if (signal.aborted) throw cancelled();
      throw error;
    }
  }

  #mismatch(start: number, end: number, got: string): StorageError {
    return new StorageError(`reading ${this.name}: bytes ${start}-${end} came back as ${got} bytes (the object may have changed)`, { reason: 'transient', retryable: true, code: 'ShortRead', key: this.#key });
  }

  async close(): Promise<void> {
    await this.#store.close();
  }
}
