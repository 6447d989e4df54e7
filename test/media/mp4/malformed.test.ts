// The box reader and parsers on malformed input: every failure is an Error naming box and offset.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { BoxCursor, children, readBoxHeader } from '../../../src/media/mp4/boxes.ts';
import { parseFragments } from '../../../src/media/mp4/fragments.ts';
import { parseInitSegment } from '../../../src/media/mp4/init-segment.ts';
import { ffmpeg, makeTempDir, makeVideo, x264Args } from './fixtures.ts';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let video: Buffer;
before(async () => {
  tmp = await makeTempDir();
  video = await readFile(await makeVideo(path.join(tmp.dir, 'v.mp4'), 4, x264Args()));
});
after(async () => {
  await tmp.cleanup();
});

const header = (size: number, type: string): Buffer =>
  Buffer.concat([Buffer.from([size >>> 24, (size >> 16) & 255, (size >> 8) & 255, size & 255]), Buffer.from(type, 'latin1')]);

test('box sizes: 32-bit, 64-bit largesize, 0 = to the end', () => {
  const large = Buffer.alloc(24);
  large.writeUInt32BE(1, 0);
  large.write('free', 4, 'latin1');
  large.writeBigUInt64BE(24n, 8);
  assert.deepEqual(readBoxHeader(large, 0), { type: 'free', start: 0, headerSize: 16, contentStart: 16, end: 24 });

  const nested = Buffer.concat([header(0, 'moov'), header(8, 'mvex'), header(0, 'trak'), Buffer.alloc(4)]);
  const moov = readBoxHeader(nested, 0);
  assert.equal(moov.end, nested.length);
  assert.deepEqual(children(nested, moov).map((b) => [b.type, b.start, b.end]), [['mvex', 8, 16], ['trak', 16, 28]]);
});

test('bad sizes and short reads name the box and offset', () => {
  assert.throws(() => readBoxHeader(Buffer.from([0, 0, 0]), 0), /truncated box header at offset 0/);
  assert.throws(() => readBoxHeader(header(4, 'moov'), 0), /box 'moov' at offset 0: size 4 is smaller than its header/);
  assert.throws(() => readBoxHeader(Buffer.concat([Buffer.alloc(8), header(100, 'mdat')]), 8), /box 'mdat' at offset 8: size 100 runs past/);
  const huge = Buffer.concat([header(1, 'mdat'), Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0])]);
  assert.throws(() => readBoxHeader(huge, 0), /box 'mdat' at offset 0: largesize .* too large/);
  const tfdt = Buffer.concat([header(12, 'tfdt'), Buffer.alloc(4)]);
  const c = new BoxCursor(tfdt, readBoxHeader(tfdt, 0));
  c.u32();
  assert.throws(() => c.u64('baseMediaDecodeTime'), /box 'tfdt' at offset 0: cannot read baseMediaDecodeTime/);
});

test('garbage and empty input are rejected', () => {
  assert.throws(() => parseInitSegment(Buffer.from('this is certainly not an mp4 file')), /^Error: MP4: box ' is ' at offset 0: size \d+ runs past the end/);
  assert.throws(() => parseInitSegment(Buffer.alloc(0)), /no 'moov' box/);
  assert.throws(() => parseFragments(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), 0), /MP4: box '.*' at offset 0/);
});

test('truncated files fail in the init or in the cut fragment', () => {
  const { initSize } = parseInitSegment(video);
  assert.throws(() => parseInitSegment(video.subarray(0, 300)), /box 'moov' at offset \d+: size \d+ runs past/);
  const fragments = parseFragments(video, initSize);
  const last = fragments[fragments.length - 1]!;
  assert.throws(() => parseFragments(video.subarray(0, last.offset + last.size - 10), initSize), /box 'mdat' at offset \d+: .* truncated/);
  // A moof whose mdat is missing altogether.
  const moofEnd = readBoxHeader(video, last.offset).end;
  assert.throws(() => parseFragments(video.subarray(0, moofEnd), initSize), new RegExp(`moof at offset ${last.offset} is not followed by an mdat`));
  // A moof corrupted inside: the traf claims more bytes than the moof holds.
  const corrupt = Buffer.from(video);
  corrupt.writeUInt32BE(0x7fff, last.offset + 8 + 16);
  assert.throws(() => parseFragments(corrupt, initSize), /box 'traf' at offset \d+: size 32767 runs past/);
});

test('unsupported and unfragmented inputs are explained', async () => {
  const mp4v = path.join(tmp.dir, 'mp4v.mp4');
  await makeVideo(mp4v, 1, ['-c:v', 'mpeg4']);
  await assert.rejects(async () => parseInitSegment(await readFile(mp4v)), /unsupported video sample entry 'mp4v'/);
  const plain = path.join(tmp.dir, 'plain.mp4');
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=64x64:rate=10:duration=1', '-c:v', 'libx264', '-movflags', '+faststart', plain]);
  await assert.rejects(async () => parseInitSegment(await readFile(plain)), /has no 'mvex'; the file is not fragmented/);
});
