// Split-and-stitch with real ffmpeg: the same recording encoded whole and in chunks must give
// assets a player cannot tell apart — the same segments (boundaries, durations, decode times),
// keyframes, frame count and one continuous timeline across chunk seams, A/V in sync at a seam —
// and a chunk that fails once is encoded again alone.
//
// Sources are short and small (2 s segments, so chunks of 2–4 s still hold whole segments) and
// skip the loudness pass and the sampled quality, which nothing here looks at: every process and
// frame counts on a 2-core CI machine.

import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertAlignedKeyframeSegments, assertCompleteAsset, assertIframePlaylists, assertMpdMatchesHls, assertThumbnailsVtt, audioMedia,
  concatTrack, exists, firstSoundAfterSilence, loadAsset, lumaByFrame, readFragments, readInit, trackFiles, videoVariants, type LoadedAsset,
} from '../helpers/asset-checks.ts';
import { assertEquivalent, frameCount } from '../helpers/chunk-equivalence.ts';
import { ffmpeg, ffprobeJson, generate, makeAvSync, makeTestPattern, makeTempDir, makeVfr, runCli, runCliOk, writeLadder, writeLoggingFfmpeg, type TempDir } from '../helpers/media.ts';

describe('split-and-stitch: chunked and whole encodes of one recording are equivalent', () => {
  let tmp: TempDir;
  let scratch: string;
  /** Two rungs, for the test of segments aligned across renditions; one for the others. */
  let ladder: string;
  let oneRung: string;

  before(async () => {
    tmp = await makeTempDir('live2vod-chunks-');
    scratch = path.join(tmp.dir, 'scratch');
    await mkdir(scratch);
    ladder = await writeLadder(tmp.dir, 'two', [
      { width: 160, height: 90, bitrateKbps: 150, maxFrameRate: 30 },
      { width: 320, height: 180, bitrateKbps: 250, maxFrameRate: 30 },
    ]);
    oneRung = await writeLadder(tmp.dir, 'one', [{ width: 320, height: 180, bitrateKbps: 250, maxFrameRate: 30 }]);
  });
  after(() => tmp?.cleanup());

  // The loudness pass and the sampled quality are the same for whole and chunked encodes and not looked at here.
  const cheap = ['--preset', 'ultrafast', '--segment', '2', '--no-loudnorm', '--no-quality', '--json'];
  // Thumbnails and the download, chunked, are checked by the first test; the others need the renditions only.
  const videoOnly = ['--no-thumbnails', '--no-download'];
  const transcode = async (source: string, name: string, extra: string[], rungs = oneRung): Promise<{ asset: LoadedAsset; stdout: string }> => {
    const out = path.join(tmp.dir, name);
    const { stdout } = await runCliOk(['transcode', source, '--out', out, '--ladder', rungs, ...cheap, ...extra]);
    return { asset: await loadAsset(out), stdout };
  };

  test('30 fps, 10 s in 4 s chunks (4 + 4 + 2): same segments, fragments, frames; a complete asset', async () => {
    const source = await makeTestPattern(tmp.dir, { seconds: 10, width: 320, height: 180, rate: 30, audio: 'sine', name: 'src-30.mp4' });
    // 1 s GOPs: two fragments per 2 s segment, so I-frame ranges and fragments inside stitched segments are checked too.
    // The whole encode's thumbnails are compared below; its download is not.
    const whole = await transcode(source, 'whole-30', ['--chunk-seconds', '0', '--gop', '1', '--no-download'], ladder);
    const chunked = await transcode(source, 'chunked-30', ['--chunk-seconds', '4', '--parallel', '2', '--gop', '1'], ladder);
    assert.equal(whole.asset.manifest.chunks, null);
    assert.deepEqual(chunked.asset.manifest.chunks, { count: 3, seconds: 4 });
    await assertCompleteAsset(chunked.asset);
    await assertAlignedKeyframeSegments(chunked.asset, scratch, 2, 1 / 30);
    await assertIframePlaylists(chunked.asset, scratch, 1);
    assertMpdMatchesHls(chunked.asset);
    const { cues } = await assertThumbnailsVtt(chunked.asset, chunked.asset.manifest.duration);
    assert.equal(cues, (await assertThumbnailsVtt(whole.asset, whole.asset.manifest.duration)).cues, 'as many thumbnails as the whole encode');
    await assertEquivalent(whole.asset, chunked.asset, scratch, 300);
    // Progress is the sum over chunks: it only grows, and reaches 100.
    const percents = chunked.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; percent?: number }).filter((e) => e.type === 'progress').map((e) => e.percent ?? 0);
    assert.ok(percents.length > 2 && percents.at(-1) === 100, `progress ${percents.join(',')}`);
    percents.forEach((p, i) => assert.ok(i === 0 || p >= (percents[i - 1] ?? 0), `progress went back: ${percents.join(',')}`));
    assert.ok(await exists(path.join(chunked.asset.dir, chunked.asset.manifest.download!.file)));
    assert.ok(!(await exists(path.join(chunked.asset.dir, '.live2vod-chunks'))), 'the work area is removed once the asset is complete');
  });

  test('29.97 fps: chunk starts land on the first frame at or after each boundary, keyframes where the whole encode has them', async () => {
    // 7 s made at 30000/1001 by ffmpeg itself, so the source is a real NTSC-rate file; the chunk
    // boundaries at 2, 4 and 6 s fall between frames (1.969/2.002 s, …).
    const source = await generate([
      '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30000/1001:duration=7', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=7',
      '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '2',
    ], path.join(tmp.dir, 'src-2997.mp4'));
    const whole = await transcode(source, 'whole-2997', ['--chunk-seconds', '0', ...videoOnly]);
    const chunked = await transcode(source, 'chunked-2997', ['--chunk-seconds', '2', ...videoOnly]);
    assert.equal(chunked.asset.manifest.chunks?.count, 4);
    await assertCompleteAsset(chunked.asset);
    // (Segments last 2.002 s here: GOPs of 60 frames at 1001/30000 s; the equivalence below checks them.)
    const frames = Number((await ffprobeJson(source, ['-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames'])).streams?.[0]?.nb_read_frames);
    await assertEquivalent(whole.asset, chunked.asset, scratch, frames);
  });

  test('a video that starts after the audio, and a variable frame rate: still the same frames and fragments as the whole encode', async () => {
    // Video from 0.27 s (audio first, as RTMP recordings often are), and a rate that halves at 2.27 s, inside chunk 2.
    const vfr = await makeVfr(tmp.dir, 4);
    const late = path.join(tmp.dir, 'src-late-vfr.mp4');
    await ffmpeg(['-itsoffset', '0.27', '-i', vfr, '-i', vfr, '-map', '0:v', '-map', '1:a', '-c', 'copy', late]);
    const whole = await transcode(late, 'whole-late', ['--chunk-seconds', '0', ...videoOnly]);
    const chunked = await transcode(late, 'chunked-late', ['--chunk-seconds', '2', ...videoOnly]);
    assert.equal(chunked.asset.manifest.chunks?.count, 2);
    await assertCompleteAsset(chunked.asset);
    const [variant] = videoVariants(whole.asset);
    const frames = await frameCount(whole.asset, variant!.uri, scratch, 'late-whole.mp4');
    await assertEquivalent(whole.asset, chunked.asset, scratch, frames);
  });

  test('A/V sync across a seam: a flash and a beep right at a chunk boundary stay together', async () => {
    const seam = 4;
    const source = await makeAvSync(tmp.dir, 6, seam);
    const { asset } = await transcode(source, 'chunked-sync', ['--chunk-seconds', String(seam), ...videoOnly]);
    assert.equal(asset.manifest.chunks?.count, 2);
    const video = await trackFiles(asset, videoVariants(asset)[0]!.uri);
    const frames = await lumaByFrame(await concatTrack(video, scratch, 'sync-video.mp4'), scratch);
    const flash = frames.find((f) => f.yavg > 128);
    assert.ok(flash, 'the flash survives the encode');
    const [firstVideo] = readFragments(readInit(await readFile(video.init)), await readFile(video.segments[0]!.path));
    const flashAt = flash.time - (frames[0]?.time ?? 0) + (firstVideo?.firstPresentation ?? Number.NaN);
    assert.ok(Math.abs(flashAt - seam) <= 1 / 60, `flash at ${flashAt} s, the source flashes at ${seam}.000 s (the first frame of chunk 2)`);
    const audio = await trackFiles(asset, audioMedia(asset)!.URI!);
    const [firstAudio] = readFragments(readInit(await readFile(audio.init)), await readFile(audio.segments[0]!.path));
    const beepAt = (await firstSoundAfterSilence(await concatTrack(audio, scratch, 'sync-audio.mp4'))) + (firstAudio?.firstPresentation ?? Number.NaN);
    assert.ok(Math.abs(beepAt - flashAt) <= 1 / 30, `beep at ${beepAt.toFixed(4)} s, flash at ${flashAt.toFixed(4)} s`);
  });

  test('a chunk that fails once is encoded again alone; the others run once', async () => {
    const source = await makeTestPattern(tmp.dir, { seconds: 6, width: 320, height: 180, rate: 30, audio: 'sine', name: 'src-retry.mp4' });
    // Chunk 2 (read from 1 s: a second of lead-in before 2 s) crashes the first time.
    const flaky = await writeLoggingFfmpeg(tmp.dir, { crashOnceAt: '1.000000' });
    const out = path.join(tmp.dir, 'chunked-retry');
    const result = await runCli(['transcode', source, '--out', out, '--ladder', oneRung, ...cheap, '--chunk-seconds', '2', '--parallel', '2', ...videoOnly], { env: { ...process.env, LIVE2VOD_FFMPEG: flaky.path } });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual((await flaky.encodes()).sort(), ['0', '1.000000', '1.000000', '3.000000'], 'chunk 2 twice, chunks 1 and 3 once');
    assert.match(result.stdout, /chunk 2 of 3 failed .*trying it again/);
    const asset = await loadAsset(out);
    await assertCompleteAsset(asset);
    assert.equal(asset.manifest.chunks?.count, 3);
  });
});
