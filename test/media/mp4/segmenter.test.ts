// groupFragments: pure cases plus the real 13 s video and audio layouts.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseFragments } from '../../../src/media/mp4/fragments.ts';
import { parseInitSegment } from '../../../src/media/mp4/init-segment.ts';
import { groupFragments } from '../../../src/media/mp4/segmenter.ts';
import type { Fragment } from '../../../src/media/types.ts';
import { makeAudio, makeTempDir, makeVideo, x264Args } from './fixtures.ts';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
before(async () => {
  tmp = await makeTempDir();
});
after(async () => {
  await tmp.cleanup();
});

const frag = (decodeTime: number, duration: number, startsWithKeyframe = true): Fragment => ({
  offset: 0, size: 1, decodeTime, duration, sampleCount: 1, startsWithKeyframe, firstSampleEnd: 1,
});

async function groupedSeconds(file: string): Promise<number[]> {
  const buf = await readFile(file);
  const { track, initSize } = parseInitSegment(buf);
  const groups = groupFragments(parseFragments(buf, initSize), track.timescale, 6);
  return groups.map((g) => g.reduce((sum, f) => sum + f.duration, 0) / track.timescale);
}

test('13 s video in 2 s fragments groups into 6, 6 and 1 s', async () => {
  const seconds = await groupedSeconds(await makeVideo(path.join(tmp.dir, 'v.mp4'), 13, x264Args()));
  assert.deepEqual(seconds, [6, 6, 1]);
});

test('~13 s audio in ~2 s fragments groups into 3 segments of about 6 s', async () => {
  const seconds = await groupedSeconds(await makeAudio(path.join(tmp.dir, 'a.mp4'), 13));
  assert.equal(seconds.length, 3);
  assert.ok(Math.abs(seconds[0]! - 6) < 0.1 && Math.abs(seconds[1]! - 6) < 0.1, seconds.join(','));
});

test('boundaries use absolute time, tolerate rounding, and wait for a keyframe', () => {
  // 0.6 / 0.2 is 2.9999999999999996 in floating point; the fragment at 0.6 s still opens slot 3.
  const g = groupFragments([frag(0, 2), frag(2, 2), frag(4, 2), frag(6, 2)], 10, 0.2);
  assert.deepEqual(g.map((x) => x.length), [1, 1, 1, 1]);
  // Starting mid-slot (t = 4 s): the first group ends at the 6 s boundary.
  assert.deepEqual(groupFragments([frag(4, 2), frag(6, 2), frag(8, 2)], 1, 6).map((x) => x.length), [1, 2]);
  // A fragment without a keyframe never opens a segment.
  assert.deepEqual(groupFragments([frag(0, 6), frag(6, 1, false), frag(7, 2)], 1, 6).map((x) => x.length), [2, 1]);
});

test('no fragments, no groups; bad arguments throw', () => {
  assert.deepEqual(groupFragments([], 1000, 6), []);
  assert.throws(() => groupFragments([frag(0, 1)], 0, 6), /timescale/);
  assert.throws(() => groupFragments([frag(0, 1)], 1, 0), /segmentSeconds/);
});
