// Checks that the source is a readable, non-empty local file, then probes it. A loopback reader's
// URL (a remote source read by ranges) is probed as it is: its reader checked the object at open.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { InputError } from '../errors/index.ts';
import { ffprobeJson } from '../ffmpeg/probe.ts';
import { isLoopbackSourceUrl } from '../media/input-args.ts';
import { parseProbe } from '../media/probe.ts';
import type { SourceInfo } from '../media/types.ts';

export async function probeSource(ffprobe: string, file: string, signal?: AbortSignal): Promise<SourceInfo> {
  if (isLoopbackSourceUrl(file)) return parseProbe(await ffprobeJson(ffprobe, file, signal));
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `the source ${file} does not exist` : `the source ${file} cannot be read (${code})`, { cause: error });
  }
  if (!info.isFile()) throw new InputError(`the source ${file} is not a regular file`);
  try {
    await access(file, constants.R_OK);
  } catch (error) {
    throw new InputError(`the source ${file} cannot be read (${(error as NodeJS.ErrnoException).code})`, { cause: error });
  }
  if (info.size === 0) throw new InputError(`the source ${file} is empty (0 bytes): the recording may still be in progress or failed`);
  const source = parseProbe(await ffprobeJson(ffprobe, file, signal));
  if (!source.sizeBytes) source.sizeBytes = info.size;
  return source;
}
