// `mkdir -p` that cannot spin: Node's recursive mkdir loops forever, at full CPU and deaf to
// signals, where a parent exists but refuses every child with ENOENT (/proc, some FUSE mounts),
// so a mistyped --out hung the CLI. This walks up once and lets the second ENOENT through.
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Makes `dir` and any missing parents; returns the top-most directory it made, as mkdir's recursive does. */
export async function makeDirectories(dir: string): Promise<string | undefined> {
  const target = path.resolve(dir);
  try {
    await mkdir(target);
    return target;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if ((await stat(target)).isDirectory()) return undefined;
      throw error;
    }
    const parent = path.dirname(target);
    if (code !== 'ENOENT' || parent === target) throw error;
    const first = await makeDirectories(parent);
    await mkdir(target);
    return first ?? target;
  }
}
