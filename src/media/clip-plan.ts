// Where a clip cuts one rendition of its parent. The parent's fragments are closed GOPs on a
// constant frame grid, so a frame is a whole number of ticks and every fragment a run of whole
// frames. A clip keeps the frames whose time lies in [start, end): every fragment wholly inside is
// copied (only its decode time changes), and only a fragment that straddles a cut is re-encoded,
// from its own frames. Pure: fragment times in, pieces out.
import { InputError } from '../errors/index.ts';

export interface ClipFragment {
  /** tfdt, in the track's ticks. */
  decodeTime: number;
  /** Ticks. */
  duration: number;
}

/** One piece of the clip, in order: a parent fragment copied whole, or some of its frames re-encoded. */
export type ClipPiece =
  | { kind: 'copy'; fragment: number }
  /** Frames [fromFrame, toFrame) of the fragment, counted from its first frame. */
  | { kind: 'encode'; fragment: number; fromFrame: number; toFrame: number };

export interface RenditionCut {
  /** Ticks of one frame. */
  frameTicks: number;
  /** The clip's first frame on the parent's timeline, in seconds (its time 0 in the clip). */
  firstFrameSeconds: number;
  frames: number;
  pieces: ClipPiece[];
}

/** A clip range the parent cannot give (empty, or outside the rendition): bad input, never retried. */
export class ClipRangeError extends InputError {}

/**
 * Cuts [startSeconds, endSeconds) out of a rendition whose fragments are `fragments` (in order,
 * joined) at `timescale` ticks per second and `frameRate` frames per second. `endsTrack`: the
 * last fragment given is the track's last, so an end past it (the audio may run a frame longer
 * than the video, and an asset's duration is the longer) means "to the end".
 */
export function cutRendition(fragments: readonly ClipFragment[], timescale: number, frameRate: { num: number; den: number }, range: { startSeconds: number; endSeconds: number }, endsTrack = false): RenditionCut {
  const frameTicks = (timescale * frameRate.den) / frameRate.num;
  if (!Number.isInteger(frameTicks)) throw new Error(`a frame at ${frameRate.num}/${frameRate.den} fps is not a whole number of ticks at timescale ${timescale}`);
  // The first frame at or after start, the first at or after end (exclusive); half a millisecond
  // of slack, so a time written with three decimals (as manifest.json writes them) names its frame.
  const slack = (0.0005 * frameRate.num) / frameRate.den;
  const firstTick = Math.ceil((range.startSeconds * timescale) / frameTicks - slack) * frameTicks;
  const asked = Math.ceil((range.endSeconds * timescale) / frameTicks - slack) * frameTicks;
  const trackEnd = fragments.length > 0 ? (fragments.at(-1)?.decodeTime ?? 0) + (fragments.at(-1)?.duration ?? 0) : 0;
  const endTick = endsTrack ? Math.min(asked, trackEnd) : asked;
  const pieces: ClipPiece[] = [];
  fragments.forEach((f, index) => {
    if (f.duration % frameTicks !== 0 || f.decodeTime % frameTicks !== 0) throw new Error(`fragment ${index} at ${f.decodeTime} ticks is not on the frame grid of ${frameTicks} ticks`);
    const from = Math.max(firstTick, f.decodeTime);
    const to = Math.min(endTick, f.decodeTime + f.duration);
    if (to <= from) return;
    if (from === f.decodeTime && to === f.decodeTime + f.duration) pieces.push({ kind: 'copy', fragment: index });
    else pieces.push({ kind: 'encode', fragment: index, fromFrame: (from - f.decodeTime) / frameTicks, toFrame: (to - f.decodeTime) / frameTicks });
  });
  const first = fragments[0];
  const last = fragments.at(-1);
  if (!first || !last || firstTick < first.decodeTime || endTick > last.decodeTime + last.duration) {
    throw new ClipRangeError(`the range ${range.startSeconds}–${range.endSeconds} s is not inside the fragments given (${first ? first.decodeTime / timescale : 0}–${last ? (last.decodeTime + last.duration) / timescale : 0} s)`);
  }
  if (pieces.length === 0) throw new ClipRangeError(`the range ${range.startSeconds}–${range.endSeconds} s holds no frame`);
  return { frameTicks, firstFrameSeconds: firstTick / timescale, frames: (endTick - firstTick) / frameTicks, pieces };
}

/** Segment numbers (1-based) of a track cut into `segmentSeconds` slots that may hold [start, end): one slot of slack each side for keyframes that land just after a slot's start. */
export function segmentsAround(range: { startSeconds: number; endSeconds: number }, segmentSeconds: number, count: number): number[] {
  const first = Math.max(1, Math.floor(range.startSeconds / segmentSeconds));
  const last = Math.min(count, Math.floor(range.endSeconds / segmentSeconds) + 2);
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}
