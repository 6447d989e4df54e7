// The progressive download: the chosen video rendition and the audio remuxed (no re-encode) into
// one MP4 with the index at the front, so it starts playing while it downloads.
import { commonArgs } from './fmp4-output.ts';
import { guardedInput } from './input-args.ts';

export function buildDownloadCommand(ffmpeg: string, inputs: { video?: string; audio?: string }, output: string): string[] {
  const sources = [inputs.video, inputs.audio].filter((x): x is string => x !== undefined);
  if (sources.length === 0) throw new Error('a download needs video or audio');
  return [
    ffmpeg, ...commonArgs,
    ...sources.flatMap((file) => guardedInput(file)),
    ...sources.flatMap((_, i) => ['-map', `${i}`]),
    '-c', 'copy',
    '-movflags', '+faststart',
    '-f', 'mp4',
    output,
  ];
}
