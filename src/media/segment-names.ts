// The one place that decides how segment files are named. The packager writes files with
// segmentFileName(); the DASH SegmentTemplate is derived from the same parts, so the two cannot drift.

const prefix = 'seg-';
const digits = 5;
const extension = '.m4s';

/** `seg-00001.m4s` for 1; numbers wider than the padding simply grow, as `%05d` does. */
export function segmentFileName(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`segment number must be a non-negative integer, got ${n}`);
  return `${prefix}${String(n).padStart(digits, '0')}${extension}`;
}

/** The DASH `media` template that expands to segmentFileName($Number$). */
export const dashSegmentTemplate = `${prefix}$Number%0${digits}d$${extension}`;
