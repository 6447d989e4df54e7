// Split-and-stitch: where a recording is cut into chunks that encode in parallel. Pure.
//
// A chunk boundary must be a place where the unchunked encode has a keyframe in every rendition
// and starts a CMAF segment, so that stitching the chunks gives the very same segments. Keyframes
// sit on the first frame at or after each multiple of the GOP (encoders/encoder.ts), segments open
// on the first keyframe in each segment slot (mp4/segmenter.ts). So a boundary is a multiple of the
// chunk length, itself a multiple of the segment duration (which is a multiple of the GOP), moved
// to the first frame at or after it — and every rendition must have a frame exactly there: a
// 59.94 fps rung capped to 29.97 only does on even source frames.
import type { TranscodePlan } from './plan.ts';
import type { Rational } from './types.ts';

export interface ChunkRange {
  index: number;
  /** First frame of the chunk on the constant-rate timeline the encode makes (fps=nominal). */
  startFrame: number;
  /** First frame after the chunk; absent for the last chunk, which runs to the end. */
  endFrame?: number;
  /** startFrame in seconds: where the chunk lies on the recording's timeline. */
  startSeconds: number;
  /** endFrame in seconds, or the recording's duration. */
  endSeconds: number;
  /** The GOP number of the chunk's first frame on the recording's keyframe grid. */
  firstGop: number;
  /** The number (1-based) of the chunk's first CMAF segment in the whole asset. */
  firstSegment: number;
}

export interface ChunkPlan {
  /** The nominal chunk length; the last chunk may be shorter. */
  seconds: number;
  chunks: ChunkRange[];
}

export type ChunkDecision = { chunked: ChunkPlan } | { unchunked: string };

/** Bounds of the automatic chunk length, in seconds of source. */
export const autoChunkBounds = { min: 30, max: 600 } as const;

/**
 * The chunk length for a recording when none is forced: one chunk per worker (equal chunks on equal
 * workers finish together, which is the shortest wait), but no chunk shorter than
 * `autoChunkBounds.min` (below that the per-chunk start-up — process, seek, decoder and encoder
 * warm-up — stops being small next to the encode) and none longer than `autoChunkBounds.max` (so a
 * retried or preempted chunk costs minutes, not hours). 0 means "do not chunk".
 */
export function autoChunkSeconds(duration: number, segmentSeconds: number, parallelism: number): number {
  if (parallelism < 2 || duration < 2 * autoChunkBounds.min) return 0;
  const wanted = Math.min(autoChunkBounds.max, Math.max(autoChunkBounds.min, duration / parallelism));
  const seconds = Math.ceil(wanted / segmentSeconds - 1e-9) * segmentSeconds;
  return seconds < duration ? seconds : 0;
}

