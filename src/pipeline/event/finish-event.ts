// The event's part of an asset, after its thumbnails: the suggested trim, the chapters as a WebVTT
// track and Apple's chapter JSON, and the chapters' session data in master.m3u8. Shared by the
// whole encode and the stitch; returns what manifest.json says of it.
import { readFile, writeFile } from 'node:fs/promises';
import { chapterFiles, chooseChapters, titled, writeChaptersVtt, writeHlsChaptersJson, type Chapter } from '../../media/event/chapters.ts';
import type { Interval, VideoDetections } from '../../media/event/detections.ts';
import { addSessionData, chaptersSessionData } from '../../media/event/session-data.ts';
import type { EventSummary } from '../../media/event/summary.ts';
import { suggestTrim } from '../../media/event/suggest-trim.ts';
import { chapterThumbnail, parseThumbnailCues } from '../../media/event/thumbnail-cues.ts';
import type { TranscodePlan } from '../../media/plan.ts';
import { writing } from '../fs-errors.ts';
import type { OutputDir } from '../output-dir.ts';


export async function finishEvent(plan: TranscodePlan, out: OutputDir, video: VideoDetections | undefined, silences: Interval[] | undefined, duration: number): Promise<EventSummary | undefined> {
  if (!video) return undefined;
  const suggestedTrim = suggestTrim(video, silences, duration);
  const starts = chooseChapters(video.cuts.map((c) => c.time), suggestedTrim);
  const list = await withThumbnails(plan, out, titled(starts));
  await writeChapters(plan, out, list, duration);
  return { suggestedTrim, chapters: { vtt: chapterFiles.vtt, hls: chapterFiles.hls, list } };
}

/** Each chapter with the sprite tile of its first seconds from the asset's thumbnails (none without them). */
export async function withThumbnails(plan: Pick<TranscodePlan, 'thumbnails'>, out: OutputDir, chapters: readonly Chapter[]): Promise<Chapter[]> {
  const cues = plan.thumbnails ? parseThumbnailCues(await readFile(out.path('thumbnails', 'thumbnails.vtt'), 'utf8')) : [];
  return chapters.map((chapter) => {
    const thumbnail = chapterThumbnail(cues, chapter.start, 'thumbnails');
    return thumbnail ? { ...chapter, thumbnail } : chapter;
  });
}

/** Both chapter documents, and master.m3u8 pointing at Apple's. */
export async function writeChapters(plan: TranscodePlan, out: OutputDir, list: readonly Chapter[], duration: number): Promise<void> {
  const image = plan.thumbnails ? { width: plan.thumbnails.width, height: plan.thumbnails.height } : undefined;
  await writeChapterDocuments(out, list, duration, plan.audio?.language ?? 'und', image);
  await writing('chapters', async () => {
    const master = await readFile(out.path('master.m3u8'), 'utf8');
    await writeFile(out.path('master.m3u8'), addSessionData(master, chaptersSessionData(chapterFiles.hls)));
  });
}

/** The WebVTT chapters and Apple's chapter JSON; also what an edit of the chapters rewrites. */
export async function writeChapterDocuments(out: OutputDir, list: readonly Chapter[], duration: number, language: string, image: { width: number; height: number } | undefined): Promise<void> {
  await writing('chapters', async () => {
    await writeFile(out.path(chapterFiles.vtt), writeChaptersVtt(list, duration));
    await writeFile(out.path(chapterFiles.hls), writeHlsChaptersJson(list, duration, language, image));
  });
}
