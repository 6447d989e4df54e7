// The container's name as people say it, from ffprobe's format_name, which lists every demuxer
// name the format goes by ("mov,mp4,m4a,3gp,3g2,mj2"). Pure.

const names: Record<string, string> = {
  'mov,mp4,m4a,3gp,3g2,mj2': 'MP4/MOV',
  'matroska,webm': 'Matroska/WebM',
  flv: 'FLV',
  live_flv: 'FLV',
  mpegts: 'MPEG-TS',
  mxf: 'MXF',
  avi: 'AVI',
  asf: 'ASF (WMV/WMA)',
  wav: 'WAV',
  w64: 'Wave64',
  mp3: 'MP3',
  aac: 'AAC (ADTS)',
  ogg: 'Ogg',
  flac: 'FLAC',
  caf: 'CAF',
};

export function containerName(formatName: string): string {
  return names[formatName] ?? formatName.split(',')[0] ?? formatName;
}
