// Makes a job's source a local file ffmpeg can open: local paths as they are, `s3://` objects by
// parallel ranged GETs, `http(s)://` URLs through the request-forgery-safe fetch. Limits apply.
import path from 'node:path';
import { InputError } from '../errors/index.ts';
import { downloadToFile } from '../storage/parallel-download.ts';
import { AddressPolicy } from './address-policy.ts';
import { fetchHttpSource } from './fetch-http-source.ts';

export interface SourceLimits {
  maxBytes: number;
  timeoutMs: number;
  /** Hosts/CIDRs `http(s)://` sources may reach although private (e.g. an internal MinIO). */
  allow: readonly string[];
}

export const defaultSourceLimits: SourceLimits = { maxBytes: 200 * 1024 ** 3, timeoutMs: 6 * 3600_000, allow: [] };

/** Limits from the environment (LIVE2VOD_SOURCE_ALLOW, LIVE2VOD_SOURCE_MAX_BYTES), for the CLI and workers. */
export function sourceLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): SourceLimits {
  const maxBytes = Number(env.LIVE2VOD_SOURCE_MAX_BYTES);
  return {
    ...defaultSourceLimits,
    ...(Number.isFinite(maxBytes) && maxBytes > 0 ? { maxBytes } : {}),
    allow: (env.LIVE2VOD_SOURCE_ALLOW ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
}

export function isRemoteSource(source: string): boolean {
  return /^(s3|https?):\/\//i.test(source);
}

/** The local path of the source; remote sources are downloaded into `scratch`. */
export async function materializeSource(source: string, scratch: string, limits: SourceLimits, signal?: AbortSignal): Promise<string> {
  if (!isRemoteSource(source)) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !source.startsWith('file://')) throw new InputError(`unsupported source scheme in ${source}: use a local path, s3:// or https://`);
    return source.startsWith('file://') ? decodeURIComponent(new URL(source).pathname) : source;
  }
  // Keep the extension (it helps ffmpeg's probing); S3 keys are literal, URLs lose query and fragment.
  const plain = /^s3:/i.test(source) ? source : (source.split(/[?#]/)[0] ?? source);
  const extension = path.extname(plain);
  const name = `source${/^\.[A-Za-z0-9]{1,6}$/.test(extension) ? extension : '.bin'}`;
  const file = path.join(scratch, name);
  if (/^s3:/i.test(source)) {
    // Loaded on demand: the AWS SDK costs ~0.5 s of start-up that local sources should not pay.
    const { openObjectLocation } = await import('../storage/open-store.ts');
    const { store, key } = openObjectLocation(source);
    try {
      await downloadToFile(store, key, file, { maxBytes: limits.maxBytes, ...(signal ? { signal } : {}) });
    } finally {
      await store.close();
    }
    return file;
  }
  await fetchHttpSource(source, file, { policy: new AddressPolicy({ allow: limits.allow }), maxBytes: limits.maxBytes, timeoutMs: limits.timeoutMs, ...(signal ? { signal } : {}) });
  return file;
}
