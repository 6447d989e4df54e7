// How a job looks through the API: the stored job plus the URLs a player or CMS needs.
import type { Job } from '../jobs/job.ts';
import type { ApiJob } from './api-schemas.ts';

export function toApiJob(job: Job, mediaBaseUrl: string): ApiJob {
  const base = `${mediaBaseUrl}/${job.outputPrefix}`;
  return {
    id: job.id,
    state: job.state,
    priority: job.priority,
    progress: job.progress,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    source: job.source,
    sourceKind: job.sourceKind,
    metadata: job.metadata,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    startedAt: job.startedAt ?? null,
    finishedAt: job.finishedAt ?? null,
    playableUrl: job.playableAt ? `${base}/master.m3u8` : null,
    asset: job.state === 'succeeded'
      ? { master: `${base}/master.m3u8`, dash: `${base}/manifest.mpd`, manifest: `${base}/manifest.json`, poster: `${base}/thumbnails/poster.jpg` }
      : null,
    error: job.error ?? null,
  };
}
