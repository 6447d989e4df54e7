// The parent's chapters as a clip of it sees them. Pure.
import type { Chapter } from './chapters.ts';
import { round3 } from './detections.ts';

/** A chapter boundary this close to a clip's start or end would make a chapter of a moment. */
const edgeSeconds = 1;

/**
 * The chapters of [start, start + duration) of the parent, on the clip's timeline: the one in
 * force at the clip's start (or that begins within its first second) at 0, then every later one
 * that begins more than a second before the clip's end, moved by -start. Titles are kept, so
 * "Q3 results" is "Q3 results" in the clip too; thumbnails are the clip's own, chosen later.
 */
export function clipChapters(parent: readonly Pick<Chapter, 'start' | 'title'>[], start: number, duration: number): Chapter[] {
  const sorted = [...parent].sort((a, b) => a.start - b.start);
  const inForce = sorted.filter((c) => c.start <= start + edgeSeconds).at(-1);
  const later = sorted.filter((c) => c.start > start + edgeSeconds && c.start < start + duration - edgeSeconds);
  return [
    ...(inForce ? [{ start: 0, title: inForce.title }] : []),
    ...later.map((c) => ({ start: round3(c.start - start), title: c.title })),
  ];
}
