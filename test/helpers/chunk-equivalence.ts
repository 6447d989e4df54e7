// Whether two assets of one recording are equivalent for a player: the same renditions, segments
// and durations, the same fragments (GOPs) at the same decode times on one continuous timeline,
// every frame once, and the same audio segments. Only the bytes of the pictures may differ. Used
// to compare chunked with whole encodes, and assets built in different places (local, S3).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { audioMedia, concatTrack, readFragments, readInit, trackFiles, videoVariants, type LoadedAsset } from './asset-checks.ts';
import { ffmpeg, ffprobeJson } from './media.ts';

/** Every fragment of a rendition, in order: decode time and duration in ticks, samples, sync start. */
async function fragmentsOf(asset: LoadedAsset, uri: string): Promise<{ decodeTime: number; ticks: number; samples: number; sync: boolean }[]> {
  const track = await trackFiles(asset, uri);
  const init = readInit(await readFile(track.init));
  const all = [];
  for (const segment of track.segments) {
    for (const f of readFragments(init, await readFile(segment.path))) {
      all.push({ decodeTime: f.decodeTime, ticks: Math.round(f.duration * init.timescale), samples: f.sampleCount, sync: f.firstIsSync });
    }
  }
  return all;
}

async function countFrames(file: string): Promise<number> {
  const probe = await ffprobeJson(file, ['-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames']);
  return Number(probe.streams?.[0]?.nb_read_frames);
}

/** The frames decoded from a rendition (init + every segment): ffprobe -count_frames. */
export async function frameCount(asset: LoadedAsset, uri: string, scratch: string, name: string): Promise<number> {
  return countFrames(await concatTrack(await trackFiles(asset, uri), scratch, name));
}

/**
 * frameCount for several renditions in one process: one ffmpeg with each file as its own input
 * (its own demuxer and decoder, decoding every frame as ffprobe -count_frames does), whose final
 * verbose statistics say per input stream `N frames decoded`. If ffmpeg fails, each file is
 * counted alone with ffprobe.
 */
async function frameCounts(files: readonly string[]): Promise<number[]> {
  let stderr: string;
  try {
    stderr = await ffmpeg([...files.flatMap((file) => ['-i', file]), ...files.flatMap((_, i) => ['-map', `${i}:v:0`]), '-f', 'null', '-'], { loglevel: 'verbose' });
  } catch {
    const counts = [];
    for (const file of files) counts.push(await countFrames(file));
    return counts;
  }
  return files.map((_, i) => Number(new RegExp(`^ *Input stream #${i}:\\d+ \\(video\\): \\d+ packets read \\(\\d+ bytes\\); (\\d+) frames decoded`, 'm').exec(stderr)?.[1]));
}

/** Whole and chunked encodes of one source must agree on everything but the bytes of the pictures. */
export async function assertEquivalent(whole: LoadedAsset, chunked: LoadedAsset, scratch: string, expectedFrames: number): Promise<void> {
  assert.deepEqual(chunked.manifest.renditions.map((r) => r.id), whole.manifest.renditions.map((r) => r.id));
  for (const variant of videoVariants(whole)) {
    const [a, b] = [whole.playlists.get(variant.uri), chunked.playlists.get(variant.uri)];
    assert.deepEqual(b?.entries.map((e) => [e.uri, e.duration]), a?.entries.map((e) => [e.uri, e.duration]), `${variant.uri}: the same segments and durations`);
    const [fa, fb] = [await fragmentsOf(whole, variant.uri), await fragmentsOf(chunked, variant.uri)];
    assert.deepEqual(fb.map((f) => [f.decodeTime, f.ticks, f.samples, f.sync]), fa.map((f) => [f.decodeTime, f.ticks, f.samples, f.sync]), `${variant.uri}: the same fragments (GOPs) at the same decode times`);
    fb.forEach((f, i) => {
      const before = fb[i - 1];
      if (before) assert.equal(f.decodeTime, before.decodeTime + before.ticks, `${variant.uri}: fragment ${i} follows on without gap or overlap`);
    });
  }
  // Every frame once, in both assets: all renditions decoded by one ffmpeg, each input alone.
  const counted: { uri: string; whole: string; chunked: string }[] = [];
  for (const variant of videoVariants(whole)) {
    const id = variant.uri.split('/')[1] ?? 'v';
    counted.push({
      uri: variant.uri,
      chunked: await concatTrack(await trackFiles(chunked, variant.uri), scratch, `chunked-${id}.mp4`),
      whole: await concatTrack(await trackFiles(whole, variant.uri), scratch, `whole-${id}.mp4`),
    });
  }
  const counts = await frameCounts(counted.flatMap((c) => [c.chunked, c.whole]));
  counted.forEach((c, i) => {
    assert.equal(counts[2 * i], expectedFrames, `${c.uri}: every frame once`);
    assert.equal(counts[2 * i + 1], expectedFrames);
  });
  const audioUri = audioMedia(whole)?.URI;
  assert.ok(audioUri);
  // Every audio track, not only the default one.
  const audioUris = (asset: LoadedAsset): string[] => asset.master.media.filter((m) => m.TYPE === 'AUDIO').flatMap((m) => (m.URI ? [m.URI] : []));
  assert.deepEqual(audioUris(chunked), audioUris(whole), 'the same audio renditions');
  for (const uri of audioUris(whole)) {
    assert.deepEqual(chunked.playlists.get(uri)?.entries, whole.playlists.get(uri)?.entries, `${uri}: the audio, encoded once for the whole, is the same`);
  }
}
