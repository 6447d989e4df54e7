// Reads a job's manifest.json from wherever assets are kept: the bucket of an s3:// output, or
// the local media directory. One place, for the notifications (and, later, GET /v1/assets).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectStore } from './object-store.ts';
import { readObjectText } from './read-object-text.ts';

export function assetManifestReader(mediaRoot: string, assetStore: ObjectStore | undefined): (job: { outputPrefix: string }) => Promise<unknown> {
  return async (job) => JSON.parse(assetStore
    ? await readObjectText(assetStore, `${job.outputPrefix}/manifest.json`)
    : await readFile(path.join(mediaRoot, job.outputPrefix, 'manifest.json'), 'utf8'));
}
