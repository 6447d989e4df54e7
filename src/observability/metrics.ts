// Prometheus metrics of the control plane. One registry per app instance (tests build several).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { priorities } from '../jobs/job.ts';
import type { Store } from '../store/store.ts';

export interface Metrics {
  registry: Registry;
  webhooksReceived: Counter<'source'>;
  webhooksRejected: Counter<'source' | 'status'>;
  jobsCreated: Counter<'source'>;
  jobDuration: Histogram<'outcome'>;
  stepDuration: Histogram<'step'>;
  encodeSpeed: Histogram;
  failures: Counter<'reason'>;
  assetCost: Histogram;
}

export function createMetrics(store: Store, running: () => number): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'live2vod_process_' });
  new Gauge({
    name: 'live2vod_queue_depth',
    help: 'Queued jobs by priority',
    labelNames: ['priority'],
    registers: [registry],
    async collect() {
      const counts = await store.countByStateAndPriority();
      for (const priority of priorities) {
        this.set({ priority }, counts.filter((c) => c.state === 'queued' && c.priority === priority).reduce((n, c) => n + c.count, 0));
      }
    },
  });
  new Gauge({ name: 'live2vod_jobs_running', help: 'Workers running on this instance', registers: [registry], collect() { this.set(running()); } });
  return {
    registry,
    webhooksReceived: new Counter({ name: 'live2vod_webhooks_received_total', help: 'Webhooks received, by source', labelNames: ['source'], registers: [registry] }),
    webhooksRejected: new Counter({ name: 'live2vod_webhooks_rejected_total', help: 'Webhooks refused, by source and HTTP status', labelNames: ['source', 'status'], registers: [registry] }),
    jobsCreated: new Counter({ name: 'live2vod_jobs_created_total', help: 'New jobs (duplicates excluded), by source', labelNames: ['source'], registers: [registry] }),
    jobDuration: new Histogram({ name: 'live2vod_job_duration_seconds', help: 'From claim to the end of the attempt, by outcome', labelNames: ['outcome'], buckets: [5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200], registers: [registry] }),
    stepDuration: new Histogram({ name: 'live2vod_step_duration_seconds', help: 'Worker pipeline steps', labelNames: ['step'], buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 1200], registers: [registry] }),
    encodeSpeed: new Histogram({ name: 'live2vod_encode_speed_ratio', help: 'Encode speed as a multiple of real time, as reported with progress', buckets: [0.25, 0.5, 1, 2, 4, 8, 16, 32], registers: [registry] }),
    assetCost: new Histogram({ name: 'live2vod_asset_cpu_seconds_per_source_second', help: 'CPU-seconds of every ffmpeg/ffprobe a job ran per second of its recording, from manifest.json when the asset is ready', buckets: [0.25, 0.5, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32], registers: [registry] }),
    failures: new Counter({ name: 'live2vod_job_failures_total', help: 'Jobs that failed for good, by reason (exit code or crash)', labelNames: ['reason'], registers: [registry] }),
  };
}
