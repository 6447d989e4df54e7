// Where a recording is cut into chunks: on the first frame at or after each multiple of the chunk
// length, only where every rendition has a frame, numbered on the whole asset's GOP and segment
// grids; and the automatic chunk length. Pure.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { autoChunkBounds, autoChunkSeconds, frameTime, planChunks } from '../../src/media/chunk-plan.ts';
import type { TranscodePlan } from '../../src/media/plan.ts';
import type { Rational, VideoRendition } from '../../src/media/types.ts';

function rendition(height: number, frameRate: Rational): VideoRendition {
  return { id: `${height}p`, codec: 'h264', width: Math.round((height * 16) / 9 / 2) * 2, height, frameRate, bitrateKbps: 1000, maxrateKbps: 1000, bufsizeKbps: 2000, crf: 23 };
}

function plan(frameRate: Rational, duration: number, renditions: VideoRendition[] = [rendition(720, frameRate)]): TranscodePlan {
  return {
    source: {
      formatName: 'mp4', duration, sizeBytes: 1,
      video: { index: 0, codec: 'h264', width: 1920, height: 1080, sampleAspectRatio: { num: 1, den: 1 }, rotation: 0, displayWidth: 1920, displayHeight: 1080, frameRate, variableFrameRate: false, interlaced: false, startTime: 0, duration },
    },
    video: renditions, encoder: 'libx264', gopSeconds: 2, segmentSeconds: 6, deinterlace: false,
  };
}

const r30 = { num: 30, den: 1 };
const ntsc = { num: 30000, den: 1001 };
const ntsc60 = { num: 60000, den: 1001 };

describe('planChunks', () => {
  test('30 fps, 30 s in 12 s chunks: 12 + 12 + 6, frames 0/360/720, GOPs 0/6/12, segments 1/3/5', () => {
    const decision = planChunks(plan(r30, 30), 12);
    assert.ok('chunked' in decision);
    assert.deepEqual(decision.chunked.chunks.map((c) => [c.startFrame, c.endFrame, c.startSeconds, c.endSeconds, c.firstGop, c.firstSegment]), [
      [0, 360, 0, 12, 0, 1],
      [360, 720, 12, 24, 6, 3],
      [720, undefined, 24, 30, 12, 5],
    ]);
  });

  test('29.97 fps: a boundary is the first frame at or after it (360 → 12.012 s), never one before', () => {
    const decision = planChunks(plan(ntsc, 40), 12);
    assert.ok('chunked' in decision);
    const starts = decision.chunked.chunks.map((c) => c.startFrame);
    assert.deepEqual(starts, [0, 360, 720, 1079]);
    for (const [i, chunk] of decision.chunked.chunks.entries()) {
      assert.ok(chunk.startSeconds >= i * 12 - 1e-9, `chunk ${i} starts at ${chunk.startSeconds}, not before ${i * 12}`);
      assert.ok(chunk.startSeconds - i * 12 < 1001 / 30000, `chunk ${i} starts within one frame of ${i * 12}`);
      assert.equal(chunk.startSeconds, frameTime(chunk.startFrame, ntsc));
    }
  });

  test('a rung capped to half the rate: boundaries move to the nearest segment boundary where it has a frame', () => {
    // 59.94 → 29.97: the capped rung has frames on even source frames only. At 24 s the source
    // frame is 1439 (odd), at 18 s and 30 s 1079 and 1799 (odd too); 12 s chunks may move by one
    // segment only, so they are refused.
    const capped = [rendition(1080, ntsc60), rendition(360, ntsc)];
    const refused = planChunks(plan(ntsc60, 40, capped), 12);
    assert.ok('unchunked' in refused);
    assert.match(refused.unchunked, /360p has no frame where a chunk would start \(near 24 s\)/);
    // 24 s chunks may move by two segments: 24 → 36 s (frame 2158); 48 s is frame 2878, even.
    const moved = planChunks(plan(ntsc60, 60, capped), 24);
    assert.ok('chunked' in moved, JSON.stringify(moved));
    assert.deepEqual(moved.chunked.chunks.map((c) => [c.startFrame, c.firstSegment, c.firstGop]), [[0, 1, 0], [2158, 7, 18], [2878, 9, 24]]);
    for (const chunk of moved.chunked.chunks) assert.equal(chunk.startFrame % 2, 0, 'every chunk starts on a frame of the capped rung');
  });

  test('refused: no video, chunk length not a multiple of the segment, not longer than one chunk', () => {
    const audioOnly: TranscodePlan = { ...plan(r30, 60), video: [] };
    assert.match((planChunks(audioOnly, 12) as { unchunked: string }).unchunked, /no video/);
    assert.match((planChunks(plan(r30, 60), 10) as { unchunked: string }).unchunked, /not a multiple of the segment duration 6 s/);
    assert.match((planChunks(plan(r30, 12), 12) as { unchunked: string }).unchunked, /not longer than one chunk/);
    assert.match((planChunks(plan(r30, 60), 0) as { unchunked: string }).unchunked, /off/);
  });

  test('a boundary on the very end adds no empty chunk', () => {
    const decision = planChunks(plan(r30, 24.01), 12);
    assert.ok('chunked' in decision);
    assert.equal(decision.chunked.chunks.length, 2);
  });
});

describe('autoChunkSeconds', () => {
  test('one chunk per slot, within the bounds, a multiple of the segment; 0 when chunks would not help', () => {
    assert.equal(autoChunkSeconds(120, 6, 2), 60);
    assert.equal(autoChunkSeconds(3600, 6, 50), 72);
    assert.equal(autoChunkSeconds(3600, 6, 2), autoChunkBounds.max);
    assert.equal(autoChunkSeconds(3600, 6, 1000), autoChunkBounds.min);
    assert.equal(autoChunkSeconds(100, 6, 3), 36, '33.3 s rounded up to a whole segment multiple');
    assert.equal(autoChunkSeconds(59, 6, 4), 0, 'under a minute: whole');
    assert.equal(autoChunkSeconds(3600, 6, 1), 0, 'one slot: whole');
  });
});
