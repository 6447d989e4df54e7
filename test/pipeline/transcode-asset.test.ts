// Real encodes with ffmpeg: `live2vod transcode` on a 1080p30 recording (reduced ladder: three
// rungs, two of them the same size, x264 ultrafast), checked file by file with ffprobe/ffmpeg —
// segments, keyframes, bitrates, codecs, I-frame playlists, loudness, thumbnails, DASH, download,
// manifest.json — plus the poster choice on a source that opens on black, and the HEVC and AV1 paths.
// The sampled quality (asset-quality.test.ts) is off; the CLI runs in this process (runCliInProcess).

import assert from 'node:assert/strict';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  assertAlignedKeyframeSegments, assertCompleteAsset, assertIframePlaylists, assertMpdMatchesHls, assertThumbnailsVtt,
  assertVariantBandwidths, assertVariantsMatchStreams, audioMedia, codecList, concatTrack, exists, loadAsset, lumaByFrame,
  measureLoudness, topLevelBoxes, trackFiles, videoVariants, type LoadedAsset,
} from '../helpers/asset-checks.ts';
import {
  ffprobeJson, make1080p30, makeBlackStart, makeTestPattern, makeTempDir, writeLadder, type TempDir,
} from '../helpers/media.ts';
import { runCliInProcess } from '../helpers/cli-in-process.ts';

const FRAME = 1 / 30;

