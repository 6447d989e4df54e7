// `mkdir -p` that cannot spin: Node's recursive mkdir loops forever, at full CPU and deaf to
// signals, where a parent exists but refuses every child with ENOENT (/proc, some FUSE mounts),
// so a mistyped --out hung the CLI. This walks up once and lets the second ENOENT through.
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Makes `dir` and any missing parents; returns the top-most directory it made, as mkdir's recursive does. */
export async function makeDirectories(dir: string): Promise<string | undefined> {
  const target = path.resolve(dir);
  const made = await makeOne(target);
  if (made !== 'missing parent') return made;
  const parent = path.dirname(target);
  const first = parent === target ? undefined : await makeDirectories(parent);
  // A second ENOENT (the parent refuses children) goes to the caller as it is.
  const again = await makeOne(target);
  if (again === 'missing parent') throw Object.assign(new Error(`ENOENT: cannot make directory ${target}`), { code: 'ENOENT', path: target });
  return first ?? again;
}

/** mkdir of one directory: itself when made, undefined when a directory is there already (made meanwhile by another caller, too). */
async function makeOne(target: string): Promise<string | undefined | 'missing parent'> {
  try {
    await mkdir(target);
    return target;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing parent';
    if (code === 'EEXIST' && (await stat(target)).isDirectory()) return undefined;
    throw error;
  }
}
