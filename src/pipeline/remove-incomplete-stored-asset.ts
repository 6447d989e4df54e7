// The object-store twin of removeIncompleteAsset (output-dir.ts): what a cancelled or finally
// failed job left under its prefix of an S3 output — the chunk work area, a mirrored instant
// remux, units' uploads — goes, unless the asset is complete (its manifest.json is there).
import type { ObjectStore } from '../storage/object-store.ts';

const manifestName = 'manifest.json';

/** Returns how many objects were removed (0 for a complete asset or an empty prefix). */
export async function removeIncompleteStoredAsset(store: ObjectStore, prefix: string): Promise<number> {
  const root = `${prefix.replace(/\/+$/, '')}/`;
  const keys = (await store.list(root)).map((o) => o.key);
  if (keys.includes(`${root}${manifestName}`)) return 0;
  if (keys.length > 0) await store.delete(keys);
  return keys.length;
}