/** Cuts the plan's recording into chunks of `chunkSeconds`, or says why it stays whole. */
export function planChunks(plan: TranscodePlan, chunkSeconds: number): ChunkDecision {
  const video = plan.source.video;
  if (!video || plan.video.length === 0) return { unchunked: 'the recording has no video to encode in chunks' };
  if (!(chunkSeconds > 0)) return { unchunked: 'chunking is off' };
  if (!isWholeMultiple(chunkSeconds, plan.segmentSeconds)) return { unchunked: `the chunk length ${chunkSeconds} s is not a multiple of the segment duration ${plan.segmentSeconds} s` };
  if (plan.gopSeconds > plan.segmentSeconds) return { unchunked: 'the GOP is longer than a segment' };
  // The video's own length where known: a chunk past the last frame would have nothing to encode.
  const duration = video.duration ?? plan.source.duration;
  if (duration <= chunkSeconds) return { unchunked: `the recording (${duration.toFixed(1)} s) is not longer than one chunk (${chunkSeconds} s)` };

  const rate = video.frameRate;
  const starts: number[] = [0];
  const boundaries: number[] = [];
  for (let nominal = chunkSeconds; nominal < duration - 1e-6; nominal += chunkSeconds) {
    // Where a rate-capped rung has no frame at the nominal boundary, the nearest segment boundary
    // (within half a chunk) where every rung has one will do: chunks need not be equal.
    const boundary = nearestAligned(plan, nominal, chunkSeconds, boundaries.at(-1) ?? 0, duration);
    if (boundary === undefined) {
      const stuck = plan.video.find((r) => !framesAlign(firstFrameAtOrAfter(nominal, rate), nominal, rate, r.frameRate));
      return { unchunked: `rendition ${stuck?.id ?? '?'} has no frame where a chunk would start (near ${nominal} s): its frame rate does not divide the source's there` };
    }
    boundaries.push(boundary);
    starts.push(firstFrameAtOrAfter(boundary, rate));
  }
  const framesInSource = Math.floor((duration * rate.num) / rate.den + 1e-6);
  // A last chunk of no frames (the boundary lands on the very end) is merged away.
  while (starts.length > 1 && (starts.at(-1) ?? 0) >= framesInSource) starts.pop();
  if (starts.length < 2) return { unchunked: 'the recording is too short for more than one chunk' };

  const chunks = starts.map((startFrame, index): ChunkRange => {
    const endFrame = starts[index + 1];
    const nominalStart = index === 0 ? 0 : (boundaries[index - 1] ?? 0);
    return {
      index,
      startFrame,
      ...(endFrame === undefined ? {} : { endFrame }),
      startSeconds: frameTime(startFrame, rate),
      endSeconds: endFrame === undefined ? duration : frameTime(endFrame, rate),
      firstGop: Math.round(nominalStart / plan.gopSeconds),
      firstSegment: Math.round(nominalStart / plan.segmentSeconds) + 1,
    };
  });
  return { chunked: { seconds: chunkSeconds, chunks } };
}

/** The segment boundary nearest `nominal`, after `after` and before the end, where every rendition has a frame. */
function nearestAligned(plan: TranscodePlan, nominal: number, chunkSeconds: number, after: number, duration: number): number | undefined {
  const video = plan.source.video;
  if (!video) return undefined;
  const reach = Math.floor(chunkSeconds / plan.segmentSeconds / 2);
  for (let step = 0; step <= reach; step++) {
    for (const boundary of step === 0 ? [nominal] : [nominal + step * plan.segmentSeconds, nominal - step * plan.segmentSeconds]) {
      if (boundary <= after + 1e-6 || boundary >= duration - 1e-6) continue;
      const frame = firstFrameAtOrAfter(boundary, video.frameRate);
      if (plan.video.every((r) => framesAlign(frame, boundary, video.frameRate, r.frameRate))) return boundary;
    }
  }
  return undefined;
}

/** Seconds of frame `n` at `rate`. */
export function frameTime(n: number, rate: Rational): number {
  return (n * rate.den) / rate.num;
}

function firstFrameAtOrAfter(seconds: number, rate: Rational): number {
  return Math.ceil((seconds * rate.num) / rate.den - 1e-9);
}

/** Whether a rendition at `renditionRate` has its GOP's first frame exactly at source frame `frame`. */
function framesAlign(frame: number, boundary: number, sourceRate: Rational, renditionRate: Rational): boolean {
  // Source frames per rendition frame (an integer: rates are capped by whole divisors).
  const step = (sourceRate.num * renditionRate.den) / (sourceRate.den * renditionRate.num);
  if (Math.abs(step - Math.round(step)) > 1e-9) return false;
  return frame % Math.round(step) === 0 && firstFrameAtOrAfter(boundary, renditionRate) * Math.round(step) === frame;
}

/** Whether `value` is a whole multiple (1×, 2×, …) of `unit`, floating-point error forgiven (6.6 of 2.2). */
export function isWholeMultiple(value: number, unit: number): boolean {
  const ratio = value / unit;
  return Math.abs(ratio - Math.round(ratio)) < 1e-9 && ratio >= 1 - 1e-9;
}
