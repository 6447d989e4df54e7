// Feeds job outcomes into the metrics: attempt durations by outcome, failed jobs by reason, and
// each ready asset's cost (CPU-seconds per source second) when a reader of manifests is given.
import type { JobChange, JobEvents } from '../jobs/job-events.ts';
import type { CostReader } from './manifest-cost.ts';
import type { Metrics } from './metrics.ts';

const outcomes: Partial<Record<JobChange['type'], string>> = {
  'asset.ready': 'succeeded',
  'job.failed': 'failed',
  'job.cancelled': 'cancelled',
  'job.requeued': 'requeued',
};

export function connectJobMetrics(events: JobEvents, metrics: Metrics, readCost?: CostReader, onError?: (error: unknown) => void): () => void {
  return events.subscribe((change) => {
    const outcome = outcomes[change.type];
    if (!outcome) return;
    const started = change.job.startedAt ? Date.parse(change.job.startedAt) : NaN;
    const seconds = (Date.parse(change.at) - started) / 1000;
    if (Number.isFinite(seconds) && seconds >= 0) metrics.jobDuration.observe({ outcome }, seconds);
    if (change.type === 'job.failed') metrics.failures.inc({ reason: change.job.error?.code ?? 'unknown' });
    if (change.type === 'asset.ready' && readCost) {
      // A manifest that cannot be read costs the metric one sample, never the event stream.
      readCost(change.job).then((cost) => {
        if (cost !== undefined) metrics.assetCost.observe(cost);
      }, (error: unknown) => onError?.(error));
    }
  });
}
