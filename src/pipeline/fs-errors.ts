// File-system failures on the output side become OutputErrors that say what to do.
import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { Live2vodError, OutputError } from '../errors/index.ts';

export function asOutputError(error: unknown, what: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new OutputError(`the disk is full while writing ${what}: free space or choose another location`, { cause: error });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new OutputError(`cannot write ${what}: permission denied or read-only file system (${code})`, { cause: error });
    case 'ENOENT':
      // On the output side a missing parent means it could not be created (read-only mount, …).
      return new OutputError(`cannot create ${what}: a parent directory is missing or cannot be created`, { cause: error });
    case 'ENOTDIR':
    case 'EEXIST':
      return new OutputError(`cannot write ${what}: a file is in the way of the output directory (${code})`, { cause: error });
    default:
      return error;
  }
}

/** Runs an output-side file operation, translating its errors. */
export async function writing<T>(what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw asOutputError(error, what);
  }
}

/** Less free space than this on a file system counts as full: an encoder's write buffer is far smaller. */
const nearlyFullBytes = 1 << 20;

/**
 * A file an encoder wrote that will not read (cut short mid-box) on a file system with no space
 * left was cut short by the full disk: ffmpeg 5.1 loses its last buffered write to ENOSPC when it
 * closes an output and still exits 0. Any other failure comes back as it was.
 */
export async function asDiskFullWhenCutShort(error: unknown, encoderOutput: string): Promise<unknown> {
  if (error instanceof Live2vodError || (error as NodeJS.ErrnoException | undefined)?.code !== undefined) return error;
  const space = await statfs(path.dirname(encoderOutput)).catch(() => undefined);
  if (!space || space.bavail * space.bsize >= nearlyFullBytes) return error;
  return new OutputError(`the disk is full: ${path.basename(encoderOutput)}, as ffmpeg wrote it, is cut short (free space, or point --scratch elsewhere)`, { cause: error });
}
