// How a job looks through the API: the stored job plus the URLs a player or CMS needs; its error
// with server paths made relative (server-paths.ts).
import { assetLinks, playableUrl, type AssetDirUrl } from '../jobs/asset-urls.ts';
import type { Job, JobError } from '../jobs/job.ts';
import type { ApiJob } from './api-schemas.ts';
import { ServerPaths, type PathSettings } from './server-paths.ts';

export function toApiJob(job: Job, assetDirUrl: AssetDirUrl, paths?: ServerPaths): ApiJob {
  return {
    id: job.id,
    kind: job.kind,
    parentJobId: job.parentJobId ?? null,
    clip: job.clip ? { start: job.clip.start, end: job.clip.end, title: job.clip.title ?? null } : null,
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
    playableAt: job.playableAt ?? null,
    facts: job.sourceFacts,
    outputPrefix: job.outputPrefix,
    asset: assetLinks(job, assetDirUrl),
    suggestedTrim: job.eventSummary?.suggestedTrim ?? null,
    trim: job.trim ?? null,
    chapterCount: job.eventSummary?.chapterCount ?? null,
    error: job.error ? shownError(job.error, paths) : null,
  };
}

function shownError(error: JobError, paths: ServerPaths | undefined): JobError {
  if (!paths) return error;
  return {
    ...error,
    message: paths.relative(error.message),
    ...(error.stderrTail !== undefined ? { stderrTail: paths.relative(error.stderrTail) } : {}),
    ...(error.command !== undefined ? { command: paths.relative(error.command) } : {}),
  };
}

const cache = new WeakMap<PathSettings, ServerPaths>();

/** The server paths of a configuration, worked out once (they are resolved on disk). */
export function serverPathsOf(config: PathSettings): ServerPaths {
  let paths = cache.get(config);
  if (!paths) {
    paths = ServerPaths.of(config);
    cache.set(config, paths);
  }
  return paths;
}

/** The view the routes use: URLs from the deps, paths relative to the configuration's roots. */
export function jobViewer(deps: { assetDirUrl: AssetDirUrl; config: PathSettings }): (job: Job) => ApiJob {
  const paths = serverPathsOf(deps.config);
  return (job) => toApiJob(job, deps.assetDirUrl, paths);
}
