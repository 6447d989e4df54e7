// Turns an ffmpeg/ffprobe failure into the error class that tells the caller what to do.
// Pure, so the mapping is tested without running ffmpeg.
import { FfmpegError, InputError, OutputError, type Live2vodError } from '../errors/index.ts';

export type FailureStage = 'probe' | 'encode' | 'package';

interface Rule {
  pattern: RegExp;
  build: (tail: string, command: readonly string[]) => Live2vodError;
}

const outputRules: Rule[] = [
  {
    pattern: /No space left on device/i,
    build: (tail, command) => new OutputError('the disk is full: ffmpeg could not write its output (free space, or point --out/--scratch elsewhere)', { stderrTail: tail, command }),
  },
  {
    pattern: /(Permission denied|Read-only file system)/i,
    build: (tail, command) => new OutputError('ffmpeg may not write to the output location (check its permissions)', { stderrTail: tail, command }),
  },
];

const inputRules: Rule[] = [
  { pattern: /Format not on whitelist/i, build: (tail, command) => new InputError(refusedFormat(tail), { stderrTail: tail, command }) },
  { pattern: /Protocol not on whitelist/i, build: (tail, command) => new InputError('the source tried to open another file or a network location, which is refused', { stderrTail: tail, command }) },
  { pattern: /moov atom not found/i, build: (tail, command) => new InputError('the source is not a complete MP4/MOV: its index (moov atom) is missing — it is truncated, unfinished, or not an MP4 at all; re-upload the complete recording', { stderrTail: tail, command }) },
  { pattern: /(Invalid data found when processing input|could not find codec parameters|Failed to read frame size|EBML header parsing failed|End of file)/i, build: (tail, command) => new InputError('the source is corrupt or not a media file ffmpeg can read', { stderrTail: tail, command }) },
  { pattern: /No such file or directory/i, build: (tail, command) => new InputError('the source file does not exist', { stderrTail: tail, command }) },
  { pattern: /(Decoder \(codec \w+\) not found|Unsupported codec|no decoder found)/i, build: (tail, command) => new InputError('the source uses a codec this ffmpeg cannot decode', { stderrTail: tail, command }) },
];

export function classifyFailure(stage: FailureStage, exitCode: number | null, stderrTail: string, command: readonly string[]): Live2vodError {
  // ffprobe writes nothing: a permission problem while probing is the source's.
  if (stage === 'probe' && /Permission denied/i.test(stderrTail)) return new InputError('the source cannot be read: permission denied', { stderrTail, command });
  if (stage !== 'probe') for (const rule of outputRules) if (rule.pattern.test(stderrTail)) return rule.build(stderrTail, command);
  // Reading problems only count as bad input while reading the source; later they are our own files.
  if (stage !== 'package') for (const rule of inputRules) if (rule.pattern.test(stderrTail)) return rule.build(stderrTail, command);
  const program = command[0] ?? 'ffmpeg';
  return new FfmpegError(`${program} failed during ${stage} (exit ${exitCode ?? 'signal'})`, { command, stderrTail });
}

/**
 * What a source ffmpeg read as a format outside the whitelist is. ffmpeg names the format it
 * detected (`[h264 @ 0x…] Format not on whitelist`); a guess at a low score is a corrupt file,
 * not a playlist.
 */
export function refusedFormat(tail: string): string {
  const detected = /\[([\w,]+) @ [^\]]*\] Format not on whitelist/.exec(tail)?.[1];
  if (detected === undefined || /detected only with low score/.test(tail)) {
    return `the source is corrupt or not a media file: ffmpeg could only guess its format${detected ? ` (${detected})` : ''}`;
  }
  if (/^(hls|applehttp|concat|tty|ffmetadata)$/.test(detected)) {
    return `the source is a text file ffmpeg reads as ${detected} (playlists and concat lists are refused): send the recording itself`;
  }
  if (/^image2|_pipe$/.test(detected)) return `the source is a picture (${detected}), not a recording`;
  return `the source is a raw ${detected} stream, not a container live2vod accepts (MP4/MOV, Matroska/WebM, FLV, MPEG-TS, MXF, AVI, ASF, WAV, MP3, AAC, Ogg, FLAC, CAF): remux it first, e.g. ffmpeg -i in -c copy out.mkv`;
}
