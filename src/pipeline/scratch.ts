// A run's own scratch directory under the configured root (the system temp dir by default).
import { mkdir, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writing } from './fs-errors.ts';

export function makeScratch(root: string | undefined, prefix: string): Promise<string> {
  return writing('the scratch directory', async () => {
    const parent = root ?? os.tmpdir();
    await mkdir(parent, { recursive: true });
    return mkdtemp(path.join(parent, prefix));
  });
}
