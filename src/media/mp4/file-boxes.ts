// Positional reads of an MP4 file through a FileHandle, for walking the top-level boxes of files
// too large to hold in memory (hours-long renditions run to several GB). Offsets are file offsets.

import { constants } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import { decodeBoxHeader, type Box } from './boxes.ts';

/** Largest box header: 32-bit size, type, 64-bit largesize (a uuid's extended type is not read). */
const MAX_HEADER = 16;

/**
 * Reads exactly `length` bytes at `position`, which the caller has checked lie before the end of
 * the file; a short read means the file shrank under us.
 */
export async function readBytesAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  if (length > constants.MAX_LENGTH) {
    throw new Error(`MP4: cannot read ${length} bytes at offset ${position} into memory at once`);
  }
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await file.read(buf, done, length - done, position + done);
    if (bytesRead === 0) {
      throw new Error(`MP4: unexpected end of file at offset ${position + done} (wanted ${length} bytes from ${position})`);
    }
    done += bytesRead;
  }
  return buf;
}

/** The first bytes of the box at `offset`: all its header can need, or what is left of the file. */
export async function readHeadAt(file: FileHandle, offset: number, fileSize: number): Promise<Buffer> {
  return readBytesAt(file, offset, Math.max(0, Math.min(MAX_HEADER, fileSize - offset)));
}

/**
 * Reads the header of the top-level box at `offset` of a file of `fileSize` bytes, with the same
 * checks (and error messages) as `readBoxHeader` on the whole file held in a Buffer.
 */
export async function readBoxHeaderAt(file: FileHandle, offset: number, fileSize: number): Promise<Box> {
  return decodeBoxHeader(await readHeadAt(file, offset, fileSize), 0, offset, fileSize);
}
