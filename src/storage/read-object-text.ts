// An object's whole content as UTF-8 text: for the small documents of an asset (manifest.json,
// WebVTT tracks, chapter JSON), never for media.
import type { ObjectStore } from './object-store.ts';

export async function readObjectText(store: ObjectStore, key: string): Promise<string> {
  return streamText(await store.get(key));
}

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
