// The cost histogram: fed from the ready asset's manifest.json (read from the media root, as serve
// does without an object store), and silent for a manifest without a measured cost.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Job } from '../../src/jobs/job.ts';
import { JobEvents } from '../../src/jobs/job-events.ts';
import { connectJobMetrics } from '../../src/observability/job-metrics.ts';
import { costPerSourceSecond, manifestCostReader } from '../../src/observability/manifest-cost.ts';
import { assetManifestReader } from '../../src/storage/read-asset-manifest.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import type { Store } from '../../src/store/store.ts';

const job = (id: string): Job => ({
  id, seq: 1, kind: 'transcode', idempotencyKey: id, source: 'x.mp4', sourceKind: 'api', priority: 'normal', state: 'succeeded', progress: 1, attempts: 1, maxAttempts: 3,
  outputPrefix: `assets/${id}`, metadata: {}, sourceFacts: {}, cancelRequested: false,
  createdAt: '2026-12-04T00:00:00Z', updatedAt: '2026-12-04T00:01:00Z', startedAt: '2026-12-04T00:00:00Z', finishedAt: '2026-12-04T00:01:00Z',
});

test('a ready asset puts its CPU-seconds per source second into the histogram', async () => {
  const mediaRoot = await mkdtemp(path.join(os.tmpdir(), 'live2vod-metrics-'));
  try {
    await mkdir(path.join(mediaRoot, 'assets', 'a'), { recursive: true });
    await writeFile(path.join(mediaRoot, 'assets', 'a', 'manifest.json'), JSON.stringify({ cost: { cpuSeconds: 270, cpuSecondsPerSourceSecond: 4.5 } }));
    await mkdir(path.join(mediaRoot, 'assets', 'b'), { recursive: true });
    await writeFile(path.join(mediaRoot, 'assets', 'b', 'manifest.json'), JSON.stringify({ cost: { cpuSeconds: null, cpuSecondsPerSourceSecond: null, reason: 'no /proc' } }));
    const store = { countByStateAndPriority: async () => [] } as unknown as Store;
    const metrics = createMetrics(store, () => 0);
    const events = new JobEvents();
    const errors: unknown[] = [];
    const stop = connectJobMetrics(events, metrics, manifestCostReader(assetManifestReader(mediaRoot, undefined)), (error) => errors.push(error));
    for (const id of ['a', 'b', 'missing']) events.emit({ type: 'asset.ready', job: job(id), at: '2026-12-04T00:01:00Z' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    stop();
    const text = await metrics.registry.metrics();
    assert.match(text, /live2vod_asset_cpu_seconds_per_source_second_count 1\n/);
    assert.match(text, /live2vod_asset_cpu_seconds_per_source_second_sum 4.5\n/);
    assert.match(text, /live2vod_asset_cpu_seconds_per_source_second_bucket\{le="6"\} 1\n/);
    assert.equal(errors.length, 1, 'the missing manifest is reported, not thrown');
  } finally {
    await rm(mediaRoot, { recursive: true, force: true });
  }
});

test('costPerSourceSecond reads only a measured figure', () => {
  assert.equal(costPerSourceSecond({ cost: { cpuSecondsPerSourceSecond: 2.25 } }), 2.25);
  assert.equal(costPerSourceSecond({ cost: { cpuSecondsPerSourceSecond: null } }), undefined);
  assert.equal(costPerSourceSecond({ renditions: [] }), undefined);
  assert.equal(costPerSourceSecond(null), undefined);
});
