// Moving a chunk's fragment onto the recording's timeline: tfdt and mfhd rewritten in place,
// nothing else touched; a 32-bit tfdt that would overflow is refused. Hand-built boxes.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseFragments } from '../../../src/media/mp4/fragments.ts';
import { shiftFragment } from '../../../src/media/mp4/shift-fragment.ts';
import { box } from './fixtures.ts';

const full = (version: number, flags: number, body: Buffer): Buffer => Buffer.concat([Buffer.from([version, (flags >> 16) & 0xff, (flags >> 8) & 0xff, flags & 0xff]), body]);
const u32 = (...values: number[]): Buffer => Buffer.concat(values.map((v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b; }));

/** moof(mfhd, traf(tfhd with default duration/size/flags, tfdt, trun of 2 samples)) + mdat. */
function fragment(sequence: number, decodeTime: number, tfdtVersion: 0 | 1): Buffer {
  const tfdtBody = tfdtVersion === 1 ? (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(decodeTime)); return b; })() : u32(decodeTime);
  const moofWithout = (offset: number) => box('moof', Buffer.concat([
    box('mfhd', full(0, 0, u32(sequence))),
    box('traf', Buffer.concat([
      box('tfhd', full(0, 0x20000 | 0x08 | 0x10 | 0x20, u32(1, 512, 10, 0))),
      box('tfdt', full(tfdtVersion, 0, tfdtBody)),
      box('trun', full(0, 0x01 | 0x04, u32(2, offset, 0))),
    ])),
  ]));
  const size = moofWithout(0).length;
  return Buffer.concat([moofWithout(size + 8), box('mdat', Buffer.alloc(20, 7))]);
}

describe('shiftFragment', () => {
  test('adds the chunk start to a 64-bit tfdt and the fragments before to the sequence number', () => {
    const bytes = fragment(1, 1024, 1);
    const before = Buffer.from(bytes);
    assert.equal(shiftFragment(bytes, { decodeTicks: 153_600, sequence: 6 }), 154_624);
    const [parsed] = parseFragments(bytes, 0);
    assert.equal(parsed?.decodeTime, 154_624);
    assert.equal(bytes.readUInt32BE(8 + 8 + 4), 7, 'mfhd sequence 1 + 6');
    const changed = [...bytes.keys()].filter((i) => bytes[i] !== before[i]);
    assert.ok(changed.length > 0 && changed.length <= 8 + 4, `only tfdt and mfhd bytes change (${changed.length})`);
    assert.equal(bytes.length, before.length);
  });

  test('a 32-bit tfdt is shifted when it fits, refused when it would overflow', () => {
    const small = fragment(3, 100, 0);
    assert.equal(shiftFragment(small, { decodeTicks: 1000, sequence: 0 }), 1100);
    assert.equal(parseFragments(small, 0)[0]?.decodeTime, 1100);
    assert.throws(() => shiftFragment(fragment(3, 100, 0), { decodeTicks: 0xffff_ffff, sequence: 0 }), /does not fit the fragment's 32-bit tfdt/);
  });

  test('anything but a moof is refused', () => {
    assert.throws(() => shiftFragment(box('mdat', Buffer.alloc(8)), { decodeTicks: 1, sequence: 1 }), /must start with moof, found 'mdat'/);
  });
});
