// How a job looks through the API: the stored job plus the URLs a player or CMS needs.
import { assetLinks, playableUrl, type AssetDirUrl } from '../jobs/asset-urls.ts';
import type { Job } from '../jobs/job.ts';
import type { ApiJob } from './api-schemas.ts';

export function toApiJob(job: Job, assetDirUrl: AssetDirUrl): ApiJob {
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
    playableUrl: playableUrl(job, assetDirUrl),
    asset: assetLinks(job, assetDirUrl),
    error: job.error ?? null,
  };
}
