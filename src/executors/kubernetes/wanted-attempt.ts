// Whether a worker Job for `attempt` of a job should go on running, judged from the stored job.
// Running under that attempt: yes. Queued one below it: yes — its attempt was interrupted (a
// control plane went away) and gave its number back, so the next claim launches the same attempt
// and adopts this Job. Anything else (finished, cancelled, unknown, another attempt): no. Pure.
import type { Job } from '../../jobs/job.ts';

export function wantsAttempt(job: Pick<Job, 'state' | 'attempts'> | undefined, attempt: number): boolean {
  if (!job) return false;
  if (job.state === 'running') return job.attempts === attempt;
  if (job.state === 'queued') return job.attempts + 1 === attempt;
  return false;
}
