// An object's whole content as UTF-8 text: for the small documents of an asset (manifest.json,
// WebVTT tracks, chapter JSON), never for media.
import { text } from 'node:stream/consumers';
import type { ObjectStore } from './object-store.ts';

export async function readObjectText(store: ObjectStore, key: string): Promise<string> {
  return text(await store.get(key));
}
