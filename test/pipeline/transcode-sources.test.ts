// Real encodes of the awkward containers and audio layouts live recordings come in: no audio,
// audio only, 5.1, HEVC, WebM (VP9 + Opus), FLV from nginx-rtmp, MPEG-TS. Each source is 2 s (less
// than one 6 s segment; the loudness test's tone keeps 4 s) at a small size, transcoded with a
// one-rung ladder (x264 ultrafast), and checked for what that kind of source tends to break; the
// stages a test does not look at are turned off (--no-*). The video-side kinds are in
// transcode-video-sources.test.ts; the split lets the two files run side by side.

import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertAlignedKeyframeSegments, audioMedia, codecList, concatTrack, exists, measureLoudness, readFragments, readInit, trackFiles, videoVariants,
} from '../helpers/asset-checks.ts';
import { ffmpeg, ffprobeJson, makeAudioOnly, makeFlv, makeHevc, makeMpegTs, makeNoAudio, makeSurround51, makeWebm } from '../helpers/media.ts';
import { createSourceBench, type SourceBench } from '../helpers/source-bench.ts';

const FRAME = 1 / 30;
/** Stages none of these tests looks at, unless one says otherwise. */
const unlooked = ['--no-thumbnails', '--no-quality'];

describe('containers and audio layouts → assets', () => {
  let bench: SourceBench;
  before(async () => { bench = await createSourceBench('live2vod-sources-'); });
  after(() => bench?.cleanup());

  test('no audio → a video-only asset: no EXT-X-MEDIA, CODECS with the video codec only, no audio anywhere', async () => {
    const asset = await bench.transcode(await makeNoAudio(bench.dir, 2, 320, 180), [...bench.oneRung, ...unlooked]);
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
    await assertAlignedKeyframeSegments(asset, bench.scratch, 6, FRAME);
  });

  test('audio only → an audio-only asset: the master has just the audio variant; no video, no thumbnails', async () => {
    // Thumbnails stay on (there must be none) and the download is checked; loudness is not looked at.
    const asset = await bench.transcode(await makeAudioOnly(bench.dir, 2), [...bench.oneRung, '--no-loudnorm']);
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

  test('a steady tone is brought to -16 LUFS by one linear gain: the peak-to-loudness ratio is kept', async () => {
    const source = path.join(bench.dir, 'tone.m4a');
    await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=4', '-ac', '2', '-c:a', 'aac', '-b:a', '128k', source]);
    const before = await measureLoudness(source);
    assert.ok(before.integrated < -19 && before.truePeak - before.integrated + -16 < -1.5, `a quiet tone with headroom (${before.integrated} LUFS, ${before.truePeak} dBTP)`);
    const asset = await bench.transcode(source, [...bench.oneRung, '--no-download']);
    const after = await measureLoudness(await concatTrack(await trackFiles(asset, audioMedia(asset)!.URI!), bench.scratch, 'tone-out.mp4'));
    assert.ok(Math.abs(after.integrated - -16) <= 0.5, `integrated ${after.integrated} LUFS`);
    const crest = (m: { integrated: number; truePeak: number }) => m.truePeak - m.integrated;
    assert.ok(Math.abs(crest(after) - crest(before)) <= 0.5, `a gain keeps the crest factor: ${crest(before).toFixed(1)} → ${crest(after).toFixed(1)} dB`);
  });

  test('5.1 audio → a stereo (2-channel) AAC rendition', async () => {
    const source = await makeSurround51(bench.dir, 2);
    const sourceAudio = (await ffprobeJson(source, ['-select_streams', 'a:0', '-show_streams'])).streams?.[0];
    assert.equal(sourceAudio?.channels, 6, 'the source really is 5.1');
    // Loudness normalisation stays on: with it the downmix is part of the normalising filter.
    const asset = await bench.transcode(source, [...bench.oneRung, ...unlooked, '--no-download']);
    const { probe } = await bench.probeRendition(asset, audioMedia(asset)!.URI!);
    const stream = probe.streams?.[0];
    assert.equal(stream?.channels, 2);
    assert.equal(stream?.channel_layout, 'stereo');
    assert.equal(audioMedia(asset)?.CHANNELS, '2');
    assert.equal(asset.manifest.audio?.channels, 2);
    assert.match(asset.mpd.text, /audio_channel_configuration:2011" value="2"/);
  });

  test('HEVC source → an H.264 asset of the same duration', async () => {
    const source = await makeHevc(bench.dir, 2);
    const asset = await bench.transcode(source, [...bench.oneRung, ...unlooked, '--no-download', '--no-loudnorm']);
    assert.match(codecList(videoVariants(asset)[0]!.attributes)[0] ?? '', /^avc1\./);
    assert.equal(asset.manifest.source.video?.codec, 'hevc');
    await bench.assertVideoDuration(asset, source, FRAME);
    await assertAlignedKeyframeSegments(asset, bench.scratch, 6, FRAME);
  });

  test('WebM (VP9 + Opus, audio tagged "ger") → H.264 + AAC, LANGUAGE="de" NAME="German"', async () => {
    const source = await makeWebm(bench.dir, 2);
    const asset = await bench.transcode(source, [...bench.oneRung, ...unlooked, '--no-download', '--no-loudnorm']);
    assert.equal(asset.manifest.source.video?.codec, 'vp9');
    assert.equal(asset.manifest.source.audio?.codec, 'opus');
    const audio = audioMedia(asset);
    assert.equal(audio?.LANGUAGE, 'de');
    assert.equal(audio?.NAME, 'German');
    const { probe } = await bench.probeRendition(asset, audio!.URI!);
    assert.equal(probe.streams?.[0]?.codec_name, 'aac');
    assert.equal(probe.streams?.[0]?.tags?.language, 'deu', 'the MP4 track carries ISO 639-2');
    await bench.assertVideoDuration(asset, source, FRAME);
  });

  test('FLV as nginx-rtmp records it → a complete asset of the same duration', async () => {
    const source = await makeFlv(bench.dir, 2);
    const asset = await bench.transcode(source, [...bench.oneRung, ...unlooked, '--no-download', '--no-loudnorm']);
    assert.match(asset.manifest.source.formatName, /flv/);
    await bench.assertVideoDuration(asset, source, FRAME);
    await assertAlignedKeyframeSegments(asset, bench.scratch, 6, FRAME);
  });

  test('MPEG-TS starting at 1.4 s → renditions that start at 0 and last as long as the source', async () => {
    const source = await makeMpegTs(bench.dir, 2);
    const start = Number((await ffprobeJson(source, ['-show_format'])).format?.start_time);
    assert.ok(start > 1, `the TS source starts at ${start} s`);
    const asset = await bench.transcode(source, [...bench.oneRung, ...unlooked, '--no-download']);
    await bench.assertVideoDuration(asset, source, FRAME);
    // The first video and audio samples are presented at 0 (assertAlignedKeyframeSegments checks video against 0).
    await assertAlignedKeyframeSegments(asset, bench.scratch, 6, FRAME);
    const audioTrack = await trackFiles(asset, audioMedia(asset)!.URI!);
    const [firstAudio] = readFragments(readInit(await readFile(audioTrack.init)), await readFile(audioTrack.segments[0]!.path));
    assert.ok(firstAudio && firstAudio.firstPresentation < 0.05, `audio starts at ${firstAudio?.firstPresentation} s`);
  });
});
