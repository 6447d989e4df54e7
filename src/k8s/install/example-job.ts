// The Job the executor would create for a sample recording — one hour of 1080p at normal priority —
// with the same executor configuration the install's ConfigMap carries, for review offline.
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import { kubernetesExecutorSchema } from '../../config/kubernetes-executor.ts';
import { defaultSourceFetch } from '../../jobs/source-fetch.ts';
import { transcodeProfileSchema, type TranscodeTask } from '../../jobs/transcode-task.ts';
import { buildWorkerJob } from '../worker-job.ts';
import { executorSection, httpPort, type InstallOptions } from './options.ts';

/** A fixed UUIDv7, so the example is the same on every run. */
export const exampleJobId = '01977a3c-5e00-7000-8000-00000000c0de';

export function exampleWorkerJob(options: InstallOptions): IJob {
  const config = kubernetesExecutorSchema.parse(executorSection(options));
  const task: TranscodeTask = {
    version: 2,
    stage: 'full',
    jobId: exampleJobId,
    attempt: 1,
    source: { kind: 's3', bucket: 'recordings', key: 'live/keynote-1080p.flv' },
    output: `${options.storage.replace(/\/+$/, '')}/assets/${exampleJobId}`,
    profile: transcodeProfileSchema.parse({}),
    sourceFetch: defaultSourceFetch,
    // The token itself lives in the Job's Secret, not in the Job.
    callback: { url: `http://10.0.0.10:${httpPort}/internal/jobs/${exampleJobId}/attempts/1/events`, token: 'example-token-not-in-the-job' },
  };
  // One hour at 6 Mb/s, a typical 1080p30 live recording.
  return buildWorkerJob({ task, priority: 'normal', facts: { durationSeconds: 3600, bytes: (3600 * 6e6) / 8 }, config }).job;
}
