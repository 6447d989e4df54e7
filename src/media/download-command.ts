// The progressive download: the chosen video rendition and every audio track remuxed (no
// re-encode) into one MP4 with the index at the front, so it starts playing while it downloads.
// The default audio comes first: with no disposition set, the MP4 muxer enables the first track of
// each kind, and players offer the others by their language and title.
import { commonArgs } from './fmp4-output.ts';
import { guardedInput } from './input-args.ts';

export function buildDownloadCommand(ffmpeg: string, inputs: { video?: string; audio?: string; alternateAudio?: readonly string[] }, output: string): string[] {
  const sources = [inputs.video, inputs.audio, ...(inputs.alternateAudio ?? [])].filter((x): x is string => x !== undefined);
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
