// The audio commands, per audio rendition: a measuring pass (decode only) and its AAC encode.
import { audioDetectFilter } from './event/detect-filters.ts';
import { guardedInput } from './input-args.ts';
import { downmixFilter, measureFilter, normaliseFilter, type LoudnessMeasurement, type pendingMeasurement } from './loudness.ts';
import { audioFmp4Args, commonArgs, progressArgs } from './fmp4-output.ts';
import { audioScratchName, type TranscodePlan } from './plan.ts';
import type { AudioRendition } from './types.ts';

export function buildLoudnessMeasureCommand(ffmpeg: string, sourcePath: string, plan: TranscodePlan, rendition: AudioRendition | undefined = plan.audio): string[] {
  if (!rendition || !plan.loudness) throw new Error('no audio to measure');
  return [
    ffmpeg, '-hide_banner', '-nostdin', '-nostats',
    // ebur128 prints its summary at info level.
    '-loglevel', 'info',
    ...guardedInput(sourcePath),
    '-map', `0:${rendition.sourceIndex}`, '-vn', '-sn', '-dn',
    '-af', measureFilter(),
    '-f', 'null', '-',
  ];
}

/**
 * With `withProgress`, this command drives the progress bar (audio-only sources). `before`: a
 * filter ahead of the rest (a clip's trim).
 */
export function buildAudioEncodeCommand(ffmpeg: string, sourcePath: string, plan: TranscodePlan, measured: LoudnessMeasurement | typeof pendingMeasurement | undefined, withProgress = false, rendition: AudioRendition | undefined = plan.audio, before?: string): string[] {
  if (!rendition) throw new Error('no audio to encode');
  const treated = plan.loudness ? normaliseFilter(plan.loudness, measured) : downmixFilter;
  const filter = before === undefined ? treated : `${before},${treated}`;
  return [
    ffmpeg, ...commonArgs,
    ...(withProgress ? progressArgs : []),
    ...guardedInput(sourcePath),
    '-map', `0:${rendition.sourceIndex}`, '-vn', '-sn', '-dn', '-map_metadata', '-1',
    // Silences are found on the default track's own audio, before normalisation changes its levels.
    '-af', plan.detectEvent && rendition.id === plan.audio?.id ? `${audioDetectFilter()},${filter}` : filter,
    '-c:a', 'aac', '-profile:a', 'aac_low',
    '-b:a', `${rendition.bitrateKbps}k`,
    '-ar', String(rendition.sampleRate), '-ac', String(rendition.channels),
    '-metadata:s:a:0', `language=${toIso639_2(rendition.language)}`,
    // The name travels into the download MP4, where players list it beside the language.
    '-metadata:s:a:0', `title=${rendition.name}`,
    ...audioFmp4Args,
    audioScratchName(plan, rendition),
  ];
}

/** MP4 stores ISO 639-2 codes; the playlists use BCP 47 (`en`). */
function toIso639_2(language: string): string {
  const map: Record<string, string> = { en: 'eng', de: 'deu', fr: 'fra', es: 'spa', it: 'ita', pt: 'por', nl: 'nld', ja: 'jpn', zh: 'zho' };
  const primary = language.split('-')[0] ?? language;
  return map[primary] ?? (primary.length === 3 ? primary : 'und');
}
