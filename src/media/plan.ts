// The plan of one transcode: everything the argument builders need, decided up front from the
// probe and the options, so a dry run and a real run make the same commands.
import type { ToneMapper } from './hdr.ts';
import type { ComplexityAnalysis } from './complexity.ts';
import type { RungDecision } from './content-ladder.ts';
import type { EncoderName, SourceInfo, VideoRendition, AudioRendition } from './types.ts';

export interface ThumbnailPlan {
  /** Seconds between sprite thumbnails. */
  intervalSeconds: number;
  width: number;
  height: number;
  columns: number;
  rows: number;
}

export interface PosterPlan {
  /** How many evenly spaced candidate frames to score. */
  candidates: number;
  width: number;
  height: number;
}

export interface LoudnessTarget {
  integrated: number;
  truePeak: number;
  range: number;
}

/** `fixed`: the preset (or a ladder file) as it is; `content-aware`: chosen from a complexity analysis of the source. */
export type LadderKind = 'fixed' | 'content-aware';

/** The one place the default ladder kind is decided (profile, CLI); docs/benchmarks.md says why. */
export const defaultLadderKind: LadderKind = 'fixed';

/** How the video ladder was chosen; in the plan when a content-aware ladder was asked for. */
export interface LadderChoice {
  kind: LadderKind;
  /** Why a content-aware ladder was asked for and the fixed one made. */
  note?: string;
  analysis?: ComplexityAnalysis;
  /** Every rung of the fixed ladder for this source: kept (as which rendition) or dropped, and why. */
  rungs?: RungDecision[];
}

export interface TranscodePlan {
  source: SourceInfo;
  video: VideoRendition[];
  /** How `video` was chosen; absent: the fixed ladder, as asked. */
  ladder?: LadderChoice;
  /** The default audio rendition: DEFAULT in HLS, first in the MPD, in the download first. */
  audio?: AudioRendition;
  /** Every other audio track of the source, in source order; absent when there is one. */
  alternateAudio?: AudioRendition[];
  encoder: EncoderName;
  encoderPreset?: string;
  gopSeconds: number;
  segmentSeconds: number;
  deinterlace: boolean;
  /** Set when the source is HDR and some renditions are SDR: how they are tone-mapped (hdr.ts). */
  toneMapper?: ToneMapper;
  thumbnails?: ThumbnailPlan;
  poster?: PosterPlan;
  loudness?: LoudnessTarget;
  /** The video rendition muxed with the audio into download/ as a progressive MP4. */
  downloadRenditionId?: string;
  /** Detect pre-show, post-show and scene cuts in the encodes' own decode (src/media/event/). */
  detectEvent?: boolean;
}

/** File names inside the scratch directory; commands run with it as their working directory. */
export const scratchNames = {
  video: (id: string) => `video-${id}.mp4`,
  audio: 'audio.mp4',
  /** An alternate audio track's encode; the default one keeps `audio`. */
  alternateAudio: (id: string) => `audio-${id}.mp4`,
  posterPattern: 'poster-%03d.jpg',
  poster: (index: number) => `poster-${String(index).padStart(3, '0')}.jpg`,
  posterScores: 'poster-scores.txt',
  spritePattern: 'sprite-%03d.jpg',
  /** The sprite thumbnails as the encode writes them, one picture each; tiled into sprites after it. */
  thumbPattern: 'thumb-%05d.jpg',
  thumb: (index: number) => `thumb-${String(index).padStart(5, '0')}.jpg`,
  sprite: (index: number) => `sprite-${String(index).padStart(3, '0')}.jpg`,
  spriteScores: 'sprite-scores.txt',
} as const;

/** Every audio rendition, the default first. */
export function audioRenditions(plan: Pick<TranscodePlan, 'audio' | 'alternateAudio'>): AudioRendition[] {
  return plan.audio ? [plan.audio, ...(plan.alternateAudio ?? [])] : [];
}

/** The scratch file an audio rendition is encoded into. */
export function audioScratchName(plan: Pick<TranscodePlan, 'audio'>, rendition: AudioRendition): string {
  return rendition.id === plan.audio?.id ? scratchNames.audio : scratchNames.alternateAudio(rendition.id);
}
