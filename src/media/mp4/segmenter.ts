// Groups fragments into segments of about `segmentSeconds`, on boundaries fixed in absolute
// time so that every rendition (video and audio alike) cuts at the same instants.

import type { Fragment } from '../types.ts';

/**
 * Starts a new group at each fragment whose decode time reaches the next multiple of
 * `segmentSeconds` and that begins with a keyframe (a segment must be decodable on its own;
 * audio fragments always qualify). The last group is usually shorter. Never yields empty groups.
 */
export function groupFragments(fragments: Fragment[], timescale: number, segmentSeconds: number): Fragment[][] {
  if (!(timescale > 0)) throw new Error(`groupFragments: timescale must be positive, got ${timescale}`);
  if (!(segmentSeconds > 0)) throw new Error(`groupFragments: segmentSeconds must be positive, got ${segmentSeconds}`);
  const groups: Fragment[][] = [];
  let current: Fragment[] | undefined;
  let currentIndex = -Infinity;
  for (const fragment of fragments) {
    // The epsilon keeps a boundary landing a rounding error short of k*segmentSeconds in slot k.
    const index = Math.floor(fragment.decodeTime / timescale / segmentSeconds + 1e-6);
    if (!current || (index > currentIndex && fragment.startsWithKeyframe)) {
      current = [];
      groups.push(current);
      currentIndex = index;
    }
    current.push(fragment);
  }
  return groups;
}
