// packageTrack end to end: real ffmpeg fMP4 in, CMAF init + segments out, checked with ffprobe.

import assert from 'node:assert/strict';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { packageTrack } from '../../../src/pipeline/package-track.ts';
import { makeAudio, makeTempDir, makeVideo, probePackets, x264Args } from './fixtures.ts';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
before(async () => {
  tmp = await makeTempDir();
});
after(async () => {
  await tmp.cleanup();
});

const FRAME = 1 / 30;

test('video: init + segments decode fully, each segment opens on a keyframe at its start', async () => {
  const src = await makeVideo(path.join(tmp.dir, 'v.mp4'), 13, x264Args());
  const outDir = path.join(tmp.dir, 'out', 'video', '180p-300k');
  const t = await packageTrack({ fmp4Path: src, outDir, relDir: 'video/180p-300k', id: '180p-300k', kind: 'video', segmentSeconds: 6 });

  assert.equal(t.dir, 'video/180p-300k');
  assert.equal(t.initFile, 'init.mp4');
  assert.equal(t.playlistFile, 'playlist.m3u8');
  assert.equal(t.iframePlaylistFile, 'iframes.m3u8');
  assert.deepEqual((await readdir(outDir)).sort(), ['init.mp4', 'seg-00001.m4s', 'seg-00002.m4s', 'seg-00003.m4s']);
  assert.deepEqual(t.segments.map((s) => [s.number, s.start, s.duration]), [[1, 0, 6], [2, 6, 6], [3, 12, 1]]);
  assert.equal(t.duration, 13);
  assert.deepEqual(t.segments.map((s) => s.keyframes.length), [3, 3, 1]);

  const init = await readFile(path.join(outDir, 'init.mp4'));
  const segs = await Promise.all(t.segments.map((s) => readFile(path.join(outDir, s.file))));
  assert.deepEqual(segs.map((b) => b.length), t.segments.map((s) => s.bytes));
  assert.equal(t.totalBytes, segs.reduce((sum, b) => sum + b.length, 0));

  // The whole packaged track decodes to exactly the source's packets.
  const joined = path.join(tmp.dir, 'joined.mp4');
  await writeFile(joined, Buffer.concat([init, ...segs]));
  assert.equal((await probePackets(joined)).length, (await probePackets(src)).length);

  for (const [i, s] of t.segments.entries()) {
    const alone = path.join(tmp.dir, `alone-${s.number}.mp4`);
    await writeFile(alone, Buffer.concat([init, segs[i]!]));
    const first = (await probePackets(alone))[0];
    assert.ok(first, `segment ${s.number} has no packets`);
    assert.ok(first.flags?.startsWith('K'), `segment ${s.number} starts with ${first.flags}`);
    assert.ok(Math.abs(Number(first.pts_time) - s.start) <= FRAME + 1e-6, `segment ${s.number}: pts ${first.pts_time} vs ${s.start}`);
    // Every I-frame range starts at a moof and ends inside the segment.
    for (const k of s.keyframes) {
      assert.equal(segs[i]!.toString('latin1', k.offset + 4, k.offset + 8), 'moof');
      assert.ok(k.offset + k.length <= s.bytes);
    }
  }

  // The 1 s tail is left out of the peak; the peak can't be below the average.
  const rates = t.segments.slice(0, 2).map((s) => Math.ceil((s.bytes * 8) / s.duration));
  assert.equal(t.peakBitrate, Math.max(...rates));
  assert.ok(t.averageBitrate <= t.peakBitrate);
  assert.ok(t.iframeAverageBitrate! > 0 && t.iframeAverageBitrate! <= t.iframePeakBitrate!);
  assert.ok(t.iframeAverageBitrate! < t.averageBitrate);
});

test('audio: 3 segments, no I-frame playlist, rendition metadata passed through', async () => {
  const src = await makeAudio(path.join(tmp.dir, 'a.mp4'), 13);
  const outDir = path.join(tmp.dir, 'out', 'audio', 'aac');
  const audio = { id: 'aac', sourceIndex: 1, bitrateKbps: 96, sampleRate: 48000, channels: 2, language: 'und', name: 'Audio' };
  const t = await packageTrack({ fmp4Path: src, outDir, relDir: 'audio/aac', id: 'aac', kind: 'audio', segmentSeconds: 6, audio });
  assert.equal(t.segments.length, 3);
  assert.equal(t.iframePlaylistFile, undefined);
  assert.equal(t.iframePeakBitrate, undefined);
  assert.ok(t.segments.every((s) => s.keyframes.length === 0));
  assert.deepEqual(t.audio, audio);
  assert.equal(t.track.codecString, 'mp4a.40.2');
  assert.ok(Math.abs(t.duration - 13) < 0.05, String(t.duration));
  assert.ok((await stat(path.join(outDir, 'seg-00003.m4s'))).size > 0);
  const joined = path.join(tmp.dir, 'joined-audio.mp4');
  const parts = await Promise.all(['init.mp4', ...t.segments.map((s) => s.file)].map((f) => readFile(path.join(outDir, f))));
  await writeFile(joined, Buffer.concat(parts));
  assert.equal((await probePackets(joined)).length, (await probePackets(src)).length);
});

test('a file of the wrong kind is refused', async () => {
  const src = await makeAudio(path.join(tmp.dir, 'a2.mp4'), 1);
  await assert.rejects(
    packageTrack({ fmp4Path: src, outDir: path.join(tmp.dir, 'x'), relDir: 'x', id: 'x', kind: 'video', segmentSeconds: 6 }),
    /track kind is 'audio', expected 'video'/,
  );
});
