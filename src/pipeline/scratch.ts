// A run's own scratch directory under the configured root (the system temp dir by default).
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writing } from './fs-errors.ts';
import { makeDirectories } from './make-directories.ts';

export function makeScratch(root: string | undefined, prefix: string): Promise<string> {
  return writing('the scratch directory', async () => {
    const parent = root ?? os.tmpdir();
    await makeDirectories(parent);
    return mkdtemp(path.join(parent, prefix));
  });
}
