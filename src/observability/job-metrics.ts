// Feeds job outcomes into the metrics: attempt durations by outcome, failed jobs by reason.
import type { JobChange, JobEvents } from '../jobs/job-events.ts';
import type { Metrics } from './metrics.ts';

const outcomes: Partial<Record<JobChange['type'], string>> = {
  'asset.ready': 'succeeded',
  'job.failed': 'failed',
  'job.cancelled': 'cancelled',
  'job.requeued': 'requeued',
};

export function connectJobMetrics(events: JobEvents, metrics: Metrics): () => void {
  return events.subscribe((change) => {
    const outcome = outcomes[change.type];
    if (!outcome) return;
    const started = change.job.startedAt ? Date.parse(change.job.startedAt) : NaN;
    const seconds = (Date.parse(change.at) - started) / 1000;
    if (Number.isFinite(seconds) && seconds >= 0) metrics.jobDuration.observe({ outcome }, seconds);
    if (change.type === 'job.failed') metrics.failures.inc({ reason: change.job.error?.code ?? 'unknown' });
  });
}
