// A small, bounds-checked ISO-BMFF (MP4) box reader over a Buffer. Every read is checked
// against the enclosing box, so malformed or truncated input fails with an Error that names
// the box and its offset instead of reading garbage or throwing a bare RangeError.

/** Where one box lies in the buffer. All offsets are indices into the buffer being read. */
export interface Box {
  /** Four-character type, e.g. `moov`. Non-printable bytes are shown as `\xNN`. */
  type: string;
  /** Offset of the first header byte. */
  start: number;
  /** 8, or 16 with a 64-bit largesize (uuid boxes add 16 more). */
  headerSize: number;
  /** Offset of the first payload byte (start + headerSize). */
  contentStart: number;
  /** Offset just past the box. */
  end: number;
}

/** Full-box header (ISO/IEC 14496-12 4.2): version, 24-bit flags, payload after them. */
export interface FullBoxHeader {
  version: number;
  flags: number;
  contentStart: number;
}

function fourcc(buf: Buffer, at: number): string {
  let s = '';
  for (let i = 0; i < 4; i++) {
    const c = buf[at + i] ?? 0;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s;
}

/**
 * Reads the header of the box at `offset`, which must lie entirely before `limit` (the end of
 * the parent box or of the buffer). A size of 0 means the box runs to `limit`.
 */
export function readBoxHeader(buf: Buffer, offset: number, limit: number = buf.length): Box {
  if (limit > buf.length) limit = buf.length;
  return decodeBoxHeader(buf, offset, offset, limit);
}

/**
 * Decodes a box header whose bytes are in `head` from `at`, for a box that starts at `offset` of
 * a larger space (a file read in pieces) in a container ending at `limit`; offsets in the Box and
 * in errors are in that space. `head` must hold min(16, limit - offset) bytes from `at`.
 */
export function decodeBoxHeader(head: Buffer, at: number, offset: number, limit: number): Box {
  if (offset + 8 > limit) {
    throw new Error(`MP4: truncated box header at offset ${offset} (only ${limit - offset} bytes left)`);
  }
  const type = fourcc(head, at + 4);
  const size32 = head.readUInt32BE(at);
  let headerSize = 8;
  let size: number;
  if (size32 === 1) {
    if (offset + 16 > limit) {
      throw new Error(`MP4: box '${type}' at offset ${offset}: truncated 64-bit largesize`);
    }
    const big = head.readBigUInt64BE(at + 8);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new Error(`MP4: box '${type}' at offset ${offset}: largesize ${big} is too large`);
    }
    size = Number(big);
    headerSize = 16;
  } else if (size32 === 0) {
    size = limit - offset;
  } else {
    size = size32;
  }
  if (type === 'uuid') headerSize += 16;
  if (size < headerSize) {
    throw new Error(`MP4: box '${type}' at offset ${offset}: size ${size} is smaller than its header (${headerSize})`);
  }
  const end = offset + size;
  if (end > limit) {
    throw new Error(
      `MP4: box '${type}' at offset ${offset}: size ${size} runs past the end of its container ` +
        `(ends at ${end}, container ends at ${limit}); the data is truncated or corrupt`,
    );
  }
  return { type, start: offset, headerSize, contentStart: offset + headerSize, end };
}

/** Iterates over the boxes laid end to end in [start, end). */
export function* iterateBoxes(buf: Buffer, start: number, end: number = buf.length): Generator<Box> {
  let pos = start;
  while (pos < end) {
    const box = readBoxHeader(buf, pos, end);
    yield box;
    pos = box.end;
  }
}

/** The child boxes of a container box; `skip` bytes of payload come before the first child. */
export function children(buf: Buffer, parent: Box, skip = 0): Box[] {
  return [...iterateBoxes(buf, parent.contentStart + skip, parent.end)];
}

export function findChild(buf: Buffer, parent: Box, type: string, skip = 0): Box | undefined {
  return children(buf, parent, skip).find((b) => b.type === type);
}

/** Like findChild but throws when the child is missing. */
export function requireChild(buf: Buffer, parent: Box, type: string, skip = 0): Box {
  const box = findChild(buf, parent, type, skip);
  if (!box) throw new Error(`MP4: box '${parent.type}' at offset ${parent.start} has no '${type}' child`);
  return box;
}

/** Follows a path of nested box types, e.g. `['mdia', 'minf', 'stbl']`, from `parent`. */
export function requirePath(buf: Buffer, parent: Box, path: readonly string[]): Box {
  let box = parent;
  for (const type of path) box = requireChild(buf, box, type);
  return box;
}

export function readFullBoxHeader(buf: Buffer, box: Box): FullBoxHeader {
  if (box.contentStart + 4 > box.end) {
    throw new Error(`MP4: full box '${box.type}' at offset ${box.start} is too short for version/flags`);
  }
  return {
    version: buf.readUInt8(box.contentStart),
    flags: buf.readUIntBE(box.contentStart + 1, 3),
    contentStart: box.contentStart + 4,
  };
}

/**
 * A bounds-checked sequential reader over part of a box payload. Reads past `end` throw an
 * Error naming the box, so field parsing code needs no length checks of its own.
 */
export class BoxCursor {
  readonly buf: Buffer;
  readonly box: Box;
  readonly end: number;
  pos: number;

  constructor(buf: Buffer, box: Box, pos: number = box.contentStart, end: number = box.end) {
    this.buf = buf;
    this.box = box;
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private take(n: number, what: string): number {
    if (n < 0 || this.pos + n > this.end) {
      throw new Error(
        `MP4: box '${this.box.type}' at offset ${this.box.start}: cannot read ${what} (${n} bytes) ` +
          `at offset ${this.pos}, payload ends at ${this.end}`,
      );
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(what = 'u8'): number {
    return this.buf.readUInt8(this.take(1, what));
  }
  u16(what = 'u16'): number {
    return this.buf.readUInt16BE(this.take(2, what));
  }
  u24(what = 'u24'): number {
    return this.buf.readUIntBE(this.take(3, what), 3);
  }
  u32(what = 'u32'): number {
    return this.buf.readUInt32BE(this.take(4, what));
  }
  i32(what = 'i32'): number {
    return this.buf.readInt32BE(this.take(4, what));
  }
  /** Unsigned 64-bit value; throws above Number.MAX_SAFE_INTEGER rather than losing precision. */
  u64(what = 'u64'): number {
    const v = this.buf.readBigUInt64BE(this.take(8, what));
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new Error(`MP4: box '${this.box.type}' at offset ${this.box.start}: ${what} ${v} exceeds 2^53`);
    }
    return Number(v);
  }
  skip(n: number, what = 'reserved bytes'): void {
    this.take(n, what);
  }
  bytes(n: number, what = 'bytes'): Buffer {
    const at = this.take(n, what);
    return this.buf.subarray(at, at + n);
  }
  fourcc(what = 'fourcc'): string {
    return fourcc(this.buf, this.take(4, what));
  }
}
