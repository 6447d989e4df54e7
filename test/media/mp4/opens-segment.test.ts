// opensSegment: the one cutting rule behind groupFragments and the streaming packager.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { opensSegment } from '../../../src/media/mp4/segmenter.ts';

const at = (decodeTime: number, startsWithKeyframe = true) => ({ decodeTime, startsWithKeyframe });

test('the first fragment always opens a segment, keyframe or not', () => {
  assert.equal(opensSegment(at(7, false), undefined, 1, 6), true);
});

test('a keyframe fragment opens a segment once it reaches a later slot than the segment began in', () => {
  assert.equal(opensSegment(at(4), at(0), 1, 6), false);
  assert.equal(opensSegment(at(6), at(0), 1, 6), true);
  assert.equal(opensSegment(at(6, false), at(0), 1, 6), false);
  // A segment that began mid-slot (at 4 s) still ends at the 6 s boundary, and one that ran
  // long (waiting for a keyframe) ends at the first keyframe in any later slot.
  assert.equal(opensSegment(at(6), at(4), 1, 6), true);
  assert.equal(opensSegment(at(13), at(0), 1, 6), true);
  // 0.6 / 0.2 is 2.9999999999999996 in floating point; 0.6 s is still slot 3.
  assert.equal(opensSegment(at(6), at(4), 10, 0.2), true);
});

test('bad arguments throw', () => {
  assert.throws(() => opensSegment(at(0), undefined, 0, 6), /timescale/);
  assert.throws(() => opensSegment(at(0), undefined, 1, Number.NaN), /segmentSeconds/);
});
