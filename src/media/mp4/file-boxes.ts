// Positional reads of an MP4 file, for walking the top-level boxes of files too large to hold in
// memory (hours-long renditions run to several GB). Offsets are file offsets.
//
// The readers get their bytes from a ByteSource: a complete file of known size (`fileSource`), or
// a file another process is still appending to (src/pipeline/growing-file.ts), which makes them
// wait for the bytes they need. Every bounds check is made against `sizeFor(end)`: a size that is
// at least `end` when that many bytes exist, and otherwise the file's final size. A check of the
// form `x > size` with x ≤ end therefore comes out (and, when it fails, reads) exactly as it does
// against the final size of a complete file, so a growing file is read with the same results and
// the same errors as the finished one.

import { constants } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { decodeBoxHeader, type Box } from './boxes.ts';

/** Where the MP4 readers get their bytes from. */
export interface ByteSource {
  /**
   * Up to `length` bytes from `position`: all of them, unless the file ends before (a file still
   * being written waits for them first, or for its writer to finish).
   */
  read(position: number, length: number): Promise<Buffer>;
  /**
   * A size to check reads that end at or before `end` against: at least `end` once the file holds
   * that many bytes (a file still being written waits until it does), otherwise the file's final
   * size. Never less than an earlier answer.
   */
  sizeFor(end: number): Promise<number>;
}

/** Reads up to `length` bytes at `position` from `file`, stopping early only at the end of the file. */
export async function readUpTo(file: FileHandle, position: number, length: number): Promise<Buffer> {
  if (length > constants.MAX_LENGTH) {
    throw new Error(`MP4: cannot read ${length} bytes at offset ${position} into memory at once`);
  }
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buf, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** A ByteSource over a complete file of `size` bytes. */
export function fileSource(file: FileHandle, size: number): ByteSource {
  return {
    read: (position, length) => readUpTo(file, position, length),
    sizeFor: () => Promise.resolve(size),
  };
}

/** Largest box header: 32-bit size, type, 64-bit largesize (a uuid's extended type is not read). */
const MAX_HEADER = 16;

/**
 * Reads exactly `length` bytes at `position`, which the caller has checked lie before the end of
 * the file; a short read means the file shrank under us.
 */
export async function readBytesAt(source: ByteSource, position: number, length: number): Promise<Buffer> {
  if (length > constants.MAX_LENGTH) {
    throw new Error(`MP4: cannot read ${length} bytes at offset ${position} into memory at once`);
  }
  const buf = await source.read(position, length);
  if (buf.length < length) {
    throw new Error(`MP4: unexpected end of file at offset ${position + buf.length} (wanted ${length} bytes from ${position})`);
  }
  return buf;
}

/**
 * The first bytes of the box at `offset`: all its header can need, or what is left of the file;
 * with the size they were read against (see `ByteSource.sizeFor`).
 */
export async function readHeadAt(source: ByteSource, offset: number): Promise<{ head: Buffer; size: number }> {
  const size = await source.sizeFor(offset + MAX_HEADER);
  return { head: await readBytesAt(source, offset, Math.max(0, Math.min(MAX_HEADER, size - offset))), size };
}

/**
 * Reads the header of the top-level box at `offset`, with the same checks (and error messages) as
 * `readBoxHeader` on the whole file held in a Buffer. On a file still being written it waits until
 * the whole box is there (or the writer is done), so the box it returns lies in the file.
 */
export async function readBoxHeaderAt(source: ByteSource, offset: number): Promise<Box> {
  const { head, size: headSize } = await readHeadAt(source, offset);
  // Where the box ends, so that the check that it fits is made against a size covering it.
  let end = offset + 8;
  if (head.length >= 8) {
    const size32 = head.readUInt32BE(0);
    if (size32 === 0) end = Infinity; // the box runs to the end of the file: its final size is needed
    else if (size32 !== 1) end = offset + size32;
    else if (head.length >= 16) {
      const large = head.readBigUInt64BE(8);
      // Too large a size fails whatever the file holds: no need to wait for the writer.
      end = large > BigInt(Number.MAX_SAFE_INTEGER) ? offset + MAX_HEADER : offset + Number(large);
    }
  }
  const size = Math.max(headSize, await source.sizeFor(end));
  return decodeBoxHeader(head, 0, offset, size);
}
