// The worker's side of the source-root check: the control plane accepted a local source by its
// real path (src/jobs/local-source.ts) and put that path in the task. Before anything opens it,
// the path must still be real (no symbolic link swapped in on the way since) and a regular file
// (not a FIFO or a device swapped in). The worker has no source roots of its own to check against.
import { lstat, realpath } from 'node:fs/promises';
import { InputError } from '../errors/index.ts';
import { fileKind } from '../jobs/local-source.ts';
import type { SourceLocation } from '../jobs/source-location.ts';

export async function checkTaskSource(source: SourceLocation): Promise<void> {
  if (source.kind !== 'local') return;
  const real = await realpath(source.path).catch(() => undefined);
  if (real === undefined) throw new InputError(`the source ${source.path} no longer exists or cannot be read`);
  if (real !== source.path) {
    throw new InputError(`the source ${source.path} was accepted by its real path, but a symbolic link now lies on that path; refusing to follow it (submit the recording again)`);
  }
  const stats = await lstat(real);
  if (!stats.isFile()) throw new InputError(`the source ${source.path} is now ${fileKind(stats)}, not a regular file; refusing to open it`);
}
