// The trim a job's request asked for ("auto" or {start, end}) is applied when its transcode
// succeeds: the trimmed asset is a clip job of it (IntakeService.acceptClip), so the full recording
// stays and the library gets the trimmed asset as its own asset.ready. One per parent: the clip's
// idempotency key is the parent's id + "trim", so a repeated event or a second control plane
// answers the same job.
import path from 'node:path';
import type { ClipOptions } from './intake-service.ts';
import type { JobEvents } from './job-events.ts';
import type { ClipRange, Job, Priority } from './job.ts';
import type { JobFilter, Store } from '../store/store.ts';

export interface RequestedTrimOptions {
  events: JobEvents;
  intake: { acceptClip(parentId: string, request: ClipRange & { priority?: Priority | undefined }, options?: ClipOptions): Promise<Job> };
  /** A trim that could not be made (the range outside the asset, the asset unreadable): logged. */
  onRefused: (jobId: string, error: unknown) => void;
  onCreated?: (parent: Job, trimmed: Job) => void;
}

/** The idempotency key of a job's trimmed asset. */
export function trimClipKey(parentId: string): string {
  return `clip:${parentId}:trim`;
}

/** The range to cut of a succeeded job, or undefined when nothing is to be cut. */
export function trimRangeOf(job: Job): { start: number; end: number } | undefined {
  if (job.kind !== 'transcode' || job.trim === undefined) return undefined;
  if (job.trim !== 'auto') return { start: job.trim.start, end: job.trim.end };
  const suggested = job.eventSummary?.suggestedTrim;
  // `why` is empty when the suggestion keeps the whole recording: nothing to cut.
  if (!suggested || suggested.why.length === 0 || !(suggested.end > suggested.start)) return undefined;
  return { start: suggested.start, end: suggested.end };
}

/** Subscribes; returns the unsubscribe. */
export function applyRequestedTrims(options: RequestedTrimOptions): () => void {
  return options.events.subscribe((change) => {
    if (change.type !== 'asset.ready') return;
    void makeTrimmed(change.job, options);
  });
}

/** How far back a restart looks for a succeeded job whose trim was never made. */
export const trimCatchUpMs = 7 * 24 * 3600_000;

/**
 * After a start: the trims of jobs that succeeded while no subscriber heard it (the control plane
 * stopped between the success and the clip's creation). Jobs created within `windowMs` are looked
 * at, newest first (a job created earlier that succeeded only later is not); one whose trimmed
 * asset exists (any clip of it marked `trimOf`) is passed over, so a restart never makes a second,
 * even once the idempotency key has expired. A trim refused before is tried, and logged, again.
 */
export async function catchUpRequestedTrims(options: RequestedTrimOptions & { store: Pick<Store, 'listJobs'>; now?: Date; windowMs?: number }): Promise<number> {
  const since = (options.now ?? new Date()).getTime() - (options.windowMs ?? trimCatchUpMs);
  let made = 0;
  for await (const parent of everyJob(options.store, { states: ['succeeded'] })) {
    if (Date.parse(parent.createdAt) < since) break;
    if (!trimRangeOf(parent) || (await hasTrimmedAsset(options.store, parent.id))) continue;
    if (await makeTrimmed(parent, options)) made++;
  }
  return made;
}

async function hasTrimmedAsset(store: Pick<Store, 'listJobs'>, parentId: string): Promise<boolean> {
  for await (const clip of everyJob(store, { parentJobId: parentId })) if (clip.metadata.trimOf === parentId) return true;
  return false;
}

/** The jobs a filter finds, newest first, page by page. */
async function* everyJob(store: Pick<Store, 'listJobs'>, filter: Omit<JobFilter, 'limit' | 'before'>): AsyncGenerator<Job> {
  for (let before: number | undefined; ;) {
    const page = await store.listJobs({ ...filter, limit: 100, before });
    yield* page.items;
    if (page.nextCursor === undefined) return;
    before = page.nextCursor;
  }
}

/** The trimmed asset of a succeeded job as a clip job; false when nothing is to be cut or it was refused. */
async function makeTrimmed(parent: Job, options: RequestedTrimOptions): Promise<boolean> {
  const range = trimRangeOf(parent);
  if (!range) return false;
  const title = `${parent.metadata.title ?? path.posix.basename(parent.source)} (trimmed)`;
  try {
    const trimmed = await options.intake.acceptClip(parent.id, { ...range, title, priority: parent.priority }, {
      idempotencyKey: trimClipKey(parent.id),
      metadata: { trimOf: parent.id },
      clampToAsset: true,
    });
    options.onCreated?.(parent, trimmed);
    return true;
  } catch (error) {
    options.onRefused(parent.id, error);
    return false;
  }
}
