// Splits every rendition into CMAF segments and writes the HLS and DASH manifests over them.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeMpd } from '../media/dash.ts';
import { writeIframePlaylist, writeMediaPlaylist, writeMultivariantPlaylist } from '../media/hls.ts';
import { scratchNames, type TranscodePlan } from '../media/plan.ts';
import type { PackagedTrack } from '../media/types.ts';
import { writing } from './fs-errors.ts';
import type { OutputDir } from './output-dir.ts';
import { packageTrack } from './package-track.ts';

export interface PackagedAsset {
  video: PackagedTrack[];
  audio?: PackagedTrack;
  duration: number;
}

export async function packageAsset(plan: TranscodePlan, scratch: string, out: OutputDir): Promise<PackagedAsset> {
  const video = await Promise.all(plan.video.map(async (rendition) => {
    const relDir = `video/${rendition.id}`;
    return writing(relDir, () => packageTrack({
      fmp4Path: path.join(scratch, scratchNames.video(rendition.id)),
      outDir: out.path(relDir), relDir, id: rendition.id, kind: 'video', segmentSeconds: plan.segmentSeconds, rendition,
    }));
  }));
  const audioRendition = plan.audio;
  const audio = audioRendition
    ? await writing(`audio/${audioRendition.id}`, () => packageTrack({
        fmp4Path: path.join(scratch, scratchNames.audio),
        outDir: out.path(`audio/${audioRendition.id}`), relDir: `audio/${audioRendition.id}`, id: audioRendition.id, kind: 'audio', segmentSeconds: plan.segmentSeconds, audio: audioRendition,
      }))
    : undefined;

  const duration = Math.max(0, ...video.map((t) => t.duration), audio?.duration ?? 0);
  await writing('playlists', async () => {
    for (const track of [...video, ...(audio ? [audio] : [])]) {
      await writeFile(out.path(track.dir, track.playlistFile), writeMediaPlaylist(track));
      if (track.iframePlaylistFile) await writeFile(out.path(track.dir, track.iframePlaylistFile), writeIframePlaylist(track));
    }
    await writeFile(out.path('master.m3u8'), writeMultivariantPlaylist(audio ? { video, audio } : { video }));
    await writeFile(out.path('manifest.mpd'), writeMpd(audio ? { video, audio, duration } : { video, duration }));
  });
  return audio ? { video, audio, duration } : { video, duration };
}
