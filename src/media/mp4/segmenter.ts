// Groups fragments into segments of about `segmentSeconds`, on boundaries fixed in absolute
// time so that every rendition (video and audio alike) cuts at the same instants.

import type { Fragment } from '../types.ts';

/** What the cutting rule looks at in a fragment. */
export type CutFragment = Pick<Fragment, 'decodeTime' | 'startsWithKeyframe'>;

function checkArgs(who: string, timescale: number, segmentSeconds: number): void {
  if (!(timescale > 0)) throw new Error(`${who}: timescale must be positive, got ${timescale}`);
  if (!(segmentSeconds > 0)) throw new Error(`${who}: segmentSeconds must be positive, got ${segmentSeconds}`);
}

/** Index k of the slot [k*segmentSeconds, (k+1)*segmentSeconds) that a decode time falls in. */
function slotOf(decodeTime: number, timescale: number, segmentSeconds: number): number {
  // The epsilon keeps a boundary landing a rounding error short of k*segmentSeconds in slot k.
  return Math.floor(decodeTime / timescale / segmentSeconds + 1e-6);
}

/**
 * The cutting rule, shared by `groupFragments` and the streaming packager: whether `fragment`
 * opens a new segment, given the first fragment of the segment in progress (undefined before
 * the first fragment, which always opens one). A fragment opens a segment when its decode time
 * reaches a later multiple of `segmentSeconds` than the segment in progress started in, and it
 * begins with a keyframe (a segment must be decodable on its own; audio fragments always
 * qualify). Pure: the answer depends on the arguments only.
 */
export function opensSegment(
  fragment: CutFragment,
  segmentFirst: CutFragment | undefined,
  timescale: number,
  segmentSeconds: number,
): boolean {
  checkArgs('opensSegment', timescale, segmentSeconds);
  if (!segmentFirst) return true;
  return (
    fragment.startsWithKeyframe &&
    slotOf(fragment.decodeTime, timescale, segmentSeconds) > slotOf(segmentFirst.decodeTime, timescale, segmentSeconds)
  );
}

/**
 * Splits `fragments` (in decode order) into segments with `opensSegment`. The last group is
 * usually shorter. Never yields empty groups.
 */
export function groupFragments(fragments: Fragment[], timescale: number, segmentSeconds: number): Fragment[][] {
  checkArgs('groupFragments', timescale, segmentSeconds);
  const groups: Fragment[][] = [];
  let current: Fragment[] | undefined;
  for (const fragment of fragments) {
    if (opensSegment(fragment, current?.[0], timescale, segmentSeconds) || !current) {
      current = [];
      groups.push(current);
    }
    current.push(fragment);
  }
  return groups;
}