describe('1080p30 recording → complete CMAF asset (3 rungs, x264 ultrafast)', () => {
  let tmp: TempDir;
  let scratch: string;
  let source: string;
  let outDir: string;
  let asset: LoadedAsset;
  let stdout: string;

  before(async () => {
    tmp = await makeTempDir('live2vod-asset-');
    scratch = path.join(tmp.dir, 'scratch');
    await mkdir(scratch);
    source = await make1080p30(tmp.dir, 8);
    const ladder = await writeLadder(tmp.dir, 'three', [
      { width: 320, height: 180, bitrateKbps: 250, maxFrameRate: 30 },
      { width: 640, height: 360, bitrateKbps: 600, maxFrameRate: 30, crf: 23 },
      { width: 640, height: 360, bitrateKbps: 1000, maxFrameRate: 30, crf: 21 },
    ]);
    outDir = path.join(tmp.dir, 'asset');
    ({ stdout } = await runCliInProcess(['transcode', source, '--out', outDir, '--ladder', ladder, '--preset', 'ultrafast', '--no-quality']));
    asset = await loadAsset(outDir);
  });
  after(() => tmp?.cleanup());

  test('exits 0 and leaves a complete asset: master.m3u8, manifest.mpd, manifest.json, every file they name', async () => {
    assert.match(stdout, /asset complete in [\d.]+ s/);
    await assertCompleteAsset(asset);
    assert.deepEqual(asset.manifest.renditions.map((r) => r.id), ['180p-250k', '360p-600k', '360p-1000k']);
    assert.equal(videoVariants(asset).length, 3);
    assert.deepEqual(new Set(videoVariants(asset).map((v) => v.attributes.RESOLUTION)), new Set(['320x180', '640x360']));
  });

  test('every segment of every rendition starts with a keyframe at the same time; 6 s segments except the last', async () => {
    await assertAlignedKeyframeSegments(asset, scratch, 6, FRAME);
    for (const variant of videoVariants(asset)) {
      const track = await trackFiles(asset, variant.uri);
      assert.deepEqual(track.segments.map((s) => s.duration), [6, 2], `${variant.uri}: 8 s as 6 + 2`);
    }
    // Audio segments are cut at AAC frame boundaries: within one 1024-sample frame of 6 s.
    const audio = await trackFiles(asset, audioMedia(asset)!.URI!);
    audio.segments.slice(0, -1).forEach((s) => assert.ok(Math.abs(s.duration - 6) <= 1024 / 48000, `audio segment ${s.uri}: ${s.duration} s`));
  });

  test('BANDWIDTH covers the measured peak, AVERAGE-BANDWIDTH within 10 % of the measured average (video + audio)', async () => {
    await assertVariantBandwidths(asset, 0.1);
    // The first variant is the start variant: the one closest to 2 Mb/s on average (here the richest).
    assert.equal(asset.master.variants[0]?.uri, 'video/360p-1000k/playlist.m3u8');
  });

  test('CODECS, RESOLUTION and FRAME-RATE match the streams (avcC and ffprobe profile/level)', async () => {
    await assertVariantsMatchStreams(asset, scratch);
    for (const variant of videoVariants(asset)) {
      assert.equal(variant.attributes['FRAME-RATE'], '30.000');
      assert.match(codecList(variant.attributes)[0] ?? '', /^avc1\.[0-9a-f]{6}$/);
      assert.equal(codecList(variant.attributes)[1], 'mp4a.40.2');
    }
  });

  test('an audio group with NAME and LANGUAGE, and an audio-only variant ≤ 192 kb/s', () => {
    const audio = audioMedia(asset);
    assert.ok(audio, 'EXT-X-MEDIA TYPE=AUDIO');
    assert.equal(audio['GROUP-ID'], 'audio');
    assert.equal(audio.NAME, 'English');
    assert.equal(audio.LANGUAGE, 'en');
    assert.equal(audio.DEFAULT, 'YES');
    assert.equal(audio.CHANNELS, '2');
    for (const variant of videoVariants(asset)) assert.equal(variant.attributes.AUDIO, 'audio');
    const audioOnly = asset.master.variants.filter((v) => v.uri === audio.URI);
    assert.equal(audioOnly.length, 1, 'one audio-only variant');
    assert.deepEqual(codecList(audioOnly[0]!.attributes), ['mp4a.40.2']);
    assert.ok(Number(audioOnly[0]!.attributes.BANDWIDTH) <= 192_000);
    assert.equal(asset.master.variants.at(-1)?.uri, audio.URI, 'the audio-only fallback comes last');
  });

  test('I-frame playlists exist for every variant and each byte range decodes to one keyframe', async () => {
    await assertIframePlaylists(asset, scratch, 2);
  });

  test('a rendition lasts as long as the source, within one frame', async () => {
    const sourceDuration = Number((await ffprobeJson(source, ['-show_format'])).format?.duration);
    for (const variant of videoVariants(asset)) {
      const file = await concatTrack(await trackFiles(asset, variant.uri), scratch, `whole-${path.posix.dirname(variant.uri).replace('/', '-')}.mp4`);
      const probe = await ffprobeJson(file, ['-show_format', '-show_streams', '-count_packets']);
      const duration = Number(probe.format?.duration);
      assert.ok(Math.abs(duration - sourceDuration) <= FRAME + 1e-6, `${variant.uri}: ${duration} s vs source ${sourceDuration} s`);
      assert.equal(Number(probe.streams?.[0]?.nb_read_packets), Math.round(sourceDuration * 30), `${variant.uri}: one frame per 1/30 s`);
    }
    const rendition = asset.manifest.renditions[0]!;
    assert.ok(Math.abs(rendition.duration - sourceDuration) <= FRAME + 1e-6);
  });

  test('audio is normalised to -16 LUFS (±1 LU) with true peak ≤ -1.0 dBTP (ebur128)', async () => {
    const before = await measureLoudness(source);
    assert.ok(before.integrated < -24, `the source is quiet (${before.integrated} LUFS), so normalising has work to do`);
    const file = await concatTrack(await trackFiles(asset, audioMedia(asset)!.URI!), scratch, 'audio-whole.mp4');
    const { integrated, truePeak } = await measureLoudness(file);
    assert.ok(Math.abs(integrated - -16) <= 1, `integrated loudness ${integrated} LUFS`);
    assert.ok(truePeak <= -1.5 + 0.5, `true peak ${truePeak} dBTP`);
    const loudness = asset.manifest.audio?.loudness;
    assert.deepEqual(loudness?.target, { integrated: -16, truePeak: -1.5, range: 11 });
    assert.ok(loudness?.measured && Math.abs(loudness.measured.integrated - before.integrated) < 1, 'manifest.json records the source measurement');
  });

  test('the WebVTT thumbnails cover 0 … duration contiguously with tiles inside existing sprites', async () => {
    const { cues } = await assertThumbnailsVtt(asset, asset.manifest.duration);
    assert.equal(cues, 4, 'one thumbnail every 2 s over 8 s');
    assert.equal(asset.manifest.thumbnails?.intervalSeconds, 2);
    const poster = await ffprobeJson(path.join(outDir, asset.manifest.thumbnails!.poster), ['-show_streams']);
    assert.deepEqual([poster.streams?.[0]?.codec_name, poster.streams?.[0]?.width, poster.streams?.[0]?.height], ['mjpeg', 1280, 720]);
  });

  test('the MPD lists the same representations, bandwidths, codecs and segments as the HLS playlists', () => {
    assertMpdMatchesHls(asset);
    const ids = asset.mpd.representations.map((r) => r.id).sort();
    assert.deepEqual(ids, ['180p-250k', '360p-1000k', '360p-600k', 'aac-128k']);
    assert.match(asset.mpd.text, /startWithSAP="1"/);
    assert.match(asset.mpd.text, /segmentAlignment="true"/);
  });

  test('the download MP4 is faststart (moov before mdat) and carries video and audio', async () => {
    const download = asset.manifest.download;
    assert.ok(download, 'manifest.json names a download');
    assert.equal(download.renditionId, '360p-600k', 'the middle rung');
    const file = path.join(outDir, download.file);
    const boxes = await topLevelBoxes(file);
    assert.ok(boxes.includes('moov') && boxes.includes('mdat'), `boxes: ${boxes.join(' ')}`);
    assert.ok(boxes.indexOf('moov') < boxes.indexOf('mdat'), `moov must precede mdat: ${boxes.join(' ')}`);
    assert.ok(!boxes.includes('moof'), 'a progressive file, not fragmented');
    const probe = await ffprobeJson(file, ['-show_streams', '-show_format']);
    assert.deepEqual(probe.streams?.map((s) => s.codec_type).sort(), ['audio', 'video']);
    const video = probe.streams?.find((s) => s.codec_type === 'video');
    assert.deepEqual([video?.width, video?.height], [640, 360]);
    assert.ok(Math.abs(Number(probe.format?.duration) - 8) < 0.05);
    assert.equal(download.bytes, (await readFile(file)).length);
  });

  test('manifest.json: renditions with measured bitrates and sizes, the file list, timings per step', async () => {
    const m = asset.manifest;
    assert.equal(m.schema, 'live2vod.asset/v1');
    assert.equal(m.encoder.name, 'libx264');
    assert.equal(m.encoder.preset, 'ultrafast');
    assert.deepEqual(m.packaging, { container: 'cmaf', segmentSeconds: 6, gopSeconds: 2 });
    for (const r of m.renditions) {
      const track = await trackFiles(asset, r.playlist);
      const bytes = track.segments.reduce((sum, s) => sum + s.bytes, 0);
      assert.equal(r.bytes, bytes, `${r.id}: bytes = the segment files`);
      assert.equal(r.segments, track.segments.length);
      assert.ok(r.peakBitrate >= r.averageBitrate && r.averageBitrate > 0, `${r.id}: peak ${r.peakBitrate} ≥ average ${r.averageBitrate} > 0`);
      assert.ok(Math.abs(r.averageBitrate - (bytes * 8) / r.duration) <= 0.01 * r.averageBitrate, `${r.id}: averageBitrate is measured`);
      assert.equal(r.targetBitrate, Number(r.id.split('-')[1]?.replace('k', '')) * 1000);
      const variant = asset.master.variants.find((v) => v.uri === r.playlist);
      assert.equal(`${r.width}x${r.height}`, variant?.attributes.RESOLUTION);
      assert.equal(r.codecs, codecList(variant!.attributes)[0]);
      assert.ok(r.iframePlaylist && (await exists(path.join(outDir, r.iframePlaylist))));
      assert.ok(await exists(path.join(outDir, r.init)));
    }
    assert.ok(m.audio && m.audio.bytes > 0 && m.audio.channels === 2 && m.audio.sampleRate === 48000);
    assert.ok(Math.abs(m.duration - 8) < 0.05, `duration ${m.duration}`);
    for (const step of ['probe', 'encode', 'loudness', 'audio', 'package', 'thumbnails', 'download', 'total']) {
      const ms = m.timingsMs[step];
      assert.ok(typeof ms === 'number' && Number.isFinite(ms) && ms >= 0, `timingsMs.${step} = ${ms}`);
    }
    assert.ok((m.timingsMs.total ?? 0) >= (m.timingsMs.encode ?? Infinity), 'total covers the encode');
    // Written last and whole: no scratch or partial leftovers in the asset.
    assert.deepEqual((await readdir(outDir)).sort(), ['audio', 'chapters.json', 'chapters.vtt', 'download', 'manifest.json', 'manifest.mpd', 'master.m3u8', 'thumbnails', 'video']);
  });
});

