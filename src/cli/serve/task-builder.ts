// The task a job's attempt starts with: a transcode's whole recording in one worker (the
// scheduler cuts it into split, chunks and stitch when chunking across workers), or a clip of a
// finished parent asset.
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../config/schema.ts';
import { outputPrefixOf, type Job } from '../../jobs/job.ts';
import { jobToken } from '../../jobs/job-token.ts';
import { parseSourceLocation } from '../../jobs/source-location.ts';
import type { ClipTask, FullTask } from '../../jobs/transcode-task.ts';
import type { ServiceAddress } from './service-address.ts';

export interface TaskContext {
  config: Config;
  /** The s3:// output prefix, or undefined for local media under mediaRoot. */
  output: string | undefined;
  mediaRoot: string;
  callbackSecret: string;
  address: ServiceAddress;
}

export function taskBuilder(context: TaskContext): (job: Job) => FullTask | ClipTask {
  const { config, output, mediaRoot, callbackSecret, address } = context;
  // Where a job's asset lies, for the worker: a directory under the media root or the output prefix.
  const assetLocation = (outputPrefix: string): string => (output ? `${output}/${outputPrefix}` : path.join(mediaRoot, outputPrefix));
  // A local worker's share of the cores: its chunks encode side by side inside it.
  const parallelism = config.executor.kind === 'local' ? Math.max(1, Math.floor(os.availableParallelism() / config.executor.concurrency)) : undefined;
  const common = (job: Job) => ({
    version: 2 as const,
    jobId: job.id,
    attempt: job.attempts,
    // The stored source is the canonical form the intake wrote, so it reads back as it was parsed.
    source: parseSourceLocation(job.source),
    output: assetLocation(job.outputPrefix),
    profile: config.transcode,
    sourceFetch: config.sourceFetch,
    callback: { url: `${address.callbackBase}/internal/jobs/${job.id}/attempts/${job.attempts}/events`, token: jobToken(callbackSecret, job.id, job.attempts) },
  });
  return (job) => {
    if (job.kind === 'clip' && job.parentJobId && job.clip) {
      const { start, end, title } = job.clip;
      return {
        ...common(job),
        stage: 'clip',
        clip: { parent: assetLocation(outputPrefixOf(job.parentJobId)), parentJobId: job.parentJobId, startSeconds: start, endSeconds: end, ...(title ? { title } : {}) },
      };
    }
    return { ...common(job), stage: 'full', ...(parallelism === undefined ? {} : { parallelism }) };
  };
}
