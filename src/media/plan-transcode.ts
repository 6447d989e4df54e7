// Decides the whole plan from the probed source and the user's options.
import type { ComplexityAnalysis } from './complexity.ts';
import { chooseContentLadder } from './content-ladder.ts';
import { planLadder } from './ladder.ts';
import { planAudio } from './plan-audio.ts';
import { planThumbnails } from './thumbnails.ts';
import type { LadderChoice, LoudnessTarget, TranscodePlan } from './plan.ts';
import type { EncoderName, RungSpec, SourceInfo, VideoCodecFamily } from './types.ts';

export interface PlanOptions {
  codec: VideoCodecFamily;
  encoder: EncoderName;
  encoderPreset?: string;
  rungs: readonly RungSpec[];
  /**
   * Content-aware: the analysis the rungs are priced and thinned by; fixed with a note: a
   * content-aware ladder was asked for and could not be made. Absent: the fixed ladder, as asked.
   */
  ladder?: { kind: 'content-aware'; analysis: ComplexityAnalysis } | { kind: 'fixed'; note: string } | undefined;
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
  let video = source.video ? planLadder(source.video, { codec: options.codec, rungs: options.rungs }) : [];
  let ladder: LadderChoice | undefined;
  if (options.ladder?.kind === 'content-aware' && video.length > 0) {
    const chosen = chooseContentLadder(video, options.ladder.analysis);
    video = chosen.video;
    ladder = { kind: 'content-aware', analysis: options.ladder.analysis, rungs: chosen.rungs };
  } else if (options.ladder?.kind === 'fixed') {
    ladder = { kind: 'fixed', note: options.ladder.note };
  }
  const plan: TranscodePlan = {
    source,
    video,
    ...(ladder ? { ladder } : {}),
    encoder: options.encoder,
    gopSeconds: options.gopSeconds,
    segmentSeconds: options.segmentSeconds,
    deinterlace: source.video?.interlaced ?? false,
  };
  if (options.encoderPreset !== undefined) plan.encoderPreset = options.encoderPreset;
  if (source.audio) {
    const [first, ...alternates] = planAudio(source, source.audio, options);
    if (first) plan.audio = first;
    if (alternates.length > 0) plan.alternateAudio = alternates;
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
