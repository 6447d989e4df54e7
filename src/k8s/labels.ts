// The labels and annotations that tie a Kubernetes object to live2vod, its installation, and (for
// worker Jobs) the job and attempt. The executor watches by these labels and reads the exact job id
// back from the annotation (a label value may have had to be shortened). Pure.
import type { Priority } from '../jobs/job.ts';
import type { TaskStage } from '../jobs/transcode-task.ts';
import { labelValue } from './names.ts';

export const labelKeys = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  managedBy: 'app.kubernetes.io/managed-by',
  version: 'app.kubernetes.io/version',
  jobId: 'live2vod.io/job-id',
  attempt: 'live2vod.io/attempt',
  priority: 'live2vod.io/priority',
  /** full, split, chunks (the Indexed Job of all chunks), chunk, audio or stitch: for `kubectl get jobs -l`. */
  stage: 'live2vod.io/stage',
  kueueQueue: 'kueue.x-k8s.io/queue-name',
} as const;

export const annotationKeys = {
  jobId: 'live2vod.io/job-id',
  /** The unit key the executor knows the Job by (src/jobs/work-unit.ts); absent on Jobs of before chunking: the job id. */
  unit: 'live2vod.io/unit',
  durationSeconds: 'live2vod.io/recording-duration-seconds',
  sourceBytes: 'live2vod.io/source-bytes',
  encoder: 'live2vod.io/encoder',
  /** Which round of a job retried by hand the Job runs (src/executors/kubernetes/retry-generation.ts). */
  retryGeneration: 'live2vod.io/retry-generation',
} as const;

export type Component = 'control-plane' | 'worker';

/** Labels every object of an installation carries. */
export function baseLabels(instance: string, component: Component): Record<string, string> {
  return {
    [labelKeys.name]: 'live2vod',
    [labelKeys.instance]: instance,
    [labelKeys.component]: component,
    [labelKeys.managedBy]: 'live2vod',
  };
}

/** What a worker Job runs: one stage's task, or (`chunks`) every chunk of an attempt as one Indexed Job. */
export type JobStage = TaskStage | 'chunks';

export function workerLabels(instance: string, ref: { jobId: string; attempt: number; priority: Priority; stage: JobStage }): Record<string, string> {
  return {
    ...baseLabels(instance, 'worker'),
    [labelKeys.jobId]: labelValue(ref.jobId),
    [labelKeys.attempt]: String(ref.attempt),
    [labelKeys.priority]: ref.priority,
    [labelKeys.stage]: ref.stage,
  };
}

/** The label selector of all worker Jobs of one installation: what the executor lists and watches. */
export function workerSelector(instance: string): string {
  const labels = baseLabels(instance, 'worker');
  return Object.entries(labels).map(([key, value]) => `${key}=${value}`).join(',');
}
