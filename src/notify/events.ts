// Outbound notification events for the media library: the event types and the JSON payload each
// delivery carries. Pure: the caller builds the payload from a Job plus the asset URLs it knows.
import type { Job, JobState, Priority } from '../jobs/job.ts';
import type { AssetSummary } from './asset-summary.ts';

export const eventTypes = [
  'job.queued',
  'job.started',
  'job.progress',
  'asset.playable',
  'asset.ready',
  'job.failed',
  'job.cancelled',
] as const;
export type EventType = (typeof eventTypes)[number];

export function isEventType(value: string): value is EventType {
  return (eventTypes as readonly string[]).includes(value);
}

/** After these nothing more is published for the job. */
export const terminalEventTypes: readonly EventType[] = ['asset.ready', 'job.failed', 'job.cancelled'];

export interface AssetUrls {
  /** HLS master playlist. */
  master: string;
  /** DASH manifest (MPD). */
  dash: string;
  /** The asset's manifest.json. */
  manifest: string;
}

/** What the payload needs beyond the Job: URLs only the caller knows, and the clock. */
export interface PayloadExtra {
  playableUrl?: string;
  asset?: AssetUrls;
  /** The finished asset, from its manifest.json (asset.ready). */
  summary?: AssetSummary;
  /** The payload's `timestamp`; defaults to the current time. */
  now?: Date;
}

export interface NotificationError {
  message: string;
  code: string;
  retryable: boolean;
}

export interface NotificationData {
  jobId: string;
  state: JobState;
  priority: Priority;
  source: string;
  /** 0–1 */
  progress: number;
  attempts: number;
  playableUrl?: string;
  asset?: AssetUrls & Partial<AssetSummary>;
  /** The recording's length as the intake knew it (before the asset exists). */
  sourceDurationSeconds?: number;
  /** The intake's own identifiers: its kind and what it reported (nginx-rtmp app/stream, S3 bucket/key/etag…). */
  ingest: { kind: string } & Record<string, string>;
  error?: NotificationError;
}

export interface NotificationPayload {
  type: EventType;
  /** ISO 8601 */
  timestamp: string;
  data: NotificationData;
}

export function buildPayload(type: EventType, job: Job, extra: PayloadExtra = {}): NotificationPayload {
  const data: NotificationData = {
    jobId: job.id,
    state: job.state,
    priority: job.priority,
    source: job.source,
    progress: job.progress,
    attempts: job.attempts,
    ingest: { ...job.metadata, kind: job.sourceKind },
  };
  if (extra.playableUrl !== undefined) data.playableUrl = extra.playableUrl;
  if (job.sourceFacts.durationSeconds !== undefined) data.sourceDurationSeconds = job.sourceFacts.durationSeconds;
  if (extra.asset !== undefined) data.asset = { master: extra.asset.master, dash: extra.asset.dash, manifest: extra.asset.manifest, ...extra.summary };
  // The stderr tail stays internal: it can be long and mention local paths.
  if (job.error !== undefined) data.error = { message: job.error.message, code: job.error.code, retryable: job.error.retryable };
  return { type, timestamp: (extra.now ?? new Date()).toISOString(), data };
}
