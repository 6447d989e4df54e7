// Decides the whole plan from the probed source and the user's options.
import { planLadder } from './ladder.ts';
import { planThumbnails } from './thumbnails.ts';
import type { LoudnessTarget, TranscodePlan } from './plan.ts';
import type { EncoderName, RungSpec, SourceInfo, VideoCodecFamily } from './types.ts';

export interface PlanOptions {
  codec: VideoCodecFamily;
  encoder: EncoderName;
  encoderPreset?: string;
  rungs: readonly RungSpec[];
  /** BCP 47 language of the audio when the source does not say. */
  defaultLanguage: string;
  /** False turns normalisation off. */
  loudness: LoudnessTarget | false;
  audioBitrateKbps: number;
  gopSeconds: number;
  segmentSeconds: number;
  thumbnails: boolean;
}

export const defaultLoudness: LoudnessTarget = { integrated: -16, truePeak: -1.5, range: 11 };

export function planTranscode(source: SourceInfo, options: PlanOptions): TranscodePlan {
  if (options.segmentSeconds % options.gopSeconds !== 0) {
    throw new Error(`segment duration ${options.segmentSeconds} s must be a multiple of the GOP ${options.gopSeconds} s`);
  }
  const video = source.video ? planLadder(source.video, { codec: options.codec, rungs: options.rungs }) : [];
  const plan: TranscodePlan = {
    source,
    video,
    encoder: options.encoder,
    gopSeconds: options.gopSeconds,
    segmentSeconds: options.segmentSeconds,
    deinterlace: source.video?.interlaced ?? false,
  };
  if (options.encoderPreset !== undefined) plan.encoderPreset = options.encoderPreset;
  if (source.audio) {
    const language = bcp47(source.audio.language) ?? options.defaultLanguage;
    plan.audio = { id: `aac-${options.audioBitrateKbps}k`, bitrateKbps: options.audioBitrateKbps, sampleRate: 48000, channels: 2, language, name: languageName(language) };
    if (options.loudness) plan.loudness = options.loudness;
  }
  if (source.video && options.thumbnails) {
    Object.assign(plan, planThumbnails(source, { width: source.video.displayWidth, height: source.video.displayHeight }));
  }
  // Needs pictures: an audio-only recording has no pre-show to tell from a quiet start.
  if (source.video && video.length > 0) plan.detectEvent = true;
  // The middle rung: good enough to watch offline, small enough to download.
  const middle = video[Math.floor((video.length - 1) / 2)];
  if (middle) plan.downloadRenditionId = middle.id;
  return plan;
}

const iso639: Record<string, string> = { eng: 'en', deu: 'de', ger: 'de', fra: 'fr', fre: 'fr', spa: 'es', ita: 'it', por: 'pt', nld: 'nl', dut: 'nl', jpn: 'ja', zho: 'zh', chi: 'zh' };

function bcp47(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  if (/^[a-z]{2}(-[A-Za-z0-9]+)*$/.test(tag)) return tag;
  return iso639[tag.toLowerCase()];
}

function languageName(language: string): string {
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(language) ?? language;
  } catch {
    return language;
  }
}
