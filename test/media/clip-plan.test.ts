// The cut of one rendition: which GOPs a clip copies and which frames it re-encodes, on the frame
// grid (30 fps and 29.97 fps at ffmpeg's timescales), at and between GOP boundaries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClipRangeError, cutRendition, segmentsAround } from '../../src/media/clip-plan.ts';

/** `count` GOPs of `frames` frames each, `frameTicks` ticks a frame, from 0. */
function gops(count: number, frames: number, frameTicks: number) {
  return Array.from({ length: count }, (_, i) => ({ decodeTime: i * frames * frameTicks, duration: frames * frameTicks }));
}

describe('cutRendition', () => {
  const thirty = { num: 30, den: 1 };
  const fragments = gops(10, 60, 512); // 20 s at 30 fps, timescale 15360

  it('re-encodes the frames of the GOP at each cut and copies every GOP between', () => {
    const cut = cutRendition(fragments, 15360, thirty, { startSeconds: 7.3, endSeconds: 13.55 });
    assert.equal(cut.frameTicks, 512);
    assert.equal(cut.firstFrameSeconds, 219 / 30);
    assert.equal(cut.frames, 407 - 219);
    assert.deepEqual(cut.pieces, [
      { kind: 'encode', fragment: 3, fromFrame: 39, toFrame: 60 },
      { kind: 'copy', fragment: 4 },
      { kind: 'copy', fragment: 5 },
      { kind: 'encode', fragment: 6, fromFrame: 0, toFrame: 47 },
    ]);
  });

  it('re-encodes nothing when both cuts lie on GOP boundaries', () => {
    const cut = cutRendition(fragments, 15360, thirty, { startSeconds: 4, endSeconds: 20 });
    assert.deepEqual(cut.pieces.map((p) => p.kind), Array(8).fill('copy'));
    assert.equal(cut.frames, 480);
  });

  it('cuts both ends inside one GOP as a single piece', () => {
    const cut = cutRendition(fragments, 15360, thirty, { startSeconds: 2.5, endSeconds: 3.5 });
    assert.deepEqual(cut.pieces, [{ kind: 'encode', fragment: 1, fromFrame: 15, toFrame: 45 }]);
  });

  it('takes the first frame at or after start, a time written with three decimals naming its frame (29.97 fps)', () => {
    const ntsc = { num: 30000, den: 1001 };
    const cut = cutRendition(gops(5, 60, 1001), 30000, ntsc, { startSeconds: 2.069, endSeconds: 6 });
    // Frame 62 is at 2.06873 s, written 2.069: that names it (half a millisecond of slack), not frame 63.
    assert.equal(cut.firstFrameSeconds, (62 * 1001) / 30000);
    assert.deepEqual(cut.pieces[0], { kind: 'encode', fragment: 1, fromFrame: 2, toFrame: 60 });
  });

  it('reads an end past the track\'s last frame as its end when the fragments end the track (the audio may run longer)', () => {
    const cut = cutRendition(fragments, 15360, thirty, { startSeconds: 18, endSeconds: 20.021 }, true);
    assert.equal(cut.frames, 60);
    assert.deepEqual(cut.pieces, [{ kind: 'copy', fragment: 9 }]);
    assert.throws(() => cutRendition(fragments, 15360, thirty, { startSeconds: 18, endSeconds: 20.021 }), ClipRangeError);
  });

  it('refuses a range outside the fragments given, or a frame rate off the tick grid', () => {
    assert.throws(() => cutRendition(fragments, 15360, thirty, { startSeconds: 18, endSeconds: 21 }), ClipRangeError);
    assert.throws(() => cutRendition(fragments, 15360, { num: 7, den: 1 }, { startSeconds: 1, endSeconds: 2 }), /not a whole number of ticks/);
  });
});

describe('segmentsAround', () => {
  it('names the segments that may hold the range, with a slot of slack each side, within the track', () => {
    assert.deepEqual(segmentsAround({ startSeconds: 7.3, endSeconds: 13.55 }, 6, 10), [1, 2, 3, 4]);
    assert.deepEqual(segmentsAround({ startSeconds: 0, endSeconds: 5 }, 6, 10), [1, 2]);
    assert.deepEqual(segmentsAround({ startSeconds: 50, endSeconds: 60 }, 6, 10), [8, 9, 10]);
  });
});
