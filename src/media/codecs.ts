// Source codecs we accept. Anything else is refused up front with its name, instead of failing
// deep inside an encode.

const videoCodecs = new Set([
  'h264', 'hevc', 'vp8', 'vp9', 'av1', 'mpeg2video', 'mpeg1video', 'mpeg4', 'h263', 'flv1',
  'prores', 'dnxhd', 'mjpeg', 'theora', 'vc1', 'wmv3', 'ffv1',
]);

const audioCodecs = new Set([
  'aac', 'mp3', 'mp2', 'opus', 'vorbis', 'ac3', 'eac3', 'flac', 'alac', 'dts', 'truehd',
  'speex', 'nellymoser', 'adpcm_swf', 'wmav2', 'amr_nb', 'amr_wb',
]);

export function isSupportedVideoCodec(codec: string): boolean {
  return videoCodecs.has(codec);
}

export function isSupportedAudioCodec(codec: string): boolean {
  return audioCodecs.has(codec) || codec.startsWith('pcm_');
}

export function supportedCodecsHint(): string {
  return `video: ${[...videoCodecs].join(', ')}; audio: ${[...audioCodecs].join(', ')}, pcm_*`;
}
