// The trim a job's request asked for ("auto" or {start, end}) is applied when its transcode
// succeeds: the trimmed asset is a clip job of it (IntakeService.acceptClip), so the full recording
// stays and the library gets the trimmed asset as its own asset.ready. One per parent: the clip's
// idempotency key is the parent's id + "trim", so a repeated event or a second control plane
// answers the same job.
import path from 'node:path';
import type { ClipOptions } from './intake-service.ts';
import type { JobEvents } from './job-events.ts';
import type { ClipRange, Job, Priority } from './job.ts';

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
  const { events, intake, onRefused, onCreated } = options;
  return events.subscribe((change) => {
    if (change.type !== 'asset.ready') return;
    const parent = change.job;
    const range = trimRangeOf(parent);
    if (!range) return;
    const title = `${parent.metadata.title ?? path.posix.basename(parent.source)} (trimmed)`;
    intake.acceptClip(parent.id, { ...range, title, priority: parent.priority }, {
      idempotencyKey: trimClipKey(parent.id),
      metadata: { trimOf: parent.id },
      clampToAsset: true,
    }).then((trimmed) => onCreated?.(parent, trimmed), (error: unknown) => onRefused(parent.id, error));
  });
}