describe('poster choice', () => {
  let tmp: TempDir;
  before(async () => { tmp = await makeTempDir('live2vod-poster-'); });
  after(() => tmp?.cleanup());

  test('a recording that opens on 2 s of black gets a poster from the picture, not the black', async () => {
    const source = await makeBlackStart(tmp.dir, 6, 2);
    const ladder = await writeLadder(tmp.dir, 'one', [{ width: 320, height: 180, bitrateKbps: 300 }]);
    const out = path.join(tmp.dir, 'asset');
    await runCliInProcess(['transcode', source, '--out', out, '--ladder', ladder, '--preset', 'ultrafast', '--no-download', '--no-quality', '--no-loudnorm']);
    const asset = await loadAsset(out);
    const thumbnails = asset.manifest.thumbnails;
    assert.ok(thumbnails);
    assert.ok(thumbnails.posterTime >= 2, `poster taken at ${thumbnails.posterTime} s, inside the black opening`);
    const [poster] = await lumaByFrame(path.join(out, thumbnails.poster), tmp.dir, { frames: 1 });
    assert.ok(poster && poster.yavg > 30, `poster average luma ${poster?.yavg}: black`);
    // The sprite still starts at 0 (a black tile is right for the first 2 s).
    await assertThumbnailsVtt(asset, asset.manifest.duration);
    assert.equal(asset.manifest.download, null, '--no-download');
    assert.ok(!(await exists(path.join(out, 'download'))));
  });
});

