// Decides the whole plan from the probed source and the user's options.
import type { ComplexityAnalysis } from './complexity.ts';
import { chooseContentLadder } from './content-ladder.ts';
import { hdrTransferOf, type ToneMapper } from './hdr.ts';
import { planLadder } from './ladder.ts';
import { mixLadder } from './mixed-ladder.ts';
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
  /** Add HEVC rungs up to the source's size beside H.264 rungs up to 1080p (mixed-ladder.ts). */
  mixedHevc?: boolean | undefined;
  /** How an HDR source's SDR renditions are tone-mapped; zscale when absent. */
  toneMapper?: ToneMapper | undefined;
}

export const defaultLoudness: LoudnessTarget = { integrated: -16, truePeak: -1.5, range: 11 };

export function planTranscode(source: SourceInfo, options: PlanOptions): TranscodePlan {
  if (options.segmentSeconds % options.gopSeconds !== 0) {
    throw new Error(`segment duration ${options.segmentSeconds} s must be a multiple of the GOP ${options.gopSeconds} s`);
  }
  let planned = source.video ? planLadder(source.video, { codec: options.codec, rungs: options.rungs }) : [];
  let ladder: LadderChoice | undefined;
  if (options.ladder?.kind === 'content-aware' && planned.length > 0) {
    const chosen = chooseContentLadder(planned, options.ladder.analysis);
    planned = chosen.video;
    ladder = { kind: 'content-aware', analysis: options.ladder.analysis, rungs: chosen.rungs };
  } else if (options.ladder?.kind === 'fixed') {
    ladder = { kind: 'fixed', note: options.ladder.note };
  }
  // HEVC rungs go beside the H.264 ladder as chosen (the analysis prices H.264 only).
  const video = source.video && options.mixedHevc ? mixLadder(planned, source.video, options.rungs) : planned;
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
  if (source.video && hdrTransferOf(source.video) && video.some((r) => !r.hdr)) plan.toneMapper = options.toneMapper ?? 'zscale';
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
  // The middle rung: good enough to watch offline, small enough to download; of the rungs every
  // device plays (a mixed ladder's H.264 ones).
  const playable = video.filter((r) => r.codec === options.codec && !r.hdr);
  const middle = playable[Math.floor((playable.length - 1) / 2)];
  if (middle) plan.downloadRenditionId = middle.id;
  return plan;
}
