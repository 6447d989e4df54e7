// A recording with two audio languages, with real ffmpeg: each track is its own rendition (one HLS
// group, one DASH AdaptationSet per language), loudness-treated, decodable over the whole length,
// in the download, in manifest.json; and the chunked encode gives the same asset as the whole one.
// Thumbnails and sampled quality are off (not looked at); the CLI runs in this process.

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertCompleteAsset, assertMpdMatchesHls, concatTrack, loadAsset, trackFiles, videoVariants, type LoadedAsset } from '../helpers/asset-checks.ts';
import { assertEquivalent, frameCount } from '../helpers/chunk-equivalence.ts';
import { ffmpeg, ffprobeJson, makeTempDir, makeTwoLanguages, writeLadder, type TempDir } from '../helpers/media.ts';
import { runCliInProcess } from '../helpers/cli-in-process.ts';

describe('every audio track of the source becomes a rendition', () => {
  let tmp: TempDir;
  let scratch: string;
  let ladder: string;
  let source: string;
  let whole: LoadedAsset;

  before(async () => {
    tmp = await makeTempDir('live2vod-audio-tracks-');
    scratch = path.join(tmp.dir, 'scratch');
    await mkdir(scratch);
    ladder = await writeLadder(tmp.dir, 'one', [{ width: 320, height: 180, bitrateKbps: 250, maxFrameRate: 30 }]);
    source = await makeTwoLanguages(tmp.dir, 12);
    whole = await transcode('whole', ['--chunk-seconds', '0']);
  });
  after(() => tmp?.cleanup());

  const transcode = async (name: string, extra: string[]): Promise<LoadedAsset> => {
    const out = path.join(tmp.dir, name);
    await runCliInProcess(['transcode', source, '--out', out, '--ladder', ladder, '--preset', 'ultrafast', '--no-thumbnails', '--no-quality', '--json', ...extra]);
    return loadAsset(out);
  };

  test('HLS: two EXT-X-MEDIA in one group with LANGUAGE and NAME, English DEFAULT; every variant names the group', () => {
    const media = whole.master.media.filter((m) => m.TYPE === 'AUDIO');
    assert.deepEqual(media.map((m) => [m['GROUP-ID'], m.LANGUAGE, m.NAME, m.DEFAULT, m.AUTOSELECT, m.URI]), [
      ['audio', 'en', 'English', 'YES', 'YES', 'audio/aac-128k/playlist.m3u8'],
      ['audio', 'de', 'Dolmetscher', 'NO', 'YES', 'audio/aac-128k-2/playlist.m3u8'],
    ]);
    assert.ok(whole.master.variants.length > 0);
    for (const variant of whole.master.variants) assert.equal(variant.attributes.AUDIO, 'audio', `${variant.uri} names the audio group`);
    assert.equal(videoVariants(whole).length, 1);
  });

  test('DASH: two audio AdaptationSets with lang, Label and Role; the MPD agrees with HLS; the asset is complete', async () => {
    const audio = whole.mpd.representations.filter((r) => r.contentType === 'audio');
    assert.deepEqual(audio.map((r) => [r.id, r.lang]), [['aac-128k', 'en'], ['aac-128k-2', 'de']]);
    assert.match(whole.mpd.text, /<Label>Dolmetscher<\/Label>\s*<Role schemeIdUri="urn:mpeg:dash:role:2011" value="alternate"\/>/);
    assert.equal(whole.mpd.text.match(/<AdaptationSet\b[^>]*contentType="audio"/g)?.length, 2);
    assertMpdMatchesHls(whole);
    await assertCompleteAsset(whole);
  });

  test('both renditions decode over the whole recording, tagged with their language', async () => {
    for (const [uri, language] of [['audio/aac-128k/playlist.m3u8', 'eng'], ['audio/aac-128k-2/playlist.m3u8', 'deu']] as const) {
      const file = await concatTrack(await trackFiles(whole, uri), scratch, `${language}.mp4`);
      // A full decode: any broken packet is an error at this log level.
      await ffmpeg(['-i', file, '-f', 'null', '-']);
      const probe = await ffprobeJson(file);
      const stream = probe.streams?.[0];
      assert.equal(stream?.codec_type, 'audio');
      assert.equal(stream?.tags?.language, language);
      const duration = Number(probe.format?.duration);
      assert.ok(Math.abs(duration - 12) < 0.1, `${uri}: ${duration} s`);
    }
  });

  test('manifest.json lists both tracks with language, name and measured loudness; `audio` stays the default one', () => {
    const { manifest } = whole;
    assert.equal(manifest.audio?.id, 'aac-128k');
    assert.deepEqual(manifest.audioTracks.map((t) => [t.id, t.language, t.name, t.default, t.playlist]), [
      ['aac-128k', 'en', 'English', true, 'audio/aac-128k/playlist.m3u8'],
      ['aac-128k-2', 'de', 'Dolmetscher', false, 'audio/aac-128k-2/playlist.m3u8'],
    ]);
    for (const track of manifest.audioTracks) assert.ok(track.loudness?.measured && track.loudness.measured.integrated < -10, `${track.id} was measured`);
    assert.deepEqual(manifest.source.audioStreams?.map((s) => s.language), ['eng', 'deu']);
  });

  test('the download carries the video and both audio tracks, English first', async () => {
    const file = whole.manifest.download?.file;
    assert.ok(file);
    const probe = await ffprobeJson(path.join(whole.dir, file));
    assert.deepEqual(probe.streams?.map((s) => [s.codec_type, s.tags?.language]), [['video', 'und'], ['audio', 'eng'], ['audio', 'deu']]);
  });

  test('chunked (6 s chunks) and whole encodes agree, every audio track included', async () => {
    const chunked = await transcode('chunked', ['--chunk-seconds', '6', '--parallel', '2']);
    assert.equal(chunked.manifest.chunks?.count, 2);
    await assertCompleteAsset(chunked);
    assertMpdMatchesHls(chunked);
    assert.deepEqual(chunked.master.media, whole.master.media);
    assert.deepEqual(chunked.manifest.audioTracks.map((t) => [t.id, t.language, t.name, t.default]), whole.manifest.audioTracks.map((t) => [t.id, t.language, t.name, t.default]));
    // The whole encode's frame count is the reference: Matroska's millisecond timestamps give the
    // constant-rate grid one frame past 12 s (a matter of the source, not of the audio tracks).
    const frames = await frameCount(whole, videoVariants(whole)[0]?.uri ?? '', scratch, 'whole-reference.mp4');
    assert.ok(Math.abs(frames - 360) <= 1, `${frames} frames`);
    await assertEquivalent(whole, chunked, scratch, frames);
    const download = chunked.manifest.download?.file;
    assert.ok(download);
    const probe = await ffprobeJson(path.join(chunked.dir, download));
    assert.deepEqual(probe.streams?.map((s) => s.codec_type), ['video', 'audio', 'audio']);
  });
});
