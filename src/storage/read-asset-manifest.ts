// Reads a job's manifest.json from wherever assets are kept: the bucket of an s3:// output, or
// the local media directory. The one reader: GET /v1/assets, the notifications, the cost metrics.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectStore } from './object-store.ts';
import { readObjectText } from './read-object-text.ts';

export type ReadAssetManifest = (job: { outputPrefix: string }) => Promise<unknown>;

export function assetManifestReader(mediaRoot: string, assetStore: ObjectStore | undefined): ReadAssetManifest {
  return async (job) => JSON.parse(assetStore
    ? await readObjectText(assetStore, `${job.outputPrefix}/manifest.json`)
    : await readFile(path.join(mediaRoot, job.outputPrefix, 'manifest.json'), 'utf8'));
}

/**
 * Reads of one manifest that overlap share one read: an asset that becomes ready is read by the
 * notifications and the metrics at the same moment, and a bucket read costs a request.
 */
export function sharingReads(read: ReadAssetManifest): ReadAssetManifest {
  const inFlight = new Map<string, Promise<unknown>>();
  return (job) => {
    const pending = inFlight.get(job.outputPrefix);
    if (pending) return pending;
    const started = read(job).finally(() => inFlight.delete(job.outputPrefix));
    inFlight.set(job.outputPrefix, started);
    return started;
  };
}

