// Edits the chapters of a succeeded job's asset (PATCH /v1/jobs/{id}/chapters): the chapter
// documents and manifest.json are rewritten where the asset is (the media directory or the
// object store), the job's event summary follows (its chapter count) and the change is announced.
// Nothing is re-encoded.
import path from 'node:path';
import { eventSummaryOf } from '../../jobs/event-summary.ts';
import type { Job } from '../../jobs/job.ts';
import type { JobEvents } from '../../jobs/job-events.ts';
import type { Chapter } from '../../media/event/chapters.ts';
import { ChapterEditError, type ChapterEdit } from '../../media/event/chapter-edit.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import type { Store } from '../../store/store.ts';
import { OutputDir } from '../output-dir.ts';
import { rewriteChapters, rewriteStoredChapters } from './rewrite-chapters.ts';

export interface ChapterEditDeps {
  store: Pick<Store, 'getJob' | 'setEventSummary'>;
  events: Pick<JobEvents, 'emit'>;
  /** Where local assets are (`<mediaRoot>/<outputPrefix>`), when there is no asset store. */
  mediaRoot: string;
  /** Set when assets are published to object storage. */
  assetStore?: ObjectStore | undefined;
  now?: (() => Date) | undefined;
}

export type ChapterEditOutcome =
  | { ok: true; job: Job; chapters: Chapter[] }
  | { ok: false; refusal: 'not_found' | 'not_succeeded' | 'invalid_edit'; message: string };

export async function editJobChapters(deps: ChapterEditDeps, jobId: string, edit: ChapterEdit): Promise<ChapterEditOutcome> {
  const job = await deps.store.getJob(jobId);
  if (!job) return { ok: false, refusal: 'not_found', message: `no job ${jobId}` };
  if (job.state !== 'succeeded') return { ok: false, refusal: 'not_succeeded', message: `the chapters of a job can be edited once it has succeeded; it is ${job.state}` };
  let manifest;
  try {
    manifest = deps.assetStore
      ? await rewriteStoredChapters(deps.assetStore, job.outputPrefix, edit)
      : await rewriteChapters(new OutputDir(path.join(deps.mediaRoot, job.outputPrefix)), edit);
  } catch (error) {
    if (error instanceof ChapterEditError) return { ok: false, refusal: 'invalid_edit', message: error.message };
    throw error;
  }
  const now = (deps.now ?? (() => new Date()))();
  const summary = eventSummaryOf(manifest);
  const updated = (summary ? await deps.store.setEventSummary(job.id, summary, now) : undefined) ?? job;
  deps.events.emit({ type: 'job.updated', job: updated, at: now.toISOString() });
  return { ok: true, job: updated, chapters: manifest.chapters?.list ?? [] };
}
