// How every ffmpeg/ffprobe invocation opens a source: local files, or the worker's own loopback
// reader of a remote source (src/pipeline/ranged/), and only real media containers, so a playlist,
// concat list or image pattern disguised as a video cannot make ffmpeg read other files or the
// network.
import path from 'node:path';

/** Demuxers a recording or upload may use (names as ffmpeg reports them). */
export const allowedDemuxers: readonly string[] = [
  'mov', 'mp4', 'm4a', '3gp', '3g2', 'mj2', // MP4/MOV and fragmented MP4 (MediaMTX)
  'flv', 'live_flv', // nginx-rtmp, SRS
  'mpegts', 'matroska', 'webm', 'avi', 'mxf', 'asf',
  'wav', 'w64', 'mp3', 'aac', 'ogg', 'flac', 'caf', // audio-only recordings
];

/**
 * The URL of a loopback reader (`http://127.0.0.1:<port>/<32 hex token>/source[.ext]`). Local
 * sources are absolute paths, so no local source can look like one.
 */
export function isLoopbackSourceUrl(input: string): boolean {
  return /^http:\/\/127\.0\.0\.1:\d{1,5}\/[0-9a-f]{32}\/source(\.[A-Za-z0-9]{1,6})?$/.test(input);
}

const loopbackRecvBufferBytes = 128 * 1024;

export function guardedInput(file: string): string[] {
  if (isLoopbackSourceUrl(file)) {
    return [
      // http over tcp to the reader only: its answers are the source's bytes, never a redirect elsewhere.
      '-protocol_whitelist', 'http,tcp',
      // A small, fixed socket buffer (the kernel would grow it to megabytes on loopback): the
      // reader fetches only as far ahead as ffmpeg reads, so a chunk moves little past its end.
      '-recv_buffer_size', String(loopbackRecvBufferBytes),
      '-format_whitelist', allowedDemuxers.join(','),
      '-i', file,
    ];
  }
  return [
    '-protocol_whitelist', 'file',
    '-format_whitelist', allowedDemuxers.join(','),
    // The `file:` prefix stops a name like `concat:a|b` or `http:…` from choosing a protocol.
    '-i', `file:${path.resolve(file)}`,
  ];
}
