// A remote source read by byte ranges: what the loopback reader serves ffmpeg from. One
// implementation per kind of remote source (S3, http(s)); each decides at open whether ranges are
// possible and enforces the fetch policy itself.

import type { Backoff } from '../../retry/backoff.ts';

/** A transiently failed ranged read is tried again, 3 tries in all, 200 ms then 400 ms apart. */
export const rangeReadRetry: { attempts: number; backoff: Backoff } = { attempts: 3, backoff: { baseMs: 200 } };

export interface RangeSource {
  /** For messages and logs: an s3:// URI or an origin, never a path, query or credentials. */
  readonly name: string;
  /** The object's size in bytes, known at open. */
  readonly size: number;
  /** Bytes `start`…`end` (inclusive, within the object), whole; rejects rather than return fewer. */
  read(start: number, end: number, signal: AbortSignal): Promise<Buffer>;
  close(): Promise<void>;
}

/** Why a source cannot be read by ranges: the caller downloads it whole instead, with this as the warning's reason. */
export interface RangesUnsupported {
  unsupported: string;
}

/** Collects a stream into one buffer, refusing more than `expected` bytes. */
export async function collect(stream: AsyncIterable<unknown>, expected: number, tooLong: () => Error): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    length += buffer.length;
    if (length > expected) throw tooLong();
    parts.push(buffer);
  }
  return Buffer.concat(parts, length);
}
