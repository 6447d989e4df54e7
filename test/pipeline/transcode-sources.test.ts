// Real encodes of the awkward sources live recordings come as: no audio, audio only, 5.1, HEVC,
// WebM (VP9 + Opus), FLV from nginx-rtmp, MPEG-TS, interlaced SD, variable frame rate, a rotated
// phone video, an odd frame size, and an A/V sync reference. Each is a few seconds at a small size,
// transcoded with a one-rung ladder, and checked for what that kind of source tends to break.
// (Split from transcode-asset.test.ts so the two files run in parallel under --test-concurrency=2.)

import assert from 'node:assert/strict';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertAlignedKeyframeSegments, assertCompleteAsset, assertMpdMatchesHls, assertVariantBandwidths, assertVariantsMatchStreams,
  audioMedia, codecList, concatTrack, exists, firstSoundAfterSilence, loadAsset, lumaByFrame, readFragments, readInit,
  trackFiles, videoVariants, type LoadedAsset,
} from '../helpers/asset-checks.ts';
import {
  ffprobeJson, makeAudioOnly, makeAvSync, makeFlv, makeHevc, makeInterlacedSd, makeMpegTs, makeNoAudio, makeOddSize,
  makeRotated, makeStillDetail, makeSurround51, makeTempDir, makeVfr, makeWebm, runCliOk, writeLadder, type TempDir,
} from '../helpers/media.ts';

const FRAME = 1 / 30;

