// Chapters from scene cuts and slide changes: chosen, and written as a WebVTT chapters track and as
// Apple's HLS chapter JSON (the document `com.apple.hls.chapters` session data points to). Pure.
import { round3 } from './detections.ts';

export interface Chapter {
  start: number;
  title: string;
  /** A sprite tile of the chapter's first seconds, `thumbnails/sprite-000.jpg#xywh=…`; absent without thumbnails. */
  thumbnail?: string;
}

/** The chapter documents at the asset's root: WebVTT chapters, and Apple's HLS chapter JSON. */
export const chapterFiles = { vtt: 'chapters.vtt', hls: 'chapters.json' } as const;

/** Chapters at least this far apart: a long talk gets a few dozen, not one per slide. */
export const minimumChapterSeconds = 30;

/**
 * Chapter 1 at the event's start; then, in time order, each cut inside the event at least
 * `minimumChapterSeconds` after the chapter before and before the event's end. Of cuts closer
 * together the first is kept: a slide change, then a few quick ones, reads as one chapter.
 */
export function chooseChapters(cuts: readonly number[], event: { start: number; end: number }, minimum = minimumChapterSeconds): number[] {
  const starts = [round3(event.start)];
  for (const time of [...cuts].sort((a, b) => a - b)) {
    const last = starts.at(-1) ?? 0;
    if (time >= last + minimum && time < event.end - 1) starts.push(round3(time));
  }
  return starts;
}

export function titled(starts: readonly number[]): Chapter[] {
  return starts.map((start, i) => ({ start, title: `Chapter ${i + 1}` }));
}

/** A WebVTT chapters track: one cue per chapter, to the next chapter's start or the end. */
export function writeChaptersVtt(chapters: readonly Chapter[], duration: number): string {
  const lines = ['WEBVTT', ''];
  chapters.forEach((chapter, i) => {
    const end = chapters[i + 1]?.start ?? duration;
    lines.push(String(i + 1), `${timestamp(chapter.start)} --> ${timestamp(end)}`, oneLine(chapter.title), '');
  });
  return lines.join('\n');
}

/** Apple's HLS chapter document: an array of chapters with `start-time`, titles by language and images. */
export function writeHlsChaptersJson(chapters: readonly Chapter[], duration: number, language: string, image?: { width: number; height: number }): string {
  const entries = chapters.map((chapter, i) => ({
    chapter: i + 1,
    'start-time': chapter.start,
    duration: round3((chapters[i + 1]?.start ?? duration) - chapter.start),
    titles: [{ language, title: chapter.title }],
    ...(chapter.thumbnail && image ? { images: [{ 'image-category': 'chapter', url: chapter.thumbnail, 'pixel-width': image.width, 'pixel-height': image.height }] } : {}),
  }));
  return `${JSON.stringify(entries, null, 2)}\n`;
}

/** A cue's text may not hold a blank line or `-->`; a title is one line. */
function oneLine(title: string): string {
  return title.replace(/\s+/g, ' ').replaceAll('-->', '→').trim() || 'Chapter';
}

function timestamp(seconds: number): string {
  const ms = Math.round(Math.max(0, seconds) * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}`;
}
