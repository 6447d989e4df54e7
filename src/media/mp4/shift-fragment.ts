// Moves one fragment (moof + mdat, as ffmpeg wrote it for a chunk) onto the whole recording's
// timeline: adds a chunk's start to its tfdt and a chunk's fragment count to its mfhd sequence
// number, in place. Nothing else in a fragment depends on where it sits (default-base-is-moof).
import { readFullBoxHeader, requireChild, readBoxHeader } from './boxes.ts';

const maxU32 = 0xffff_ffff;

/** Rewrites `bytes` (one fragment, moof first) in place. Returns the new decode time. */
export function shiftFragment(bytes: Buffer, shift: { decodeTicks: number; sequence: number }): number {
  const moof = readBoxHeader(bytes, 0);
  if (moof.type !== 'moof') throw new Error(`MP4: a fragment must start with moof, found '${moof.type}'`);
  const mfhd = requireChild(bytes, moof, 'mfhd');
  const sequenceAt = readFullBoxHeader(bytes, mfhd).contentStart;
  bytes.writeUInt32BE(bytes.readUInt32BE(sequenceAt) + shift.sequence, sequenceAt);

  const tfdt = requireChild(bytes, requireChild(bytes, moof, 'traf'), 'tfdt');
  const { version, contentStart } = readFullBoxHeader(bytes, tfdt);
  if (version === 1) {
    const shifted = bytes.readBigUInt64BE(contentStart) + BigInt(shift.decodeTicks);
    bytes.writeBigUInt64BE(shifted, contentStart);
    return Number(shifted);
  }
  const shifted = bytes.readUInt32BE(contentStart) + shift.decodeTicks;
  // A 32-bit tfdt cannot be widened in place: the box would grow and move the data offsets.
  if (shifted > maxU32) throw new Error(`MP4: the decode time ${shifted} does not fit the fragment's 32-bit tfdt`);
  bytes.writeUInt32BE(shifted, contentStart);
  return shifted;
}

/** Puts a fragment at `decodeTicks` with sequence number `sequence` (absolute, in place): a clip's copied GOPs. */
export function placeFragment(bytes: Buffer, at: { decodeTicks: number; sequence: number }): void {
  const moof = readBoxHeader(bytes, 0);
  if (moof.type !== 'moof') throw new Error(`MP4: a fragment must start with moof, found '${moof.type}'`);
  const sequence = bytes.readUInt32BE(readFullBoxHeader(bytes, requireChild(bytes, moof, 'mfhd')).contentStart);
  const tfdt = requireChild(bytes, requireChild(bytes, moof, 'traf'), 'tfdt');
  const { version, contentStart } = readFullBoxHeader(bytes, tfdt);
  const decodeTime = version === 1 ? Number(bytes.readBigUInt64BE(contentStart)) : bytes.readUInt32BE(contentStart);
  shiftFragment(bytes, { decodeTicks: at.decodeTicks - decodeTime, sequence: at.sequence - sequence });
}

/**
 * A fragment put at `at` without touching `bytes`: a placed copy of its moof (the only box that
 * changes) and the rest as a view of the original, to be written one after the other.
 */
export function placedCopy(bytes: Buffer, at: { decodeTicks: number; sequence: number }): [Buffer, Buffer] {
  const moof = readBoxHeader(bytes, 0);
  const head = Buffer.from(bytes.subarray(0, moof.end));
  placeFragment(head, at);
  return [head, bytes.subarray(moof.end)];
}