describe('source kinds → assets', () => {
  let tmp: TempDir;
  let scratch: string;
  let small: string;
  let n = 0;

  before(async () => {
    tmp = await makeTempDir('live2vod-sources-');
    scratch = path.join(tmp.dir, 'scratch');
    await mkdir(scratch);
    small = await writeLadder(tmp.dir, 'small', [{ width: 320, height: 180, bitrateKbps: 300 }]);
  });
  after(() => tmp?.cleanup());

  /**
   * Transcodes with the one-rung ladder (x264 ultrafast unless `flags` say otherwise) and runs the
   * structural checks. `bandwidths: false` leaves out the RFC 8216 peak check for sources whose last
   * segment is very short (see the todo test at the end).
   */
  async function transcode(source: string, flags: readonly string[] = ['--preset', 'ultrafast', '--ladder', small], options: { bandwidths?: boolean } = {}): Promise<LoadedAsset> {
    const out = path.join(tmp.dir, `asset-${n++}-${path.basename(source).replace(/\W+/g, '-')}`);
    await runCliOk(['transcode', source, '--out', out, ...flags]);
    const asset = await loadAsset(out);
    await assertCompleteAsset(asset);
    assertMpdMatchesHls(asset);
    await assertVariantsMatchStreams(asset, scratch);
    if (options.bandwidths !== false) await assertVariantBandwidths(asset);
    return asset;
  }

  async function probeRendition(asset: LoadedAsset, playlistUri: string, args: readonly string[] = ['-show_streams', '-show_format']) {
    const file = await concatTrack(await trackFiles(asset, playlistUri), scratch, `probe-${n++}.mp4`);
    return { file, probe: await ffprobeJson(file, args) };
  }

  async function sourceDuration(file: string): Promise<number> {
    return Number((await ffprobeJson(file, ['-show_format'])).format?.duration);
  }

  /** The video rendition lasts as long as the source's video, within one frame. */
  async function assertVideoDuration(asset: LoadedAsset, source: string, tolerance = FRAME): Promise<void> {
    const sourceVideo = (await ffprobeJson(source, ['-select_streams', 'v:0', '-show_streams', '-count_packets'])).streams?.[0];
    const [num = 0, den = 1] = (sourceVideo?.avg_frame_rate ?? '0/1').split('/').map(Number);
    const expected = Number(sourceVideo?.nb_read_packets) / (num / den);
    const [variant] = videoVariants(asset);
    assert.ok(variant);
    const { probe } = await probeRendition(asset, variant.uri, ['-show_format']);
    const duration = Number(probe.format?.duration);
    assert.ok(Math.abs(duration - expected) <= tolerance + 1e-6, `rendition lasts ${duration} s, the source's video ${expected} s`);
  }

  test('no audio → a video-only asset: no EXT-X-MEDIA, CODECS with the video codec only, no audio anywhere', async () => {
    const asset = await transcode(await makeNoAudio(tmp.dir, 4));
    assert.equal(asset.master.media.length, 0, 'no EXT-X-MEDIA');
    assert.equal(asset.master.variants.length, 1, 'no audio-only variant');
    const [variant] = asset.master.variants;
    assert.deepEqual(codecList(variant!.attributes).length, 1);
    assert.match(variant!.attributes.CODECS ?? '', /^avc1\.[0-9a-f]{6}$/);
    assert.equal(variant!.attributes.AUDIO, undefined);
    assert.ok(!asset.mpd.representations.some((r) => r.contentType === 'audio'));
    assert.equal(asset.manifest.audio, null);
    assert.ok(!(await exists(path.join(asset.dir, 'audio'))));
    const download = await ffprobeJson(path.join(asset.dir, asset.manifest.download!.file), ['-show_streams']);
    assert.deepEqual(download.streams?.map((s) => s.codec_type), ['video']);
    await assertAlignedKeyframeSegments(asset, scratch, 6, FRAME);
  });

  test('audio only → an audio-only asset: the master has just the audio variant; no video, no thumbnails', async () => {
    const asset = await transcode(await makeAudioOnly(tmp.dir, 4));
    assert.equal(asset.master.variants.length, 1);
    const [variant] = asset.master.variants;
    assert.deepEqual(codecList(variant!.attributes), ['mp4a.40.2']);
    assert.equal(variant!.attributes.RESOLUTION, undefined);
    assert.equal(variant!.uri, audioMedia(asset)?.URI);
    assert.equal(asset.master.iframeVariants.length, 0);
    assert.deepEqual(asset.mpd.representations.map((r) => r.contentType), ['audio']);
    assert.deepEqual(asset.manifest.renditions, []);
    assert.equal(asset.manifest.thumbnails, null);
    assert.deepEqual((await readdir(asset.dir)).sort(), ['audio', 'download', 'manifest.json', 'manifest.mpd', 'master.m3u8']);
    const download = await ffprobeJson(path.join(asset.dir, asset.manifest.download!.file), ['-show_streams']);
    assert.deepEqual(download.streams?.map((s) => s.codec_type), ['audio']);
  });

  test('5.1 audio → a stereo (2-channel) AAC rendition', async () => {
    const source = await makeSurround51(tmp.dir, 4);
    const sourceAudio = (await ffprobeJson(source, ['-select_streams', 'a:0', '-show_streams'])).streams?.[0];
    assert.equal(sourceAudio?.channels, 6, 'the source really is 5.1');
    const asset = await transcode(source);
    const { probe } = await probeRendition(asset, audioMedia(asset)!.URI!);
    const stream = probe.streams?.[0];
    assert.equal(stream?.channels, 2);
    assert.equal(stream?.channel_layout, 'stereo');
    assert.equal(audioMedia(asset)?.CHANNELS, '2');
    assert.equal(asset.manifest.audio?.channels, 2);
    assert.match(asset.mpd.text, /audio_channel_configuration:2011" value="2"/);
  });

  test('HEVC source → an H.264 asset of the same duration', async () => {
    const source = await makeHevc(tmp.dir, 4);
    const asset = await transcode(source);
    assert.match(codecList(videoVariants(asset)[0]!.attributes)[0] ?? '', /^avc1\./);
    assert.equal(asset.manifest.source.video?.codec, 'hevc');
    await assertVideoDuration(asset, source);
    await assertAlignedKeyframeSegments(asset, scratch, 6, FRAME);
  });

  test('WebM (VP9 + Opus, audio tagged "ger") → H.264 + AAC, LANGUAGE="de" NAME="German"', async () => {
    const source = await makeWebm(tmp.dir, 4);
    const asset = await transcode(source);
    assert.equal(asset.manifest.source.video?.codec, 'vp9');
    assert.equal(asset.manifest.source.audio?.codec, 'opus');
    const audio = audioMedia(asset);
    assert.equal(audio?.LANGUAGE, 'de');
    assert.equal(audio?.NAME, 'German');
    const { probe } = await probeRendition(asset, audio!.URI!);
    assert.equal(probe.streams?.[0]?.codec_name, 'aac');
    assert.equal(probe.streams?.[0]?.tags?.language, 'deu', 'the MP4 track carries ISO 639-2');
    await assertVideoDuration(asset, source);
  });

  test('FLV as nginx-rtmp records it → a complete asset of the same duration', async () => {
    const source = await makeFlv(tmp.dir, 4);
    const asset = await transcode(source);
    assert.match(asset.manifest.source.formatName, /flv/);
    await assertVideoDuration(asset, source);
    await assertAlignedKeyframeSegments(asset, scratch, 6, FRAME);
  });

  test('MPEG-TS starting at 1.4 s → renditions that start at 0 and last as long as the source', async () => {
    const source = await makeMpegTs(tmp.dir, 4);
    const start = Number((await ffprobeJson(source, ['-show_format'])).format?.start_time);
    assert.ok(start > 1, `the TS source starts at ${start} s`);
    const asset = await transcode(source);
    await assertVideoDuration(asset, source);
    // The first video and audio samples are presented at 0 (assertAlignedKeyframeSegments checks video against 0).
    await assertAlignedKeyframeSegments(asset, scratch, 6, FRAME);
    const audioTrack = await trackFiles(asset, audioMedia(asset)!.URI!);
    const [firstAudio] = readFragments(readInit(await readFile(audioTrack.init)), await readFile(audioTrack.segments[0]!.path));
    assert.ok(firstAudio && firstAudio.firstPresentation < 0.05, `audio starts at ${firstAudio?.firstPresentation} s`);
  });

  test('interlaced 4:3 SD → progressive output (field_order progressive) at 25 fps, square pixels', async () => {
    const source = await makeInterlacedSd(tmp.dir, 4);
    assert.equal((await ffprobeJson(source, ['-show_streams'])).streams?.[0]?.field_order, 'tt', 'the source is interlaced');
    const asset = await transcode(source);
    const [variant] = videoVariants(asset);
    assert.equal(variant?.attributes.RESOLUTION, '240x180', '4:3 inside the 320x180 box');
    assert.equal(variant?.attributes['FRAME-RATE'], '25.000');
    const { probe } = await probeRendition(asset, variant!.uri, ['-show_streams', '-show_frames', '-show_entries', 'stream=field_order,sample_aspect_ratio,avg_frame_rate:frame=interlaced_frame']);
    const stream = probe.streams?.[0];
    assert.equal(stream?.field_order, 'progressive');
    assert.ok(stream?.sample_aspect_ratio === undefined || stream.sample_aspect_ratio === '1:1', `SAR ${stream?.sample_aspect_ratio}`);
    const frames = probe.frames ?? [];
    assert.equal(frames.length, 100, '4 s at 25 fps');
    assert.ok(frames.every((f) => f.interlaced_frame === 0), 'no frame is coded interlaced');
    await assertAlignedKeyframeSegments(asset, scratch, 6, 1 / 25);
  });

  test('variable frame rate → constant frame rate output (r_frame_rate = avg_frame_rate, equal frame durations)', async () => {
    const source = await makeVfr(tmp.dir, 4);
    const asset = await transcode(source);
    const [variant] = videoVariants(asset);
    const { probe } = await probeRendition(asset, variant!.uri, ['-show_streams', '-show_packets', '-show_entries', 'stream=r_frame_rate,avg_frame_rate:packet=duration_time']);
    const stream = probe.streams?.[0];
    assert.ok(stream?.r_frame_rate && stream.r_frame_rate === stream.avg_frame_rate, `r_frame_rate ${stream?.r_frame_rate} vs avg_frame_rate ${stream?.avg_frame_rate}`);
    const durations = new Set((probe.packets ?? []).map((p) => Number(p.duration_time).toFixed(4)));
    assert.equal(durations.size, 1, `frame durations: ${[...durations].join(', ')}`);
    const nominal = asset.manifest.source.video!.frameRate;
    const [num = 0, den = 1] = stream.avg_frame_rate!.split('/').map(Number);
    assert.ok(Math.abs(num / den - nominal.num / nominal.den) < 0.001, `output ${stream.avg_frame_rate} fps vs the planned ${nominal.num}/${nominal.den}`);
    assert.ok(Math.abs((probe.packets?.length ?? 0) / (num / den) - 4) <= 1.5 / (num / den), 'the whole 4 s are there');
  });

  test('rotated phone video (rotate=90) → portrait renditions, upright, without a display matrix', async () => {
    const source = await makeRotated(tmp.dir, 4);
    const asset = await transcode(source);
    const [variant] = videoVariants(asset);
    assert.equal(variant?.attributes.RESOLUTION, '180x320');
    const { file, probe } = await probeRendition(asset, variant!.uri, ['-show_streams']);
    const stream = probe.streams?.[0];
    assert.deepEqual([stream?.width, stream?.height], [180, 320]);
    assert.ok(!(stream?.side_data_list ?? []).some((d) => d.rotation !== undefined && d.rotation !== 0), 'the pixels are rotated; a display matrix would rotate them twice');
    assert.equal(stream?.tags?.rotate, undefined);
    // The coded picture is white on its left half: shown rotated, that half is at the top or the bottom.
    const half = async (f: string, crop: string) => (await lumaByFrame(f, scratch, { filterPrefix: `${crop},`, frames: 1 }))[0]?.yavg ?? Number.NaN;
    const [top, bottom, left, right] = [await half(file, 'crop=iw:ih/2:0:0'), await half(file, 'crop=iw:ih/2:0:ih/2'), await half(file, 'crop=iw/2:ih:0:0'), await half(file, 'crop=iw/2:ih:iw/2:0')];
    assert.ok(Math.abs(top - bottom) > 100, `top ${top} vs bottom ${bottom}: the white half should be above or below`);
    assert.ok(Math.abs(left - right) < 30, `left ${left} vs right ${right}: not sideways`);
    // …and the same way up as ffmpeg shows the source (ffmpeg applies the display matrix on decode).
    const sourceTop = await half(source, 'crop=iw:ih/2:0:0');
    const sourceBottom = await half(source, 'crop=iw:ih/2:0:ih/2');
    assert.equal(top > bottom, sourceTop > sourceBottom, 'upside down compared with the source as displayed');
    assert.equal(asset.manifest.thumbnails && (await ffprobeJson(path.join(asset.dir, asset.manifest.thumbnails.poster), ['-show_streams'])).streams?.[0]?.height, 1280, 'the poster is portrait too');
  });

  test('odd size 853x479 (smaller than the only rung) → one rendition at the even size 852x478', async () => {
    const source = await makeOddSize(tmp.dir, 4);
    const ladder = await writeLadder(tmp.dir, 'fwvga', [{ width: 854, height: 480, bitrateKbps: 1200 }]);
    const asset = await transcode(source, ['--preset', 'ultrafast', '--ladder', ladder]);
    const [variant] = videoVariants(asset);
    assert.equal(variant?.attributes.RESOLUTION, '852x478');
    const { probe } = await probeRendition(asset, variant!.uri, ['-show_streams']);
    const stream = probe.streams?.[0];
    assert.deepEqual([stream?.width, stream?.height, stream?.pix_fmt], [852, 478, 'yuv420p']);
    for (const r of asset.manifest.renditions) assert.ok(r.width! % 2 === 0 && r.height! % 2 === 0);
  });

  test('A/V sync: the white flash in the video and the beep in the audio stay within 50 ms (default preset, B-frames)', async () => {
    const source = await makeAvSync(tmp.dir, 6, 3);
    // The default x264 preset (B-frames, so negative composition offsets) and loudness normalisation on.
    const asset = await transcode(source, ['--ladder', small], { bandwidths: false });
    const [variant] = videoVariants(asset);
    const video = await trackFiles(asset, variant!.uri);
    const videoFile = await concatTrack(video, scratch, 'sync-video.mp4');
    const frames = await lumaByFrame(videoFile, scratch);
    const flash = frames.find((f) => f.yavg > 128);
    assert.ok(flash, 'the flash survives the encode');
    // Presentation times per ISO BMFF: ffmpeg's demuxer may shift a stream with negative composition
    // offsets, so rebase on the first frame, whose presentation time the boxes give.
    const [firstVideo] = readFragments(readInit(await readFile(video.init)), await readFile(video.segments[0]!.path));
    const flashAt = flash.time - (frames[0]?.time ?? 0) + (firstVideo?.firstPresentation ?? Number.NaN);
    assert.ok(Math.abs(flashAt - 3) <= FRAME / 2, `flash at ${flashAt} s, the source flashes at 3.000 s`);

    const audio = await trackFiles(asset, audioMedia(asset)!.URI!);
    const [firstAudio] = readFragments(readInit(await readFile(audio.init)), await readFile(audio.segments[0]!.path));
    const audioFile = await concatTrack(audio, scratch, 'sync-audio.mp4');
    const beepAt = (await firstSoundAfterSilence(audioFile)) + (firstAudio?.firstPresentation ?? Number.NaN);
    assert.ok(Math.abs(beepAt - flashAt) <= 0.05, `beep at ${beepAt.toFixed(4)} s, flash at ${flashAt.toFixed(4)} s: ${Math.round((beepAt - flashAt) * 1000)} ms apart`);

    // The progressive download (a plain MP4 with edit lists, read as ffmpeg presents it) agrees.
    const download = path.join(asset.dir, asset.manifest.download!.file);
    const downloadFlash = (await lumaByFrame(download, scratch)).find((f) => f.yavg > 128);
    const downloadBeep = await firstSoundAfterSilence(download);
    assert.ok(downloadFlash && Math.abs(downloadBeep - downloadFlash.time) <= 0.05, `download: beep ${downloadBeep} s, flash ${downloadFlash?.time} s`);
  });

  // RFC 8216 §4.3.4.2: BANDWIDTH is the largest bit rate of any run of segments lasting 0.5–1.5 ×
  // the target duration. The packager (src/pipeline/package-track.ts, peakBitrate) leaves a final
  // segment shorter than 1 s out of the peak instead. On a 6.5 s still picture (segments 6 + 0.5 s,
  // the 0.5 s one holding a whole large IDR) BANDWIDTH comes out ~10 % under the 6.5 s run — even
  // under AVERAGE-BANDWIDTH.
  test('BANDWIDTH covers every 0.5–1.5 × target-duration run, a short final segment included', { todo: 'src bug: package-track.ts peakBitrate drops a final segment < 1 s' }, async () => {
    const source = await makeStillDetail(tmp.dir, 6.5);
    const asset = await transcode(source, ['--preset', 'ultrafast', '--ladder', small, '--no-thumbnails', '--no-download'], { bandwidths: false });
    const [variant] = videoVariants(asset);
    const track = await trackFiles(asset, variant!.uri);
    assert.deepEqual(track.segments.map((s) => s.duration), [6, 0.5]);
    assert.ok(Number(variant!.attributes['AVERAGE-BANDWIDTH']) <= Number(variant!.attributes.BANDWIDTH), `AVERAGE-BANDWIDTH ${variant!.attributes['AVERAGE-BANDWIDTH']} > BANDWIDTH ${variant!.attributes.BANDWIDTH}`);
    await assertVariantBandwidths(asset);
  });
});
