// A remote source (S3, http(s)) opened for ranged reads: a loopback URL that ffmpeg reads from
// directly, without the source first being downloaded into scratch. Returns undefined, having
// said why in a warning, when ranges are not possible (an http server that does not honour them):
// the caller downloads the source whole instead. Refusals (the address policy, the size limit,
// a missing object) are thrown as they would be by the download.
import path from 'node:path';
import type { SourceFetchPolicy } from '../../jobs/source-fetch.ts';
import type { SourceLocation } from '../../jobs/source-location.ts';
import type { EventSink } from '../events.ts';
import { openHttpRangeSource } from './http-range-source.ts';
import { LoopbackReader } from './loopback-reader.ts';
import type { RangeSource } from './range-source.ts';
import { openS3RangeSource } from './s3-range-source.ts';

export interface RangedInputOptions {
  policy: SourceFetchPolicy;
  signal: AbortSignal;
  emit: EventSink;
  /** Bytes per upstream read; the loopback reader's default otherwise. */
  windowBytes?: number;
}

export async function openRangedInput(source: Exclude<SourceLocation, { kind: 'local' }>, options: RangedInputOptions): Promise<LoopbackReader | undefined> {
  const opened: RangeSource | { unsupported: string } = source.kind === 's3'
    ? await openS3RangeSource(source, options.policy)
    : await openHttpRangeSource(source.url, options.policy, options.signal);
  if ('unsupported' in opened) {
    options.emit({ type: 'warning', message: `the source cannot be read by byte ranges (${opened.unsupported}): downloading it whole first, which takes longer and needs scratch space for all of it` });
    return undefined;
  }
  const fileName = `source${extensionOf(source.kind === 's3' ? source.key : new URL(source.url).pathname)}`;
  try {
    return await LoopbackReader.start(opened, { fileName, ...(options.windowBytes === undefined ? {} : { windowBytes: options.windowBytes }) });
  } catch (error) {
    await opened.close();
    throw error;
  }
}

/** The extension helps ffmpeg's probing; anything odd is left out. */
function extensionOf(keyOrPath: string): string {
  const extension = path.extname(keyOrPath);
  return /^\.[A-Za-z0-9]{1,6}$/.test(extension) ? extension : '';
}
