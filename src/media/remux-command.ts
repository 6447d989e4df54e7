// Instant remux: the source's own H.264/AAC copied (no re-encode) into a single-rendition HLS
// playlist, so a recording is playable seconds after its webhook while the ladder encodes. The
// playlist grows as the copy runs, so the wait does not grow with the recording's length.
import { commonArgs } from './fmp4-output.ts';
import { guardedInput } from './input-args.ts';
import type { SourceInfo } from './types.ts';

export const instantDir = 'instant';
export const instantPlaylist = `${instantDir}/index.m3u8`;

/** Players play H.264 + AAC in fMP4 everywhere; other source codecs wait for the ladder. */
export function canRemuxInstantly(source: SourceInfo): boolean {
  const videoOk = !source.video || source.video.codec === 'h264';
  const audioOk = !source.audio || source.audio.codec === 'aac';
  return videoOk && audioOk && (source.video !== undefined || source.audio !== undefined);
}

/** Run with the asset root as working directory. */
export function buildRemuxCommand(ffmpeg: string, sourcePath: string, source: SourceInfo, segmentSeconds: number): string[] {
  return [
    ffmpeg, ...commonArgs,
    ...guardedInput(sourcePath),
    ...(source.video ? ['-map', `0:${source.video.index}`] : []),
    ...(source.audio ? ['-map', `0:${source.audio.index}`] : []),
    '-c', 'copy',
    '-f', 'hls',
    // Cut at the source's own keyframes, near the ladder's segment length.
    '-hls_time', String(segmentSeconds),
    // A growing EVENT playlist: playable from its first segment, ENDLIST once the copy is done.
    '-hls_playlist_type', 'event',
    // Segments and playlist appear under their names only once whole (written aside, renamed).
    '-hls_flags', 'temp_file',
    '-hls_segment_type', 'fmp4',
    '-hls_fmp4_init_filename', 'init.mp4',
    '-hls_segment_filename', `${instantDir}/seg-%05d.m4s`,
    instantPlaylist,
  ];
}
