// Reads a job's manifest.json from wherever assets are kept: the bucket of an s3:// output, or
// the local media directory. One place, for the notifications (and, later, GET /v1/assets).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ObjectStore } from './object-store.ts';

export function assetManifestReader(mediaRoot: string, assetStore: ObjectStore | undefined): (job: { outputPrefix: string }) => Promise<unknown> {
  return async (job) => JSON.parse(assetStore
    ? await text(await assetStore.get(`${job.outputPrefix}/manifest.json`))
    : await readFile(path.join(mediaRoot, job.outputPrefix, 'manifest.json'), 'utf8'));
}

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
