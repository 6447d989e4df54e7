// parseFragments on a 13 s, 2 s-GOP libx264 file written with the packager's video movflags.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseFragments } from '../../../src/media/mp4/fragments.ts';
import { parseInitSegment } from '../../../src/media/mp4/init-segment.ts';
import { makeTempDir, makeVideo, probeStream, x264Args } from './fixtures.ts';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let file: string;
before(async () => {
  tmp = await makeTempDir();
  file = await makeVideo(path.join(tmp.dir, 'v.mp4'), 13, x264Args());
});
after(async () => {
  await tmp.cleanup();
});

test('13 s of 2 s GOPs: 7 keyframe fragments at 0, 2, 4 … s covering the stream', async () => {
  const buf = await readFile(file);
  const { track, initSize } = parseInitSegment(buf);
  const fragments = parseFragments(buf, initSize);
  assert.equal(fragments.length, 7);
  assert.deepEqual(
    fragments.map((f) => f.decodeTime / track.timescale),
    [0, 2, 4, 6, 8, 10, 12],
  );
  assert.ok(fragments.every((f) => f.startsWithKeyframe));
  assert.deepEqual(fragments.map((f) => f.sampleCount), [60, 60, 60, 60, 60, 60, 30]);
  const total = fragments.reduce((sum, f) => sum + f.duration, 0) / track.timescale;
  const probed = await probeStream(file);
  assert.ok(Math.abs(total - Number(probed.duration)) < 1e-6, `${total} vs ${probed.duration}`);

  // Fragments tile the file from the init up to the mfra, and each I-frame lies inside its fragment.
  let pos = initSize;
  for (const f of fragments) {
    assert.equal(f.offset, pos);
    assert.equal(buf.toString('latin1', f.offset + 4, f.offset + 8), 'moof');
    assert.ok(f.firstSampleEnd > 0 && f.firstSampleEnd < f.size);
    pos += f.size;
  }
  // Only ffmpeg's trailing mfra index (ignored) follows the last fragment.
  assert.equal(buf.toString('latin1', pos + 4, pos + 8), 'mfra');
});

test('a slice with a base offset yields the same file offsets', async () => {
  const buf = await readFile(file);
  const { initSize } = parseInitSegment(buf);
  const whole = parseFragments(buf, initSize);
  const second = whole[1]!;
  const slice = buf.subarray(second.offset);
  assert.deepEqual(parseFragments(slice, 0, second.offset), whole.slice(1));
});
