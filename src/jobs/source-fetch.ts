// How a worker may fetch a remote source: the size limit, the time limit, and the private hosts an
// http(s) source may reach. The control plane puts it in every task (from `sourceFetch` in its
// configuration); `live2vod transcode` takes it from the environment. The defaults live here only.
import { z } from 'zod';

export const sourceFetchSchema = z.strictObject({
  /** Larger sources are refused while downloading. */
  maxBytes: z.number().int().positive().default(200 * 1024 ** 3),
  /** One download's limit (an http(s) source). */
  timeoutMs: z.number().int().positive().default(6 * 3600_000),
  /** An http(s) download with no byte (or no answer) for this long fails, retryably. */
  idleTimeoutMs: z.number().int().positive().default(60_000),
  /** An http(s) download slower than this over a whole window fails, retryably; 0: no minimum. */
  minBytesPerSecond: z.number().int().min(0).default(8 * 1024),
  /** The window minBytesPerSecond is measured over. */
  throughputWindowMs: z.number().int().min(1000).default(120_000),
  /** Hosts/CIDRs that `http(s)://` sources may reach although private (e.g. an internal MinIO). */
  allow: z.array(z.string().min(1)).default([]),
});

export type SourceFetchPolicy = z.infer<typeof sourceFetchSchema>;

export const defaultSourceFetch: SourceFetchPolicy = sourceFetchSchema.parse({});

/**
 * The policy from LIVE2VOD_SOURCE_ALLOW (comma-separated) and LIVE2VOD_SOURCE_MAX_BYTES: the
 * settings of `live2vod transcode`, which has no task, and of version-1 tasks, whose pods got it so.
 */
export function sourceFetchFromEnv(env: Readonly<Record<string, string | undefined>>): SourceFetchPolicy {
  const maxBytes = Number(env.LIVE2VOD_SOURCE_MAX_BYTES);
  return {
    ...defaultSourceFetch,
    ...(Number.isInteger(maxBytes) && maxBytes > 0 ? { maxBytes } : {}),
    allow: (env.LIVE2VOD_SOURCE_ALLOW ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  };
}
