// Splits one rendition's fragmented MP4 (as ffmpeg wrote it) into a CMAF init file and
// ~segmentSeconds segment files shared by HLS and DASH, and measures what the manifests need.
// Fragments are copied verbatim: with default-base-is-moof their data offsets stay valid.
// The file is streamed, one fragment (moof + mdat, one GOP for video) in memory at a time, so
// hours-long renditions of several GB package in bounded memory.
//
// With `growing`, the file is packaged while ffmpeg still writes it: each read waits for its bytes
// (see growing-file.ts), every segment but the last is cut as soon as the first fragment of the
// next one is there, and the last once the writer is done. The output is byte for byte the same
// as from packaging the finished file.

import { mkdir, open, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { fileSource, type ByteSource } from '../media/mp4/file-boxes.ts';
import { readFragments } from '../media/mp4/fragments.ts';
import { readInitSegment } from '../media/mp4/init-segment.ts';
import { shiftFragment } from '../media/mp4/shift-fragment.ts';
import { opensSegment } from '../media/mp4/segmenter.ts';
import { averageBitrate, peakBitrate, targetDurationOf } from '../media/bitrate.ts';
import { segmentFileName } from '../media/segment-names.ts';
import type { AudioRendition, Fragment, PackagedTrack, Segment, TrackInfo, VideoRendition } from '../media/types.ts';
import { asDiskFullWhenCutShort } from './fs-errors.ts';
import { GrowingFile } from './growing-file.ts';

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
  /**
   * Called with each segment, in order, once its file is fully written and closed (e.g. to upload
   * it while later segments are still being cut). Packaging waits for a returned promise before
   * it goes on, and fails if it rejects.
   */
  onSegment?: (segment: Segment) => void | Promise<void>;
  /**
   * Package the file while another process still writes it: reads wait for their bytes until
   * `writerDone` settles. When it rejects (the encode failed), or `signal` aborts, packaging stops
   * at its next read with a WriterFailedError (whose cause is the writer's error) or the signal's
   * reason. The file need not exist yet. `pollMs`: see GrowingFileOptions.
   */
  growing?: { writerDone: Promise<void>; signal?: AbortSignal; pollMs?: number };
  /**
   * For a chunk's file (its time starts at 0): where the chunk lies in the whole recording. Every
   * fragment's decode time gets `startSeconds`, its sequence number `sequence` (the fragments
   * before the chunk), and segments are numbered from `firstSegment`, so that the chunk's
   * segments are the very files the unchunked encode would have made.
   */
  timeline?: { startSeconds: number; sequence: number; firstSegment: number };
  /** Where init.mp4 is written; `outDir/init.mp4` by default. */
  initPath?: string;
}

const INIT_FILE = 'init.mp4';

/** An I-frame range while its duration is still growing. */
interface OpenKeyframe {
  offset: number;
  length: number;
  time: number;
  /**
   * How long the I-frame stands for: until the next keyframe fragment (or the end of the track),
   * which is one fragment when every fragment starts with an IDR.
   */
  ticks: number;
}

/** The segment being written. */
interface OpenSegment {
  number: number;
  file: string;
  out: FileHandle;
  first: Fragment;
  bytes: number;
  durationTicks: number;
  keyframes: OpenKeyframe[];
}

async function writeAll(out: FileHandle, bytes: Buffer, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await out.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten <= 0) throw new Error(`write returned ${bytesWritten} at offset ${position + done}`);
    done += bytesWritten;
  }
}

/**
 * Streams the fragments after the init into segment files, cut by `opensSegment`, and returns
 * their metadata. The init file is written with the first segment, so a file without fragments
 * (or whose first fragment is malformed) leaves no output.
 */
