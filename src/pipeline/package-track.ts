// Splits one rendition's fragmented MP4 (as ffmpeg wrote it) into a CMAF init file and
// ~segmentSeconds segment files shared by HLS and DASH, and measures what the manifests need.
// Fragments are copied verbatim: with default-base-is-moof their data offsets stay valid.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseFragments } from '../media/mp4/fragments.ts';
import { parseInitSegment } from '../media/mp4/init-segment.ts';
import { groupFragments } from '../media/mp4/segmenter.ts';
import { segmentFileName } from '../media/segment-names.ts';
import type { AudioRendition, Fragment, PackagedTrack, Segment, VideoRendition } from '../media/types.ts';

export interface PackageTrackOptions {
  fmp4Path: string;
  /** Absolute directory of this rendition; created if missing. */
  outDir: string;
  /** The same directory relative to the asset root, e.g. `video/1080p-7800k`. */
  relDir: string;
  id: string;
  kind: 'video' | 'audio';
  segmentSeconds: number;
  rendition?: VideoRendition;
  audio?: AudioRendition;
}

const INIT_FILE = 'init.mp4';
/** A final segment shorter than this would overstate the peak bitrate, so it is left out. */
const MIN_PEAK_SECONDS = 1;

/** Peak bits/s over (bytes, seconds) items, leaving out a short last item unless it is alone. */
function peakBitrate(items: { bytes: number; seconds: number }[]): number {
  const last = items[items.length - 1];
  const counted = items.length > 1 && last && last.seconds < MIN_PEAK_SECONDS ? items.slice(0, -1) : items;
  let peak = 0;
  for (const { bytes, seconds } of counted) if (seconds > 0) peak = Math.max(peak, (bytes * 8) / seconds);
  return Math.ceil(peak);
}

function averageBitrate(bytes: number, seconds: number): number {
  return seconds > 0 ? Math.ceil((bytes * 8) / seconds) : 0;
}

/**
 * How long each keyframe fragment's I-frame stands for: until the next keyframe fragment (or the
 * end of the track), which is one fragment when every fragment starts with an IDR.
 */
function keyframeTicks(fragments: Fragment[]): Map<Fragment, number> {
  const spans = new Map<Fragment, number>();
  let open: Fragment | undefined;
  for (const f of fragments) {
    if (f.startsWithKeyframe) open = f;
    if (open) spans.set(open, (spans.get(open) ?? 0) + f.duration);
  }
  return spans;
}

export async function packageTrack(opts: PackageTrackOptions): Promise<PackagedTrack> {
  const buf = await readFile(opts.fmp4Path);
  const { track, initSize } = parseInitSegment(buf);
  if (track.kind !== opts.kind) {
    throw new Error(`packageTrack ${opts.id}: ${opts.fmp4Path} track kind is '${track.kind}', expected '${opts.kind}'`);
  }
  const fragments = parseFragments(buf, initSize);
  if (fragments.length === 0) throw new Error(`packageTrack ${opts.id}: ${opts.fmp4Path} has no fragments`);
  const groups = groupFragments(fragments, track.timescale, opts.segmentSeconds);
  const iframeTicks = opts.kind === 'video' ? keyframeTicks(fragments) : new Map<Fragment, number>();
  const ts = track.timescale;

  await mkdir(opts.outDir, { recursive: true });
  await writeFile(path.join(opts.outDir, INIT_FILE), buf.subarray(0, initSize));

  const segments: Segment[] = [];
  for (const [i, group] of groups.entries()) {
    const number = i + 1;
    const file = segmentFileName(number);
    const keyframes: Segment['keyframes'] = [];
    let pos = 0;
    for (const f of group) {
      const ticks = iframeTicks.get(f);
      if (ticks !== undefined) {
        keyframes.push({ offset: pos, length: f.firstSampleEnd, time: f.decodeTime / ts, duration: ticks / ts });
      }
      pos += f.size;
    }
    const body = Buffer.concat(group.map((f) => buf.subarray(f.offset, f.offset + f.size)));
    await writeFile(path.join(opts.outDir, file), body);
    const first = group[0]!;
    const durationTicks = group.reduce((sum, f) => sum + f.duration, 0);
    segments.push({
      number,
      file,
      start: first.decodeTime / ts,
      duration: durationTicks / ts,
      decodeTime: first.decodeTime,
      durationTicks,
      bytes: body.length,
      keyframes,
    });
  }

  const totalBytes = segments.reduce((sum, s) => sum + s.bytes, 0);
  const duration = segments.reduce((sum, s) => sum + s.durationTicks, 0) / ts;
  const result: PackagedTrack = {
    id: opts.id,
    kind: opts.kind,
    dir: opts.relDir,
    initFile: INIT_FILE,
    playlistFile: 'playlist.m3u8',
    track,
    segments,
    duration,
    peakBitrate: peakBitrate(segments.map((s) => ({ bytes: s.bytes, seconds: s.duration }))),
    averageBitrate: averageBitrate(totalBytes, duration),
    totalBytes,
  };
  if (opts.kind === 'video') {
    const iframes = segments.flatMap((s) => s.keyframes).map((k) => ({ bytes: k.length, seconds: k.duration }));
    result.iframePlaylistFile = 'iframes.m3u8';
    result.iframePeakBitrate = peakBitrate(iframes);
    result.iframeAverageBitrate = averageBitrate(
      iframes.reduce((sum, k) => sum + k.bytes, 0),
      iframes.reduce((sum, k) => sum + k.seconds, 0),
    );
  }
  if (opts.rendition) result.rendition = opts.rendition;
  if (opts.audio) result.audio = opts.audio;
  return result;
}
