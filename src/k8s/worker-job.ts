// The batch/v1 Job that runs one task of one attempt — the whole recording, or one stage of a
// chunked attempt (split with the audio, stitch; a single chunk): `live2vod worker` in the configured image,
// sized from the recording and the stage, placed by priority (spot, GPU), self-cleaning (TTL), with
// the failure policy of failure-policy.ts. All chunks of an attempt together are an Indexed Job
// instead (chunk-group-job.ts). Pure: the executor creates what this returns.
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { KubernetesExecutorConfig, ResourcesConfig } from './executor-config.ts';
import type { Priority } from '../jobs/job.ts';
import type { SourceFacts } from '../jobs/source-facts.ts';
import type { TaskStage, TranscodeTask } from '../jobs/transcode-task.ts';
import { unitKey } from '../jobs/work-unit.ts';
import { workerPodFailurePolicy } from './failure-policy.ts';
import { annotationKeys, labelKeys, workerLabels } from './labels.ts';
import { unitJobName } from './names.ts';
import { usesGpu } from './placement.ts';
import { sizeChunkGroupJob, sizeJob, sizeLightStageJob, type JobSizing } from './sizing.ts';
import { taskDelivery, taskSecret, type SecretOwner, type TaskDelivery } from './task-delivery.ts';
import { validated } from './validate.ts';
import { workerPodTemplate } from './worker-pod-template.ts';

export interface WorkerJobInput {
  task: TranscodeTask;
  priority: Priority;
  facts: SourceFacts;
  config: KubernetesExecutorConfig;
  /** Tells this Job from a finished one of the same name left by the job's earlier round (default 0). */
  retryGeneration?: number;
}

export interface WorkerJob {
  name: string;
  /** The unit key the executor knows this Job by (src/jobs/work-unit.ts). */
  unit: string;
  job: IJob;
  /** The task as the pod gets it (a chunk group's template): the GPU variant asks for NVENC. */
  task: TranscodeTask;
  sizing: JobSizing;
  gpu: boolean;
  /** The token Secret to create beside the Job (with the Job as owner), when the Job needs one. */
  secret?: (owner?: SecretOwner) => ISecret;
}

/**
 * The stages whose pod opens the video encoder. The split too: it picks the encoder by opening it
 * on its own node (src/pipeline/prepare.ts) and the chunks encode with what it picked, so a split
 * off the GPU pool would plan libx264 for chunks that then hold GPUs for nothing.
 */
const gpuStages: ReadonlySet<TaskStage> = new Set(['full', 'split', 'chunk']);

/** The task every unit of a GPU priority gets: NVENC asked for (chooseEncoder falls back to libx264 if the GPU cannot be opened). */
export function placedTask<T extends TranscodeTask>(task: T, priority: Priority, config: KubernetesExecutorConfig): T {
  return usesGpu(priority, task.profile.codec, config) ? { ...task, profile: { ...task.profile, encoder: 'h264_nvenc' } } : task;
}

/** Whether this stage's pod goes to the GPU pool. */
export function onGpu(stage: TaskStage, priority: Priority, codec: string, config: KubernetesExecutorConfig): boolean {
  return gpuStages.has(stage) && usesGpu(priority, codec, config);
}

/** Requests and limits of a stage's pod: the encoders' (CPU or GPU) or the light stages' own. */
export function stageResources(stage: TaskStage, gpu: boolean, config: KubernetesExecutorConfig): ResourcesConfig {
  if (gpu) return config.gpu.resources;
  return stage === 'split' || stage === 'stitch' ? config.chunks.resources[stage] : config.resources;
}

function sizeFor(task: TranscodeTask, facts: SourceFacts, config: KubernetesExecutorConfig): JobSizing {
  switch (task.stage) {
    case 'full': return sizeJob(facts, config);
    case 'chunk': return sizeChunkGroupJob(facts, config, { chunkSeconds: task.chunk.endSeconds - task.chunk.startSeconds, waves: 1, retriesPerIndex: config.backoffLimit });
    case 'split': return sizeLightStageJob(facts, config, 2);
    case 'stitch': return sizeLightStageJob(facts, config);
    // Seconds of work whatever the parent's length: the light stages' sizing.
    case 'clip': return sizeLightStageJob(facts, config);
  }
}

/** The metadata every worker Job has: labels to watch it by, the exact job id and unit to map it back. */
export function workerJobMeta(input: { name: string; unit: string; task: TranscodeTask; labels: Record<string, string>; sizing: JobSizing; config: KubernetesExecutorConfig; retryGeneration: number | undefined }): NonNullable<IJob['metadata']> {
  const { config, task, sizing } = input;
  return {
    name: input.name,
    namespace: config.namespace,
    labels: { ...input.labels, ...(config.kueue ? { [labelKeys.kueueQueue]: config.kueue.queueName } : {}) },
    annotations: {
      [annotationKeys.jobId]: task.jobId,
      [annotationKeys.unit]: input.unit,
      [annotationKeys.durationSeconds]: String(sizing.durationSeconds),
      [annotationKeys.sourceBytes]: String(sizing.sourceBytes),
      [annotationKeys.encoder]: task.profile.encoder ?? 'default',
      [annotationKeys.retryGeneration]: String(input.retryGeneration ?? 0),
    },
  };
}

export function buildWorkerJob(input: WorkerJobInput): WorkerJob {
  const { priority, facts, config } = input;
  const task = placedTask(input.task, priority, config);
  const gpu = onGpu(task.stage, priority, task.profile.codec, config);
  const name = unitJobName(task);
  const unit = unitKey(task);
  const labels = workerLabels(config.instance, { jobId: task.jobId, attempt: task.attempt, priority, stage: task.stage });
  const sizing = sizeFor(task, facts, config);
  const delivery = taskDelivery(task, config.task, name);

  const job: IJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: workerJobMeta({ name, unit, task, labels, sizing, config, retryGeneration: input.retryGeneration }),
    spec: {
      completions: 1,
      parallelism: 1,
      backoffLimit: config.backoffLimit,
      podFailurePolicy: workerPodFailurePolicy(),
      // A replacement pod starts only once the old one has fully terminated: never two encoders
      // writing the same output (required with podFailurePolicy anyway).
      podReplacementPolicy: 'Failed',
      ttlSecondsAfterFinished: config.ttlSecondsAfterFinished,
      activeDeadlineSeconds: sizing.activeDeadlineSeconds,
      // Kueue admits (unsuspends) the Job when its queue has quota.
      ...(config.kueue ? { suspend: true } : {}),
      template: workerPodTemplate({ labels, priority, gpu, config, resources: stageResources(task.stage, gpu, config), scratchBytes: sizing.scratchBytes, delivery }),
    },
  };

  return workerJobResult({ name, unit, job, task, sizing, gpu, labels, delivery, config });
}

/** The validated Job, and when the task travels in a Secret, how to make that Secret (owned by the Job once it exists). */
export function workerJobResult(input: { name: string; unit: string; job: IJob; task: TranscodeTask; sizing: JobSizing; gpu: boolean; labels: Record<string, string>; delivery: TaskDelivery; config: KubernetesExecutorConfig }): WorkerJob {
  const { name, task, labels, delivery, config } = input;
  const result: WorkerJob = { name, unit: input.unit, job: validated(input.job), task, sizing: input.sizing, gpu: input.gpu };
  if (delivery.needsSecret) {
    result.secret = (owner) => validated(taskSecret({ name, namespace: config.namespace, labels, task, mode: config.task, ...(owner ? { owner } : {}) }));
  }
  return result;
}