async function writeSegments(
  input: ByteSource,
  { track, initSize, init }: { track: TrackInfo; initSize: number; init: Buffer },
  opts: PackageTrackOptions,
): Promise<Segment[]> {
  const ts = track.timescale;
  const segments: Segment[] = [];
  let current: OpenSegment | undefined;
  let keyframe: OpenKeyframe | undefined;
  const shift = opts.timeline ? { decodeTicks: ticksOf(opts.timeline.startSeconds, ts, opts.id), sequence: opts.timeline.sequence } : undefined;
  const firstNumber = opts.timeline?.firstSegment ?? 1;

  const close = async (seg: OpenSegment): Promise<void> => {
    await seg.out.close();
    // Every segment but the first opens on a keyframe fragment, so the I-frame still open when a
    // segment closes is its own, and no later fragment adds to its duration.
    const segment: Segment = {
      number: seg.number,
      file: seg.file,
      start: seg.first.decodeTime / ts,
      duration: seg.durationTicks / ts,
      decodeTime: seg.first.decodeTime,
      durationTicks: seg.durationTicks,
      bytes: seg.bytes,
      keyframes: seg.keyframes.map((k) => ({ offset: k.offset, length: k.length, time: k.time, duration: k.ticks / ts })),
    };
    segments.push(segment);
    await opts.onSegment?.(segment);
  };

  const next = async (previous: OpenSegment | undefined, first: Fragment): Promise<OpenSegment> => {
    if (previous) await close(previous);
    else {
      await mkdir(opts.outDir, { recursive: true });
      const initPath = opts.initPath ?? path.join(opts.outDir, INIT_FILE);
      await mkdir(path.dirname(initPath), { recursive: true });
      await writeFile(initPath, init);
    }
    const number = segments.length + firstNumber;
    const file = segmentFileName(number);
    const out = await open(path.join(opts.outDir, file), 'w');
    return { number, file, out, first, bytes: 0, durationTicks: 0, keyframes: [] };
  };

  try {
    for await (const { fragment: f, bytes } of readFragments(input, initSize)) {
      if (shift) f.decodeTime = shiftFragment(bytes, shift);
      // (opensSegment is true for the first fragment; `!current` is only there for the type checker.)
      if (opensSegment(f, current?.first, ts, opts.segmentSeconds) || !current) current = await next(current, f);
      if (opts.kind === 'video' && f.startsWithKeyframe) {
        keyframe = { offset: current.bytes, length: f.firstSampleEnd, time: f.decodeTime / ts, ticks: 0 };
        current.keyframes.push(keyframe);
      }
      if (keyframe) keyframe.ticks += f.duration;
      await writeAll(current.out, bytes, current.bytes);
      current.bytes += f.size;
      current.durationTicks += f.duration;
    }
    if (!current) throw new Error(`packageTrack ${opts.id}: ${opts.fmp4Path} has no fragments`);
    await close(current);
  } finally {
    // After a failure the segment being written may still be open (closing twice is harmless);
    // its partial file is left like any other output of a failed run.
    await current?.out.close().catch(() => undefined);
  }
  return segments;
}

/** A ByteSource over the complete file at `file`, and the means to close it. */
async function openComplete(file: string): Promise<ByteSource & { close(): Promise<void> }> {
  const handle = await open(file, 'r');
  try {
    return { ...fileSource(handle, (await handle.stat()).size), close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** A chunk start in the track's ticks; it must be whole, or the chunk would not sit on a frame. */
function ticksOf(seconds: number, timescale: number, id: string): number {
  const ticks = Math.round(seconds * timescale);
  if (Math.abs(ticks - seconds * timescale) > 1e-3) {
    throw new Error(`packageTrack ${id}: the chunk start ${seconds} s is not a whole number of ticks at timescale ${timescale}`);
  }
  return ticks;
}

export async function packageTrack(opts: PackageTrackOptions): Promise<PackagedTrack> {
  const input: ByteSource & { close(): Promise<void> } = opts.growing
    ? new GrowingFile(opts.fmp4Path, opts.growing)
    : await openComplete(opts.fmp4Path);
  let track: TrackInfo;
  let segments: Segment[];
  try {
    const init = await readInitSegment(input);
    track = init.track;
    if (track.kind !== opts.kind) {
      throw new Error(`packageTrack ${opts.id}: ${opts.fmp4Path} track kind is '${track.kind}', expected '${opts.kind}'`);
    }
    segments = await writeSegments(input, init, opts);
  } catch (error) {
    throw await asDiskFullWhenCutShort(error, opts.fmp4Path);
  } finally {
    await input.close();
  }
  return summarizeTrack(opts, track, segments);
}

/** The packaged track with its measured figures, from its segments (also those of several chunks). */
export function summarizeTrack(
  opts: Pick<PackageTrackOptions, 'id' | 'kind' | 'relDir' | 'rendition' | 'audio'>,
  track: TrackInfo,
  segments: Segment[],
): PackagedTrack {
  const ts = track.timescale;
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
    peakBitrate: peakBitrate(segments.map((s) => ({ bytes: s.bytes, seconds: s.duration })), targetDurationOf(segments.map((s) => s.duration))),
    averageBitrate: averageBitrate(totalBytes, duration),
    totalBytes,
  };
  if (opts.kind === 'video') {
    const iframes = segments.flatMap((s) => s.keyframes).map((k) => ({ bytes: k.length, seconds: k.duration }));
    result.iframePlaylistFile = 'iframes.m3u8';
    result.iframePeakBitrate = peakBitrate(iframes, targetDurationOf(iframes.map((f) => f.seconds)));
    result.iframeAverageBitrate = averageBitrate(
      iframes.reduce((sum, k) => sum + k.bytes, 0),
      iframes.reduce((sum, k) => sum + k.seconds, 0),
    );
  }
  if (opts.rendition) result.rendition = opts.rendition;
  if (opts.audio) result.audio = opts.audio;
  return result;
}
