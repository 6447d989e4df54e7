// An object's whole content in memory: for the bounded pieces a clip reads of its parent (init
// segments, the segments around its range). A local file is read in one call: through a stream
// in 64 KiB pieces it came at about 120 MB/s, a fifth of a 30 s 1080p clip's time.
import { readFile } from 'node:fs/promises';
import { buffer } from 'node:stream/consumers';
import { LocalObjectStore } from './local-store.ts';
import type { ObjectStore } from './object-store.ts';

export async function readObjectBytes(store: ObjectStore, key: string): Promise<Buffer> {
  if (store instanceof LocalObjectStore) {
    const file = store.pathOf(key);
    try {
      return await readFile(file);
    } catch {
      // get() says what was wrong (missing, not a file), as for any store.
    }
  }
  return buffer(await store.get(key));
}
