// The Jobs the executor would create for a sample recording — one hour of 1080p30 at normal
// priority — with the same executor configuration the install's ConfigMap carries, for review
// offline: the whole-recording Job, and the three Jobs of the chunked attempt that recording gets
// (the split, which also encodes the audio; the Indexed chunk Job; the stitch).
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import { kubernetesExecutorSchema } from '../executor-config.ts';
import { defaultSourceFetch } from '../../jobs/source-fetch.ts';
import { transcodeProfileSchema, type ChunkTask, type FullTask } from '../../jobs/transcode-task.ts';
import { autoChunkSeconds } from '../../media/chunk-plan.ts';
import { buildChunkGroupJob } from '../chunk-group-job.ts';
import { buildWorkerJob } from '../worker-job.ts';
import { executorSection, httpPort, type InstallOptions } from './options.ts';

/** A fixed UUIDv7, so the example is the same on every run. */
export const exampleJobId = '01977a3c-5e00-7000-8000-00000000c0de';
/** A split's plan id, as it reports it (a fingerprint). */
const examplePlan = 'example-plan-fingerprint-0123456789abcdef';
const durationSeconds = 3600;
// One hour at 6 Mb/s, a typical 1080p30 live recording.
const facts = { durationSeconds, bytes: (durationSeconds * 6e6) / 8 };

function exampleTask(options: InstallOptions): FullTask {
  return {
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
}

export function exampleWorkerJob(options: InstallOptions): IJob {
  const config = kubernetesExecutorSchema.parse(executorSection(options));
  return buildWorkerJob({ task: exampleTask(options), priority: 'normal', facts, config }).job;
}

/** Split (with the audio), the Indexed chunk Job and the stitch, in the order they start. */
export function exampleChunkedJobs(options: InstallOptions): IJob[] {
  const config = kubernetesExecutorSchema.parse(executorSection(options));
  const { stage: _stage, ...base } = exampleTask(options);
  const parallelism = config.chunks.parallelism;
  // The length a split picks for one hour with this parallelism (chooseChunks: one chunk per pod,
  // 30–600 s, a multiple of the segment); at an exact 30 fps every boundary is on a frame.
  const seconds = autoChunkSeconds(durationSeconds, base.profile.segmentSeconds, parallelism);
  const count = Math.ceil(durationSeconds / seconds);
  const chunks: ChunkTask[] = Array.from({ length: count }, (_, index) => ({
    ...base, stage: 'chunk', plan: examplePlan,
    chunk: { index, count, startSeconds: index * seconds, endSeconds: Math.min(durationSeconds, (index + 1) * seconds) },
  }));
  const job = (task: Parameters<typeof buildWorkerJob>[0]['task']) => buildWorkerJob({ task, priority: 'normal', facts, config }).job;
  return [
    job({ ...base, stage: 'split', parallelism }),
    buildChunkGroupJob({ tasks: chunks, priority: 'normal', facts, config }).job,
    job({ ...base, stage: 'stitch', plan: examplePlan }),
  ];
}
