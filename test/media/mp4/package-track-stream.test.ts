// packageTrack streams its input: onSegment delivery, agreement with the in-memory reading of the
// same file (also with 64-bit box sizes and boxes between fragments), and errors part way through.

import assert from 'node:assert/strict';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { readBoxHeader } from '../../../src/media/mp4/boxes.ts';
import { parseFragments } from '../../../src/media/mp4/fragments.ts';
import { parseInitSegment } from '../../../src/media/mp4/init-segment.ts';
import { groupFragments } from '../../../src/media/mp4/segmenter.ts';
import { packageTrack } from '../../../src/pipeline/package-track.ts';
import type { Segment } from '../../../src/media/types.ts';
import { exoticLayout, makeAudio, makeTempDir, makeVideo, probePackets, x264Args } from './fixtures.ts';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let video: string;
before(async () => {
  tmp = await makeTempDir();
  video = await makeVideo(path.join(tmp.dir, 'v.mp4'), 13, x264Args());
});
after(async () => {
  await tmp.cleanup();
});

const exists = (file: string): Promise<boolean> => access(file).then(() => true, () => false);

test('onSegment: once per segment, in order, each file complete on disk, awaited one at a time', async () => {
  const outDir = path.join(tmp.dir, 'cb', 'video');
  const seen: Segment[] = [];
  let inFlight = 0;
  const t = await packageTrack({
    fmp4Path: video, outDir, relDir: 'video', id: 'v', kind: 'video', segmentSeconds: 4,
    onSegment: async (segment) => {
      inFlight++;
      assert.equal(inFlight, 1, 'onSegment was called again before the previous call finished');
      assert.equal(segment.number, seen.length + 1);
      seen.push(segment);
      // This segment and every earlier one are written in full; segments well ahead are not yet.
      for (const s of seen) assert.equal((await stat(path.join(outDir, s.file))).size, s.bytes);
      assert.ok(await exists(path.join(outDir, 'init.mp4')));
      assert.equal(await exists(path.join(outDir, `seg-${String(segment.number + 2).padStart(5, '0')}.m4s`)), false);
      await sleep(5);
      inFlight--;
    },
  });
  // 13 s cut every 4 s on 2 s GOPs: 0-4, 4-8, 8-12, 12-13.
  assert.deepEqual(seen.map((s) => s.number), [1, 2, 3, 4]);
  assert.deepEqual(seen, t.segments);
  assert.ok(seen.every((s, i) => s === t.segments[i]), 'onSegment gets the very Segment objects returned');
});

test('a rejecting onSegment stops packaging with its error', async () => {
  let calls = 0;
  await assert.rejects(
    packageTrack({
      fmp4Path: video, outDir: path.join(tmp.dir, 'reject'), relDir: 'x', id: 'x', kind: 'video', segmentSeconds: 2,
      onSegment: () => {
        calls++;
        if (calls === 2) throw new Error('upload failed');
      },
    }),
    /upload failed/,
  );
  assert.equal(calls, 2);
});

/** What the in-memory reading of a whole file says the segments are. */
async function expectedSegments(file: string, segmentSeconds: number): Promise<{ init: Buffer; segments: Buffer[] }> {
  const buf = await readFile(file);
  const { track, initSize } = parseInitSegment(buf);
  const groups = groupFragments(parseFragments(buf, initSize), track.timescale, segmentSeconds);
  return {
    init: buf.subarray(0, initSize),
    segments: groups.map((g) => Buffer.concat(g.map((f) => buf.subarray(f.offset, f.offset + f.size)))),
  };
}

async function assertMatchesInMemory(file: string, kind: 'video' | 'audio', segmentSeconds: number): Promise<void> {
  const outDir = path.join(tmp.dir, 'cmp', `${path.basename(file)}-${segmentSeconds}`);
  const t = await packageTrack({ fmp4Path: file, outDir, relDir: 'x', id: 'x', kind, segmentSeconds });
  const want = await expectedSegments(file, segmentSeconds);
  assert.ok((await readFile(path.join(outDir, 'init.mp4'))).equals(want.init), `${file}: init differs`);
  assert.equal(t.segments.length, want.segments.length);
  for (const [i, s] of t.segments.entries()) {
    const got = await readFile(path.join(outDir, s.file));
    assert.ok(got.equals(want.segments[i]!), `${file}: segment ${s.number} differs`);
    assert.equal(s.bytes, got.length);
  }
}

test('streamed segments are byte for byte those of the in-memory reading', async () => {
  for (const seconds of [6, 5, 2, 1.5]) await assertMatchesInMemory(video, 'video', seconds);
  await assertMatchesInMemory(await makeAudio(path.join(tmp.dir, 'a.mp4'), 13), 'audio', 6);
});

test('64-bit box sizes and boxes around and between fragments are handled like the in-memory reading', async () => {
  const exotic = path.join(tmp.dir, 'exotic.mp4');
  await writeFile(exotic, exoticLayout(await readFile(video)));
  assert.equal((await probePackets(exotic)).length, (await probePackets(video)).length);
  await assertMatchesInMemory(exotic, 'video', 6);
});

test('a truncated file fails naming the cut box and its file offset, after delivering the segments before it', async () => {
  const buf = await readFile(video);
  const { initSize } = parseInitSegment(buf);
  const fragments = parseFragments(buf, initSize);
  const last = fragments[fragments.length - 1]!;
  const truncated = path.join(tmp.dir, 'truncated.mp4');
  await writeFile(truncated, buf.subarray(0, last.offset + last.size - 10));
  const mdatAt = readBoxHeader(buf, last.offset).end;
  const delivered: number[] = [];
  await assert.rejects(
    packageTrack({
      fmp4Path: truncated, outDir: path.join(tmp.dir, 'trunc-out'), relDir: 'x', id: 'x', kind: 'video', segmentSeconds: 6,
      onSegment: (s) => {
        delivered.push(s.number);
      },
    }),
    new RegExp(`^Error: MP4: box 'mdat' at offset ${mdatAt}: size \\d+ runs past the end`),
  );
  // Segment 2 (6-12 s) would close only when the cut last fragment (12-13 s) opened segment 3.
  assert.deepEqual(delivered, [1]);
});

test('an error inside a moof names the fragment offset', async () => {
  const buf = Buffer.from(await readFile(video));
  const { initSize } = parseInitSegment(buf);
  const second = parseFragments(buf, initSize)[1]!;
  buf.writeUInt32BE(0x7fff, second.offset + 8 + 16); // the traf claims more than the moof holds
  const corrupt = path.join(tmp.dir, 'corrupt.mp4');
  await writeFile(corrupt, buf);
  const outDir = path.join(tmp.dir, 'corrupt-out');
  await assert.rejects(
    packageTrack({ fmp4Path: corrupt, outDir, relDir: 'x', id: 'x', kind: 'video', segmentSeconds: 6 }),
    new RegExp(`^Error: MP4: fragment at offset ${second.offset} .*box 'traf' at offset 24: size 32767 runs past`),
  );
});

test('a file with an init part but no fragments is refused and leaves no output', async () => {
  const buf = await readFile(video);
  const initOnly = path.join(tmp.dir, 'init-only.mp4');
  await writeFile(initOnly, buf.subarray(0, parseInitSegment(buf).initSize));
  const outDir = path.join(tmp.dir, 'init-only-out');
  await assert.rejects(
    packageTrack({ fmp4Path: initOnly, outDir, relDir: 'x', id: 'x', kind: 'video', segmentSeconds: 6 }),
    /has no fragments/,
  );
  assert.equal(await exists(outDir), false);
});
