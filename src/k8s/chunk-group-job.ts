// The Indexed Job that runs every chunk of one chunked attempt: index i encodes chunk i. Why its
// fields are what they are:
//   completionMode Indexed, completions = chunks — Kubernetes tracks each chunk by its index
//     (status.completedIndexes / failedIndexes) and gives the pod JOB_COMPLETION_INDEX;
//   parallelism — executor.chunks.parallelism pods at once; more chunks run in waves;
//   backoffLimitPerIndex — a retryable failure (crash, OOM kill) runs that chunk again, alone;
//   maxFailedIndexes 0 — one chunk that fails for good fails the Job at once: the asset cannot be
//     stitched without it, so the other chunks' pods are stopped instead of burning CPU;
//   podFailurePolicy — the worker's permanent exits (bad input…) FailIndex without retries; a
//     DisruptionTarget (preemption, spot reclaim) or a SIGTERM exit is Ignored: the pod is replaced
//     without using that index's retries;
//   podReplacementPolicy Failed — never two pods of one index writing the same chunk.
// The pods get one task template and the ranges by index (chunk-ranges.ts), so 200 chunks stay a
// small object. Pure: the executor creates what this returns.
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { KubernetesExecutorConfig } from './executor-config.ts';
import type { Priority } from '../jobs/job.ts';
import type { SourceFacts } from '../jobs/source-facts.ts';
import type { ChunkTask } from '../jobs/transcode-task.ts';
import { chunkGroupKey } from '../jobs/work-unit.ts';
import { chunkRangesEnv, encodeChunkGroup } from './chunk-ranges.ts';
import { chunkPodFailurePolicy } from './failure-policy.ts';
import { workerLabels } from './labels.ts';
import { chunkGroupJobName } from './names.ts';
import { sizeChunkGroupJob } from './sizing.ts';
import { taskDelivery } from './task-delivery.ts';
import { onGpu, placedTask, stageResources, workerJobMeta, workerJobResult, type WorkerJob } from './worker-job.ts';
import { workerPodTemplate } from './worker-pod-template.ts';

export interface ChunkGroupJobInput {
  /** Chunks 0…n−1 of one attempt, alike but for their ranges. */
  tasks: readonly ChunkTask[];
  priority: Priority;
  facts: SourceFacts;
  config: KubernetesExecutorConfig;
  retryGeneration?: number;
}

export function buildChunkGroupJob(input: ChunkGroupJobInput): WorkerJob {
  const { priority, facts, config } = input;
  const encoded = encodeChunkGroup(input.tasks);
  const task = placedTask(encoded.template, priority, config);
  const count = input.tasks.length;
  const gpu = onGpu('chunk', priority, task.profile.codec, config);
  const name = chunkGroupJobName(task.jobId, task.attempt);
  const unit = chunkGroupKey(task.jobId);
  const labels = workerLabels(config.instance, { jobId: task.jobId, attempt: task.attempt, priority, stage: 'chunks' });
  const parallelism = Math.min(config.chunks.parallelism, count);
  const sizing = sizeChunkGroupJob(facts, config, {
    chunkSeconds: Math.max(...input.tasks.map((t) => t.chunk.endSeconds - t.chunk.startSeconds)),
    waves: Math.ceil(count / parallelism),
    retriesPerIndex: config.chunks.backoffLimitPerIndex,
  });
  const delivery = taskDelivery(task, config.task, name);

  const job: IJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: workerJobMeta({ name, unit, task, labels, sizing, config, retryGeneration: input.retryGeneration }),
    spec: {
      completionMode: 'Indexed',
      completions: count,
      parallelism,
      // No backoffLimit: with backoffLimitPerIndex each index counts its own failures.
      backoffLimitPerIndex: config.chunks.backoffLimitPerIndex,
      maxFailedIndexes: 0,
      podFailurePolicy: chunkPodFailurePolicy(),
      podReplacementPolicy: 'Failed',
      ttlSecondsAfterFinished: config.ttlSecondsAfterFinished,
      activeDeadlineSeconds: sizing.activeDeadlineSeconds,
      ...(config.kueue ? { suspend: true } : {}),
      template: workerPodTemplate({
        labels, priority, gpu, config, resources: stageResources('chunk', gpu, config), scratchBytes: sizing.scratchBytes, delivery,
        env: [{ name: chunkRangesEnv, value: encoded.ranges }],
      }),
    },
  };

  return workerJobResult({ name, unit, job, task, sizing, gpu, labels, delivery, config });
}
