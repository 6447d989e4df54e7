// How every ffmpeg/ffprobe invocation opens a source: local files only, and only real media
// containers, so a playlist, concat list or image pattern disguised as a video cannot make
// ffmpeg read other files or the network.
import path from 'node:path';

/** Demuxers a recording or upload may use (names as ffmpeg reports them). */
export const allowedDemuxers: readonly string[] = [
  'mov', 'mp4', 'm4a', '3gp', '3g2', 'mj2', // MP4/MOV and fragmented MP4 (MediaMTX)
  'flv', 'live_flv', // nginx-rtmp, SRS
  'mpegts', 'matroska', 'webm', 'avi', 'mxf', 'asf',
  'wav', 'w64', 'mp3', 'aac', 'ogg', 'flac', 'caf', // audio-only recordings
];

export function guardedInput(file: string): string[] {
  return [
    '-protocol_whitelist', 'file',
    '-format_whitelist', allowedDemuxers.join(','),
    // The `file:` prefix stops a name like `concat:a|b` or `http:…` from choosing a protocol.
    '-i', `file:${path.resolve(file)}`,
  ];
}
