// Which round of a job a worker Job belongs to. A worker Job is named after the job and the
// attempt number, and a job retried by hand (a failed or cancelled job put back in the queue)
// counts its attempts from 1 again — so its Jobs reuse the names of the earlier round's, one of
// which may still be in the cluster (finished Jobs stay for ttlSecondsAfterFinished). The retry
// generation tells the rounds apart without a new stored field: the attempts that counted
// (succeeded, failed or cancelled; an interrupted or preempted attempt gives its number back)
// in earlier rounds. Within a round each counted attempt used one number, so for the attempt
// being launched that is `counted attempts, the open one included − attempt`: the same for every
// relaunch of this attempt (a restart or hand-over between control planes), higher after each
// retry by hand. Pure.
import type { Attempt } from '../../jobs/job.ts';
import { annotationKeys } from '../../k8s/labels.ts';
import type { ObservedJob } from '../../k8s/job-status.ts';

/** `attempts` as the store lists them, after the claim of `attempt` opened the last one. */
export function retryGeneration(attempts: readonly Pick<Attempt, 'counts'>[], attempt: number): number {
  return Math.max(0, attempts.filter((a) => a.counts).length - attempt);
}

/** The generation a worker Job was created for; Jobs from before the annotation count as 0. */
export function jobRetryGeneration(job: ObservedJob): number {
  const value = Number(job.metadata?.annotations?.[annotationKeys.retryGeneration] ?? '0');
  return Number.isInteger(value) && value >= 0 ? value : 0;
}
