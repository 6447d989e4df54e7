// Where the event and a chosen range lie on the player's timeline, and the clip requests made
// from them. Pure.
import { preciseClock } from './format.js';

/**
 * @typedef {object} Span where a stretch of the asset lies along the timeline, in percent
 * @property {number} left
 * @property {number} width
 */

/**
 * @param {number} start seconds
 * @param {number} end seconds
 * @param {number} duration seconds
 * @returns {Span}
 */
export function spanOf(start, end, duration) {
  if (!(duration > 0)) return { left: 0, width: 0 };
  const from = Math.min(Math.max(start, 0), duration);
  const to = Math.min(Math.max(end, from), duration);
  return { left: (from / duration) * 100, width: ((to - from) / duration) * 100 };
}

/** Less than this is nothing to cut: a rounding of the end, not a post-show. */
const negligible = 0.05;

/**
 * The pre-show and post-show of a suggested trim as spans; absent where that end is not moved.
 * @param {{ start: number, end: number }} trim
 * @param {number} duration
 * @returns {{ preShow?: Span, postShow?: Span }}
 */
export function trimShading(trim, duration) {
  return {
    ...(trim.start > negligible ? { preShow: spanOf(0, trim.start, duration) } : {}),
    ...(trim.end < duration - negligible ? { postShow: spanOf(trim.end, duration, duration) } : {}),
  };
}

/**
 * Whether applying the trim would cut anything.
 * @param {{ start: number, end: number } | null} trim
 * @param {number} duration
 */
export function trimCutsSomething(trim, duration) {
  if (!trim) return false;
  const shading = trimShading(trim, duration);
  return shading.preShow !== undefined || shading.postShow !== undefined;
}

/**
 * The body of POST /v1/jobs/:id/clips that applies the suggested trim.
 * @param {{ start: number, end: number }} trim
 * @param {string} title the asset's title
 */
export function trimClip(trim, title) {
  return { start: trim.start, end: trim.end, title: `${title} (trimmed)` };
}

/**
 * The body of POST /v1/jobs/:id/clips for a range chosen on the timeline, or why there is none.
 * @param {number | undefined} start the in point, seconds
 * @param {number | undefined} end the out point, seconds
 * @param {string} title the asset's title
 * @returns {{ clip: { start: number, end: number, title: string } } | { problem: string }}
 */
export function rangeClip(start, end, title) {
  if (start === undefined || end === undefined) return { problem: 'Set an in point and an out point first (at the player\'s current time).' };
  if (end <= start) return { problem: `The out point (${preciseClock(end)}) must be after the in point (${preciseClock(start)}).` };
  const at = (/** @type {number} */ t) => Math.round(t * 1000) / 1000;
  return { clip: { start: at(start), end: at(end), title: `${title} (${preciseClock(at(start))}–${preciseClock(at(end))})` } };
}
