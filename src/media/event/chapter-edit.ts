// An edit of an asset's chapters (titles and starts), checked against the asset: what
// `PATCH /v1/jobs/{id}/chapters` will take. Pure: nothing is re-encoded, only the chapter
// documents and manifest.json are written again (src/pipeline/event/rewrite-chapters.ts).
import { z } from 'zod';
import type { Chapter } from './chapters.ts';
import { round3 } from './detections.ts';
import { chapterThumbnail, type parseThumbnailCues } from './thumbnail-cues.ts';

export const chapterEditSchema = z.object({
  chapters: z.array(z.object({ start: z.number().min(0), title: z.string().trim().min(1).max(200) }).strict()).min(1).max(500),
}).strict();

export type ChapterEdit = z.infer<typeof chapterEditSchema>;

export class ChapterEditError extends Error {}

/**
 * The edited list with each chapter's thumbnail re-picked for its start; throws ChapterEditError
 * naming the first chapter out of order or past the asset's end.
 */
export function applyChapterEdit(edit: ChapterEdit, duration: number, cues: ReturnType<typeof parseThumbnailCues>): Chapter[] {
  edit.chapters.forEach((chapter, i) => {
    const before = edit.chapters[i - 1];
    if (chapter.start >= duration) throw new ChapterEditError(`chapter ${i + 1} starts at ${chapter.start} s, at or after the asset's end (${duration} s)`);
    if (before && chapter.start <= before.start) throw new ChapterEditError(`chapter ${i + 1} starts at ${chapter.start} s, not after chapter ${i} (${before.start} s)`);
  });
  return edit.chapters.map((c) => {
    const thumbnail = chapterThumbnail(cues, c.start, 'thumbnails');
    return { start: round3(c.start), title: c.title, ...(thumbnail ? { thumbnail } : {}) };
  });
}
