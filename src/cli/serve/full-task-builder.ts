// The task a job's attempt starts with: the whole recording in one worker (the scheduler cuts it
// into split, chunks and stitch when chunking across workers).
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../config/schema.ts';
import type { Job } from '../../jobs/job.ts';
import { jobToken } from '../../jobs/job-token.ts';
import { parseSourceLocation } from '../../jobs/source-location.ts';
import type { FullTask } from '../../jobs/transcode-task.ts';
import type { ServiceAddress } from './service-address.ts';

export interface FullTaskContext {
  config: Config;
  /** The s3:// output prefix, or undefined for local media under mediaRoot. */
  output: string | undefined;
  mediaRoot: string;
  callbackSecret: string;
  address: ServiceAddress;
}

export function fullTaskBuilder(context: FullTaskContext): (job: Job) => FullTask {
  const { config, output, mediaRoot, callbackSecret, address } = context;
  // A local worker's share of the cores: its chunks encode side by side inside it.
  const parallelism = config.executor.kind === 'local' ? Math.max(1, Math.floor(os.availableParallelism() / config.executor.concurrency)) : undefined;
  return (job) => ({
    version: 2,
    stage: 'full',
    jobId: job.id,
    attempt: job.attempts,
    // The stored source is the canonical form the intake wrote, so it reads back as it was parsed.
    source: parseSourceLocation(job.source),
    output: output ? `${output}/${job.outputPrefix}` : path.join(mediaRoot, job.outputPrefix),
    profile: config.transcode,
    ...(parallelism === undefined ? {} : { parallelism }),
    sourceFetch: config.sourceFetch,
    callback: { url: `${address.callbackBase}/internal/jobs/${job.id}/attempts/${job.attempts}/events`, token: jobToken(callbackSecret, job.id, job.attempts) },
  });
}
