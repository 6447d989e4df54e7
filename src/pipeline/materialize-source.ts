// Makes a job's source a local file ffmpeg can open: local paths as they are, S3 objects by
// parallel ranged GETs, http(s) URLs through the request-forgery-safe fetch. The task's fetch
// policy applies.
import path from 'node:path';
import type { SourceFetchPolicy } from '../jobs/source-fetch.ts';
import type { SourceLocation } from '../jobs/source-location.ts';
import { downloadToFile } from '../storage/parallel-download.ts';
import { AddressPolicy } from './address-policy.ts';
import { fetchHttpSource } from './fetch-http-source.ts';

/** The local path of the source; remote sources are downloaded into `scratch`. */
export async function materializeSource(source: SourceLocation, scratch: string, policy: SourceFetchPolicy, signal?: AbortSignal): Promise<string> {
  switch (source.kind) {
    case 'local':
      return source.path;
    case 's3': {
      const file = path.join(scratch, scratchName(source.key));
      // Loaded on demand: the AWS SDK costs ~0.5 s of start-up that local sources should not pay.
      const { openS3Store } = await import('../storage/open-store.ts');
      const store = openS3Store(source.bucket, '');
      try {
        await downloadToFile(store, source.key, file, { maxBytes: policy.maxBytes, ...(signal ? { signal } : {}) });
      } finally {
        await store.close();
      }
      return file;
    }
    case 'url': {
      // The URL's path without query or fragment names the file.
      const file = path.join(scratch, scratchName(new URL(source.url).pathname));
      await fetchHttpSource(source.url, file, { policy: new AddressPolicy({ allow: policy.allow }), maxBytes: policy.maxBytes, timeoutMs: policy.timeoutMs, stall: { idleTimeoutMs: policy.idleTimeoutMs, minBytesPerSecond: policy.minBytesPerSecond, windowMs: policy.throughputWindowMs }, ...(signal ? { signal } : {}) });
      return file;
    }
  }
}

/** `source.<ext>`: the extension helps ffmpeg's probing; anything odd becomes `.bin`. */
function scratchName(keyOrPath: string): string {
  const extension = path.extname(keyOrPath);
  return `source${/^\.[A-Za-z0-9]{1,6}$/.test(extension) ? extension : '.bin'}`;
}
