// Hands the demo's sample recording to a running `live2vod serve` through POST /v1/uploads, so it
// becomes a job in that service's dashboard. Undefined when no service answers at `base`.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { UsageError } from '../errors/index.ts';

export interface UploadedJob {
  id: string;
  page: string;
}

export async function uploadToService(base: string, file: string, token: string | undefined): Promise<UploadedJob | undefined> {
  const healthy = await fetch(new URL('/healthz', base), { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
  if (!healthy) return undefined;
  const { size } = await stat(file);
  const response = await fetch(new URL('/v1/uploads?filename=demo-recording.flv', base), {
    method: 'POST',
    headers: { 'content-type': 'video/x-flv', 'content-length': String(size), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>,
    duplex: 'half',
  });
  if (response.status === 401) throw new UsageError(`the live2vod at ${base} wants an API token: set LIVE2VOD_TOKEN to one of its auth.tokens`);
  if (response.status !== 201) throw new Error(`the live2vod at ${base} refused the sample (${response.status}): ${await response.text()}`);
  const job = await response.json() as { id: string };
  return { id: job.id, page: new URL(`/jobs/${job.id}`, base).toString() };
}
