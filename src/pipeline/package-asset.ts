// Splits every rendition into CMAF segments and writes the HLS and DASH manifests over them. The
// renditions are packaged at once, and, given their writers, while ffmpeg still encodes them.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeMpd } from '../media/dash.ts';
import { writeIframePlaylist, writeMediaPlaylist, writeMultivariantPlaylist } from '../media/hls.ts';
import { audioRenditions, audioScratchName, scratchNames, type TranscodePlan } from '../media/plan.ts';
import type { PackagedTrack, Segment } from '../media/types.ts';
import { writing } from './fs-errors.ts';
import type { OutputDir } from './output-dir.ts';
import { packageTrack, type PackageTrackOptions } from './package-track.ts';

export interface PackagedAsset {
  video: PackagedTrack[];
  /** The default audio track. */
  audio?: PackagedTrack;
  /** The other audio tracks, in the plan's order; absent when there are none. */
  alternateAudio?: PackagedTrack[];
  duration: number;
}

/** Which track a segment belongs to, for `onSegment`. */
export interface SegmentTrack {
  id: string;
  kind: 'video' | 'audio';
  /** The track's directory relative to the asset root, e.g. `video/1080p-7800k`. */
  relDir: string;
}

export type SegmentListener = (track: SegmentTrack, segment: Segment, absPath: string) => Promise<void> | void;

export interface PackageAssetOptions {
  /**
   * Package while the encodes run: each track's scratch file is read as ffmpeg writes it, until
   * its writer settles (`video`: the one ffmpeg making every video rendition; `audio`: the audio
   * encodes, every track). A track without a writer here is read as a complete file.
   */
  writers?: { video?: Promise<void>; audio?: Promise<void> };
  /** Stops packaging at the next read of a file still being written. */
  signal?: AbortSignal;
  /**
   * Called with each segment, in order per track, once its file is written and closed (and the
   * track's init.mp4 is there); the track waits for a returned promise, and fails if it rejects.
   */
  onSegment?: SegmentListener;
}

/**
 * Packages every track at once, then writes the playlists and the MPD. When a track fails, the
 * others are stopped (those reading a growing file at their next read) and waited for, so that
 * nothing is written any more once this rejects, with the first failure.
 */
export async function packageAsset(plan: TranscodePlan, scratch: string, out: OutputDir, options: PackageAssetOptions = {}): Promise<PackagedAsset> {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  let failed: { error: unknown } | undefined;

  const track = (kind: 'video' | 'audio', id: string, file: string, extra: Pick<PackageTrackOptions, 'rendition' | 'audio'>): Promise<PackagedTrack> => {
    const relDir = `${kind}/${id}`;
    const outDir = out.path(relDir);
    const writerDone = kind === 'video' ? options.writers?.video : options.writers?.audio;
    const listener = options.onSegment;
    const packaged = writing(relDir, () => packageTrack({
      fmp4Path: path.join(scratch, file), outDir, relDir, id, kind, segmentSeconds: plan.segmentSeconds, ...extra,
      ...(writerDone ? { growing: { writerDone, signal: stop.signal } } : {}),
      ...(listener ? { onSegment: (segment: Segment) => listener({ id, kind, relDir }, segment, path.join(outDir, segment.file)) } : {}),
    }));
    packaged.catch((error: unknown) => {
      failed ??= { error };
      stop.abort();
    });
    return packaged;
  };

  const tracks = [
    ...plan.video.map((rendition) => track('video', rendition.id, scratchNames.video(rendition.id), { rendition })),
    ...audioRenditions(plan).map((audio) => track('audio', audio.id, audioScratchName(plan, audio), { audio })),
  ];
  const settled = await Promise.allSettled(tracks);
  options.signal?.removeEventListener('abort', onAbort);
  if (failed) throw failed.error;
  const packaged = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const video = packaged.filter((t) => t.kind === 'video');
  // Settled in the order started: the default audio track first.
  const [audio, ...alternateAudio] = packaged.filter((t) => t.kind === 'audio');

  return writePlaylists(out, video, audio, alternateAudio);
}

/** The media and I-frame playlists of every track, the multivariant playlist and the MPD. */
export async function writePlaylists(out: OutputDir, video: PackagedTrack[], audio: PackagedTrack | undefined, alternateAudio: PackagedTrack[] = []): Promise<PackagedAsset> {
  const others = audio && alternateAudio.length > 0 ? { alternateAudio } : {};
  const audioTracks = audio ? [audio, ...alternateAudio] : [];
  const duration = Math.max(0, ...video.map((t) => t.duration), ...audioTracks.map((t) => t.duration));
  await writing('playlists', async () => {
    for (const track of [...video, ...audioTracks]) {
      await writeFile(out.path(track.dir, track.playlistFile), writeMediaPlaylist(track));
      if (track.iframePlaylistFile) await writeFile(out.path(track.dir, track.iframePlaylistFile), writeIframePlaylist(track));
    }
    await writeFile(out.path('master.m3u8'), writeMultivariantPlaylist(audio ? { video, audio, ...others } : { video }));
    await writeFile(out.path('manifest.mpd'), writeMpd(audio ? { video, audio, ...others, duration } : { video, duration }));
  });
  return audio ? { video, audio, ...others, duration } : { video, duration };
}
