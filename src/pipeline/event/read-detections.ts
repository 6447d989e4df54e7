// Reads a unit's detection logs from its scratch directory once its ffmpeg has finished.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { detectLogs } from '../../media/event/detect-filters.ts';
import { parseSilences, parseVideoLog, reduceVideo, type Interval, type VideoDetections } from '../../media/event/detections.ts';
import type { TranscodePlan } from '../../media/plan.ts';

/**
 * The pictures' findings of a unit covering [from, to) of the recording; `offset` is added to the
 * log's times (a chunk after the first restarts its timestamps at 0). Undefined without detection.
 */
export async function readVideoDetections(plan: TranscodePlan, scratch: string, span: { offset: number; from: number; to: number }): Promise<VideoDetections | undefined> {
  if (!plan.detectEvent || plan.video.length === 0) return undefined;
  return reduceVideo(parseVideoLog(await readFile(path.join(scratch, detectLogs.video), 'utf8')), span);
}

/** The silences of the whole recording's audio; undefined without detection or audio. */
export async function readSilences(plan: TranscodePlan, scratch: string): Promise<Interval[] | undefined> {
  if (!plan.detectEvent || !plan.audio) return undefined;
  // ametadata writes its file only when a frame carried a mark: no file means no silence at all.
  const text = await readFile(path.join(scratch, detectLogs.audio), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  return parseSilences(text, plan.source.duration);
}
