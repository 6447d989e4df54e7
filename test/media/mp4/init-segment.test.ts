// parseInitSegment and the codec strings, against real ffmpeg output and ffprobe's reading of it.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { readFile } from 'node:fs/promises';
import { readBoxHeader } from '../../../src/media/mp4/boxes.ts';
import { av1CodecString, hevcCodecString } from '../../../src/media/mp4/codec-string.ts';
import { parseInitSegment } from '../../../src/media/mp4/init-segment.ts';
import { GOP_2S, makeAudio, makeTempDir, makeVideo, probeStream, x264Args } from './fixtures.ts';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
before(async () => {
  tmp = await makeTempDir();
});
after(async () => {
  await tmp.cleanup();
});

const H264_PROFILE_IDC: Record<string, number> = { 'Constrained Baseline': 66, Baseline: 66, Main: 77, High: 100 };

test('libx264 High: avc1 string matches the profile and level ffprobe reports', async () => {
  // superfast keeps 8x8 transforms on, so the stream really is High (ultrafast drops to Main).
  const file = await makeVideo(path.join(tmp.dir, 'h264.mp4'), 2, [...x264Args('superfast'), '-profile:v', 'high']);
  const { track, initSize } = parseInitSegment(await readFile(file));
  const probed = await probeStream(file);
  assert.equal(probed.profile, 'High');
  const m = /^avc1\.([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/.exec(track.codecString);
  assert.ok(m, `unexpected codec string ${track.codecString}`);
  assert.equal(parseInt(m[1]!, 16), H264_PROFILE_IDC[probed.profile]);
  assert.equal(parseInt(m[3]!, 16), probed.level);
  assert.equal(track.kind, 'video');
  assert.equal(track.width, 320);
  assert.equal(track.height, 180);
  assert.ok(track.timescale > 0);
  const buf = await readFile(file);
  assert.equal(readBoxHeader(buf, initSize).type, 'moof');
});

test('libx265 tagged hvc1: hvc1.1.6.L<level> with ffprobe level', async () => {
  const file = await makeVideo(path.join(tmp.dir, 'hevc.mp4'), 2, [
    '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=none', ...GOP_2S, '-tag:v', 'hvc1',
  ]);
  const { track } = parseInitSegment(await readFile(file));
  const probed = await probeStream(file);
  assert.ok(track.codecString.startsWith('hvc1.1.6.L'), track.codecString);
  assert.match(track.codecString, new RegExp(`^hvc1\\.1\\.6\\.L${probed.level}(\\.[0-9A-F]{2})*$`));
  assert.equal(track.width, 320);
});

test('libsvtav1: av01.0.LLM.08', async () => {
  const file = await makeVideo(path.join(tmp.dir, 'av1.mp4'), 1, ['-c:v', 'libsvtav1', '-preset', '12', '-g', '30']);
  const { track } = parseInitSegment(await readFile(file));
  assert.match(track.codecString, /^av01\.0\.\d\d[MH]\.08$/);
  assert.equal(track.height, 180);
});

test('AAC-LC: mp4a.40.2, stereo, 48 kHz', async () => {
  const file = await makeAudio(path.join(tmp.dir, 'aac.mp4'), 1);
  const { track } = parseInitSegment(await readFile(file));
  assert.deepEqual(track, { kind: 'audio', timescale: 48000, codecString: 'mp4a.40.2', channels: 2, sampleRate: 48000 });
});

/** Wraps a payload in a box header. */
const box = (type: string, payload: number[]): Buffer =>
  Buffer.concat([Buffer.from([0, 0, 0, 8 + payload.length]), Buffer.from(type, 'latin1'), Buffer.from(payload)]);

test('hvcC: reversed compatibility flags, tier, profile space, trailing zero constraint bytes dropped', () => {
  // Main profile, compatibility flags 1 and 2, level 4 (120), constraint byte 0x90.
  const main = box('hvcC', [1, 0x01, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 120]);
  assert.equal(hevcCodecString('hvc1', main, readBoxHeader(main, 0)), 'hvc1.1.6.L120.90');
  // Profile space 1 (A), high tier, profile 4, compatibility flag 4, level 5.1, two constraint bytes.
  const rext = box('hvcC', [1, 0x64, 0x08, 0, 0, 0, 0xb0, 0x23, 0, 0, 0, 0, 153]);
  assert.equal(hevcCodecString('hev1', rext, readBoxHeader(rext, 0)), 'hev1.A4.10.H153.B0.23');
});

test('av1C: profile, level, tier, bit depth', () => {
  const main8 = box('av1C', [0x81, 0x08, 0x0c, 0]);
  assert.equal(av1CodecString(main8, readBoxHeader(main8, 0)), 'av01.0.08M.08');
  const high10 = box('av1C', [0x81, 0x0d, 0xcc, 0]);
  assert.equal(av1CodecString(high10, readBoxHeader(high10, 0)), 'av01.0.13H.10');
});
