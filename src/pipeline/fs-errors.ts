// File-system failures on the output side become OutputErrors that say what to do.
import { OutputError } from '../errors/index.ts';

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