describe('other video codecs (tiny sources)', () => {
  let tmp: TempDir;
  let scratch: string;
  let source: string;
  let ladder: string;
  before(async () => {
    tmp = await makeTempDir('live2vod-codecs-');
    scratch = path.join(tmp.dir, 'scratch');
    await mkdir(scratch);
    source = await makeTestPattern(tmp.dir, { seconds: 2, width: 320, height: 180, rate: 30, audio: 'sine', name: 'tiny.mp4' });
    ladder = await writeLadder(tmp.dir, 'tiny', [{ width: 320, height: 180, bitrateKbps: 300 }]);
  });
  after(() => tmp?.cleanup());

  async function transcodeWith(codec: string, preset: string): Promise<LoadedAsset> {
    const out = path.join(tmp.dir, codec);
    await runCliInProcess(['transcode', source, '--out', out, '--codec', codec, '--preset', preset, '--ladder', ladder, '--no-thumbnails', '--no-download', '--no-quality', '--no-loudnorm']);
    const asset = await loadAsset(out);
    await assertCompleteAsset(asset);
    assertMpdMatchesHls(asset);
    await assertVariantsMatchStreams(asset, scratch);
    await assertAlignedKeyframeSegments(asset, scratch, 6, FRAME);
    assert.equal(asset.manifest.encoder.fallback, null, 'no fallback to libx264');
    return asset;
  }

  test('--codec hevc: libx265 with the hvc1 sample entry; CODECS starts with hvc1', async () => {
    const asset = await transcodeWith('hevc', 'ultrafast');
    assert.equal(asset.manifest.encoder.name, 'libx265');
    const [variant] = videoVariants(asset);
    assert.ok(variant);
    assert.match(codecList(variant.attributes)[0] ?? '', /^hvc1\./);
    const track = await trackFiles(asset, variant.uri);
    const stream = (await ffprobeJson(await concatTrack(track, scratch, 'hevc.mp4'), ['-show_streams'])).streams?.[0];
    assert.equal(stream?.codec_name, 'hevc');
    assert.equal(stream?.codec_tag_string, 'hvc1');
  });

  test('--codec av1: libsvtav1; CODECS starts with av01', async () => {
    const asset = await transcodeWith('av1', '12');
    assert.equal(asset.manifest.encoder.name, 'libsvtav1');
    const [variant] = videoVariants(asset);
    assert.ok(variant);
    assert.match(codecList(variant.attributes)[0] ?? '', /^av01\./);
    const track = await trackFiles(asset, variant.uri);
    const stream = (await ffprobeJson(await concatTrack(track, scratch, 'av1.mp4'), ['-show_streams'])).streams?.[0];
    assert.equal(stream?.codec_name, 'av1');
    assert.equal(stream?.codec_tag_string, 'av01');
  });
});
