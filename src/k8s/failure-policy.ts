// The contract between the worker's exit codes (src/errors/index.ts) and the Job's podFailurePolicy.
// Rules are evaluated in order; the first match decides:
//   1. a pod with the DisruptionTarget condition (preemption, eviction, spot reclaim, node drain or
//      shutdown): Ignore — Kubernetes replaces the pod without using up backoffLimit;
//   2. exit 2 (usage), 3 (bad input), 5 (environment): FailJob — no other pod can do better, and
//      the scheduler treats the same codes as permanent;
//   3. exit 130 (the worker stopped ffmpeg on SIGTERM: the pod was terminated from outside): Ignore;
//   anything else — 1 (internal), 4 (output), 137 (OOM kill, SIGKILL) — counts towards backoffLimit.
// The Indexed Job of a chunked attempt has the same rules per index: FailIndex instead of FailJob
// (with maxFailedIndexes 0 one failed index fails the Job, and status.failedIndexes says which),
// and a retryable failure counts towards that index's backoffLimitPerIndex only.
// Pure.
import type { IPodFailurePolicy } from 'kubernetes-models/batch/v1/PodFailurePolicy';
import { ExitCode } from '../errors/index.ts';

export const workerContainerName = 'worker';

/** Exit codes that fail the Job at once. */
export const failJobExitCodes: readonly number[] = [ExitCode.usage, ExitCode.badInput, ExitCode.environment];
/** Exit codes that mean "stopped from outside": the pod is replaced without counting. */
export const ignoredExitCodes: readonly number[] = [ExitCode.cancelled];

export function workerPodFailurePolicy(): IPodFailurePolicy {
  return policy('FailJob');
}

/** For an Indexed Job: a permanent exit fails that index (and, with maxFailedIndexes 0, the Job) at once. */
export function chunkPodFailurePolicy(): IPodFailurePolicy {
  return policy('FailIndex');
}

function policy(permanent: 'FailJob' | 'FailIndex'): IPodFailurePolicy {
  return {
    rules: [
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
      { action: permanent, onExitCodes: { containerName: workerContainerName, operator: 'In', values: [...failJobExitCodes] } },
      { action: 'Ignore', onExitCodes: { containerName: workerContainerName, operator: 'In', values: [...ignoredExitCodes] } },
    ],
  };
}
