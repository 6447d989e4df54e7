// The asset checks that read many files with few ffmpeg/ffprobe processes (segmentStarts, the
// I-frame ranges, the variants' streams, the sprite size, the frame counts) pass a real asset and
// still fail on a damaged copy of it, naming the damaged segment, range, variant or rendition.
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertAlignedKeyframeSegments, assertIframePlaylists, assertThumbnailsVtt, assertVariantsMatchStreams, loadAsset, readFragments, readInit,
  segmentStarts, trackFiles, type LoadedAsset,
} from './asset-checks.ts';
import { assertEquivalent, frameCount } from './chunk-equivalence.ts';
import { generate, makeTempDir, runCliOk, sineAudio, writeLadder, type TempDir } from './media.ts';

/** The first box of `type` among the boxes in [start, end) of `data`. */
function boxAt(data: Buffer, start: number, end: number, type: string): { start: number; end: number } {
  for (let pos = start; pos + 8 <= end; pos += data.readUInt32BE(pos)) {
    if (data.toString('latin1', pos + 4, pos + 8) === type) return { start: pos, end: pos + data.readUInt32BE(pos) };
  }
  assert.fail(`no ${type} box`);
}

describe('asset checks: few processes, and still failing on a damaged asset', () => {
  let tmp: TempDir;
  let scratch: string;
  let asset: LoadedAsset;
  const small = 'video/90p-150k';

  before(async () => {
    tmp = await makeTempDir('live2vod-checks-');
    scratch = path.join(tmp.dir, 'scratch');
    await mkdir(scratch);
    // 6 s at 30 fps: three 2 s segments, each one GOP, in two renditions (180 frames each).
    const source = await generate([
      '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30:duration=6', ...sineAudio(6), '-map', '0:v', '-map', '1:a',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '60', '-c:a', 'aac', '-b:a', '64k',
    ], path.join(tmp.dir, 'src.mp4'));
    const ladder = await writeLadder(tmp.dir, 'two', [
      { width: 160, height: 90, bitrateKbps: 150, maxFrameRate: 30 },
      { width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 },
    ]);
    const out = path.join(tmp.dir, 'asset');
    await runCliOk(['transcode', source, '--out', out, '--ladder', ladder, '--preset', 'ultrafast', '--segment', '2', '--no-download', '--no-quality', '--no-loudnorm', '--json']);
    asset = await loadAsset(out);
  });
  after(() => tmp?.cleanup());

  /** A copy of the asset with `damage` done to it (files relative to the asset), loaded. */
  let copies = 0;
  const damaged = async (damage: (file: (name: string) => string) => Promise<void>): Promise<LoadedAsset> => {
    const dir = path.join(tmp.dir, `damaged-${copies++}`);
    await cp(asset.dir, dir, { recursive: true });
    await damage((name) => path.join(dir, name));
    return loadAsset(dir);
  };
  const edit = async (file: string, change: (data: Buffer) => void): Promise<void> => {
    const data = await readFile(file);
    change(data);
    await writeFile(file, data);
  };
  const editText = async (file: string, change: (text: string) => string): Promise<void> => writeFile(file, change(await readFile(file, 'utf8')));
  /** The trun of a segment's first moof; live2vod writes its data offset and first-sample flags. */
  const firstTrun = (data: Buffer): number => {
    const moof = boxAt(data, 0, data.length, 'moof');
    const traf = boxAt(data, moof.start + 8, moof.end, 'traf');
    const trun = boxAt(data, traf.start + 8, traf.end, 'trun');
    assert.equal(data.readUInt32BE(trun.start + 8) & 0x05, 0x05, 'trun with data_offset and first_sample_flags');
    return trun.start;
  };
  /** Where a segment's first sample starts and ends (its moof is at 0). */
  const firstSample = async (segment: string, init: string): Promise<{ start: number; end: number }> => {
    const data = await readFile(segment);
    const [fragment] = readFragments(readInit(await readFile(init)), data);
    assert.ok(fragment?.firstSampleEnd !== undefined);
    return { start: data.readInt32BE(firstTrun(data) + 16), end: fragment.firstSampleEnd };
  };

  test('the intact asset passes every check', async () => {
    await assertAlignedKeyframeSegments(asset, scratch, 2, 1 / 30);
    await assertIframePlaylists(asset, scratch, 2);
    await assertVariantsMatchStreams(asset, scratch);
    assert.equal((await assertThumbnailsVtt(asset, asset.manifest.duration)).cues, 3);
    assert.equal(await frameCount(asset, `${small}/playlist.m3u8`, scratch, 'count.mp4'), 180);
    await assertEquivalent(asset, asset, scratch, 180);
  });

  test('a segment whose first sample ffmpeg does not take for a keyframe fails, and is the one named', async () => {
    // Segment 2 made to start one frame later, on a P-frame: its moof loses the first sample (the
    // IDR) and the first sample's flags say "depends on others" with the non-sync bit clear. The
    // boxes alone still say sync; only ffprobe's reading of the packet (container flags and
    // bitstream), found by its position in the concatenated rendition, tells it is no keyframe.
    const broken = await damaged(async (file) => {
      const segment = file(`${small}/seg-00002.m4s`);
      const data = await readFile(segment);
      const trun = firstTrun(data);
      assert.equal(data.readUInt32BE(trun + 8) & 0xffffff, 0x205, 'trun: data offset, first-sample flags, then only sample sizes');
      const moof = boxAt(data, 0, data.length, 'moof');
      const traf = boxAt(data, moof.start + 8, moof.end, 'traf');
      const tfhd = boxAt(data, traf.start + 8, traf.end, 'tfhd');
      const tfdt = boxAt(data, traf.start + 8, traf.end, 'tfdt');
      assert.ok(data.readUInt32BE(tfhd.start + 8) & 0x08 && data[tfdt.start + 8] === 1, 'tfhd with a default duration, 64-bit tfdt');
      const idrSize = data.readUInt32BE(trun + 24);
      const out = Buffer.concat([data.subarray(0, trun + 24), data.subarray(trun + 28)]);
      for (const box of [moof.start, traf.start, trun]) out.writeUInt32BE(out.readUInt32BE(box) - 4, box);
      out.writeUInt32BE(out.readUInt32BE(trun + 12) - 1, trun + 12);
      out.writeInt32BE(out.readInt32BE(trun + 16) + idrSize - 4, trun + 16);
      out.writeUInt32BE(0x01000000, trun + 20);
      out.writeBigUInt64BE(out.readBigUInt64BE(tfdt.start + 12) + BigInt(data.readUInt32BE(tfhd.start + 16)), tfdt.start + 12);
      await writeFile(segment, out);
    });
    const starts = await segmentStarts(await trackFiles(broken, `${small}/playlist.m3u8`), scratch);
    assert.deepEqual(starts.map((s) => s.keyframe), [true, false, true]);
    await assert.rejects(assertAlignedKeyframeSegments(broken, scratch, 2, 1 / 30), /90p-150k\/playlist\.m3u8 segment seg-00002\.m4s does not start with a keyframe/);
  });

  test('an I-frame range cut short, or one that does not decode to an I-frame, fails and is the one named', async () => {
    const shortRange = await damaged((file) => editText(file(`${small}/iframes.m3u8`), (text) => text.replace(/(\d+)(@0\nseg-00002)/, (_, length: string, rest: string) => `${Number(length) - 1}${rest}`)));
    await assert.rejects(assertIframePlaylists(shortRange, scratch, 2), /90p-150k\/iframes\.m3u8: range \d+@0 is not its moof and first sample/);
    // The range is whole but its sample's bytes are not a picture: only decoding tells. (ffmpeg
    // gives up on a batch with an input that decodes to nothing; each range is then probed alone.)
    const undecodable = await damaged(async (file) => {
      const { start, end } = await firstSample(file(`${small}/seg-00002.m4s`), file(`${small}/init.mp4`));
      await edit(file(`${small}/seg-00002.m4s`), (data) => data.fill(0, start, end));
    });
    await assert.rejects(assertIframePlaylists(undecodable, scratch, 2), /90p-150k\/iframes\.m3u8 \d+@0: decodes to 0 frames/);
  });

  test('a variant whose RESOLUTION is not its stream’s fails, and is the one named', async () => {
    const broken = await damaged((file) => editText(file('master.m3u8'), (text) => text.replace('RESOLUTION=160x90,', 'RESOLUTION=320x90,')));
    await assert.rejects(assertVariantsMatchStreams(broken, scratch), /video\/90p-150k\/playlist\.m3u8: RESOLUTION vs the coded stream/);
  });

  test('a tile outside its sprite, or a truncated sprite, fails', async () => {
    // The 320x180 poster as the sprite: the first cue's 160x90 tile fits, the second's does not.
    const smaller = await damaged((file) => cp(file('thumbnails/poster.jpg'), file('thumbnails/sprite-000.jpg')));
    await assert.rejects(assertThumbnailsVtt(smaller, smaller.manifest.duration), /cue 2: tile 320,0,160,90 is outside the 320x180 sprite/);
    const truncated = await damaged(async (file) => {
      const sprite = await readFile(file('thumbnails/sprite-000.jpg'));
      await writeFile(file('thumbnails/sprite-000.jpg'), sprite.subarray(0, sprite.length - 100));
    });
    await assert.rejects(assertThumbnailsVtt(truncated, truncated.manifest.duration), /sprite sprite-000\.jpg: a JPEG that does not end with EOI/);
  });

  test('a rendition with a frame that does not decode fails the frame count, and is the one named', async () => {
    // The second sample of segment 2 (a P-frame) zeroed: the boxes, and so the fragments, are unchanged.
    const broken = await damaged(async (file) => {
      const { end } = await firstSample(file('video/180p-300k/seg-00002.m4s'), file('video/180p-300k/init.mp4'));
      await edit(file('video/180p-300k/seg-00002.m4s'), (data) => data.fill(0, end, end + 8));
    });
    await assert.rejects(assertEquivalent(asset, broken, scratch, 180), /video\/180p-300k\/playlist\.m3u8: every frame once/);
  });
});
