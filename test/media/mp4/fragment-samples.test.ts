// Samples out of a fragment and a fragment out of samples: what a clip's audio copy is made of.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFragments } from '../../../src/media/mp4/fragments.ts';
import { readFragmentSamples, writeFragment, type FragmentSamples, type Sample } from '../../../src/media/mp4/fragment-samples.ts';
import { audioFramesOf } from '../../../src/pipeline/clip/make-clip.ts';

const frame = (n: number, duration = 1024): Sample => ({ duration, flags: 0x2000000, compositionOffset: 0, data: Buffer.from(`frame-${n}-`.repeat(3)) });
const fragment = (decodeTime: number, from: number, count: number): FragmentSamples => ({ trackId: 2, decodeTime, samples: Array.from({ length: count }, (_, i) => frame(from + i)) });

describe('fragment samples', () => {
  it('reads back what it writes: times, sizes, flags and bytes; parseFragments sees one fragment of them', () => {
    const written = writeFragment(fragment(90_000, 0, 5), 7);
    const read = readFragmentSamples(written);
    assert.equal(read.trackId, 2);
    assert.equal(read.decodeTime, 90_000);
    assert.deepEqual(read.samples.map((s) => [s.duration, s.flags, s.data.toString()]), fragment(90_000, 0, 5).samples.map((s) => [s.duration, s.flags, s.data.toString()]));
    const [parsed] = parseFragments(written, 0);
    assert.equal(parsed?.sampleCount, 5);
    assert.equal(parsed?.duration, 5 * 1024);
    assert.equal(parsed?.size, written.length);
  });

  it('keeps signed composition offsets when a sample has one', () => {
    const samples = [frame(0), { ...frame(1), compositionOffset: -512 }];
    const read = readFragmentSamples(writeFragment({ trackId: 1, decodeTime: 0, samples }, 1));
    assert.deepEqual(read.samples.map((s) => s.compositionOffset), [0, -512]);
  });
});

describe('audio frames of a clip', () => {
  // Two fragments of 10 frames of 1024 ticks from 10 240.
  const fragments = [fragment(10_240, 10, 10), fragment(20_480, 20, 10)];
  const names = (picked: { samples: Sample[] } | undefined): string[] => (picked?.samples ?? []).map((s) => s.data.toString().split('-')[1] ?? '');

  it('starts on the frame nearest the start, across a fragment boundary', () => {
    // Frame 19 starts at 19 456 and frame 20 at 20 480: 20 000 is nearer 20 480, 19 900 nearer 19 456.
    assert.equal(names(audioFramesOf(fragments, 20_000, 3 * 1024))[0], '20');
    assert.equal(names(audioFramesOf(fragments, 19_900, 3 * 1024))[0], '19');
  });

  it('ends on the frame that ends nearest the end: a frame is kept while no more than half of it runs past', () => {
    assert.equal(audioFramesOf(fragments, 10_240, 3 * 1024 + 511)?.samples.length, 3);
    assert.equal(audioFramesOf(fragments, 10_240, 3 * 1024 + 512)?.samples.length, 4);
  });

  it('stops at the last frame given, and answers nothing for no frames', () => {
    assert.equal(audioFramesOf(fragments, 10_240, 100 * 1024)?.samples.length, 20);
    assert.equal(audioFramesOf([], 0, 1024), undefined);
  });
});
