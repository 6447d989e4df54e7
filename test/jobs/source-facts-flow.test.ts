// Typed source facts from each intake adapter to the Kubernetes Job's sizing: adapter → IntakeService
// → the real SQLite store (source_facts) → Scheduler → the executor's LaunchContext → buildWorkerJob.
// The executor here is a recording fake owned by this test; everything else is the real thing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { kubernetesExecutorSchema } from '../../src/k8s/executor-config.ts';
import type { Executor, LaunchContext, WorkerExit } from '../../src/executors/executor.ts';
import { createGenericAdapter } from '../../src/ingest/generic.ts';
import type { IngestAdapter, InboundRequest } from '../../src/ingest/intake.ts';
import { createMediamtxAdapter } from '../../src/ingest/mediamtx.ts';
import { createNginxRtmpAdapter } from '../../src/ingest/nginx-rtmp.ts';
import { createS3EventsAdapter } from '../../src/ingest/s3-events.ts';
import { createSrsAdapter } from '../../src/ingest/srs.ts';
import { standardWebhookHeaders } from '../../src/webhooks/standard-webhooks.ts';
import { IntakeService } from '../../src/jobs/intake-service.ts';
import { JobEvents } from '../../src/jobs/job-events.ts';
import type { SourceKind } from '../../src/jobs/job.ts';
import { Scheduler } from '../../src/jobs/scheduler.ts';
import { defaultSourceFetch } from '../../src/jobs/source-fetch.ts';
import { parseSourceLocation } from '../../src/jobs/source-location.ts';
import { SourcePolicy } from '../../src/jobs/source-policy.ts';
import { transcodeProfileSchema, type TranscodeTask } from '../../src/jobs/transcode-task.ts';
import { annotationKeys } from '../../src/k8s/labels.ts';
import { buildWorkerJob } from '../../src/k8s/worker-job.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { fixedNow, inbound, jsonRequest, recordDirFixture, type RecordDirFixture } from '../ingest/helpers.ts';

/** Records what the scheduler launches; its workers never exit. */
class RecordingExecutor implements Executor {
  readonly kind = 'recording';
  readonly capacity = 100;
  readonly launches: { task: TranscodeTask; context: LaunchContext | undefined }[] = [];
  running(): string[] { return this.launches.map((l) => l.task.jobId); }
  async launch(task: TranscodeTask, context?: LaunchContext): Promise<void> { this.launches.push({ task, context }); }
  async stop(): Promise<void> {}
  onExit(_listener: (exit: WorkerExit) => void): void {}
  async close(): Promise<void> {}
}

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const config = kubernetesExecutorSchema.parse({ kind: 'kubernetes', image: 'registry.example/live2vod:1' });

describe('source facts from intake to the Job sizing', () => {
  let fx: RecordDirFixture;
  let store: Store;
  let executor: RecordingExecutor;
  let scheduler: Scheduler;
  let intake: IntakeService;

  before(async () => {
    fx = await recordDirFixture();
    store = await openSqliteStore(path.join(fx.root, 'live2vod.db'));
    await store.migrate();
    executor = new RecordingExecutor();
    const events = new JobEvents();
    scheduler = new Scheduler({
      store, executor, events, owner: 'facts-test', leaseMs: 60_000, backoff: { baseMs: 1000, maxMs: 1000 }, tickMs: 20,
      buildTask: (job) => ({ version: 2, stage: 'full', jobId: job.id, attempt: job.attempts, source: parseSourceLocation(job.source), output: `s3://vod/${job.outputPrefix}`, profile: transcodeProfileSchema.parse({}), sourceFetch: defaultSourceFetch }),
    });
    intake = new IntakeService({ store, events, sources: new SourcePolicy([fx.recordDir]), maxAttempts: 3, defaultPriority: () => 'normal', onCreated: () => scheduler.kick() });
    await scheduler.start({ recoverAll: false });
  });
  after(async () => {
    await scheduler.stop();
    await store.close();
    await fx.cleanup();
  });

  /** The adapter's job, stored, claimed and launched; the Job the Kubernetes executor would build for it. */
  async function launched(adapter: IngestAdapter, request: InboundRequest) {
    const outcome = await adapter.handle(request);
    const [result] = await intake.accept(adapter.kind as SourceKind, outcome.jobs);
    assert.ok(result?.created);
    const stored = await store.getJob(result.job.id);
    for (let i = 0; i < 200 && !executor.launches.some((l) => l.task.jobId === result.job.id); i++) await sleep(10);
    const launch = executor.launches.find((l) => l.task.jobId === result.job.id);
    assert.ok(launch?.context, 'launched with a context');
    const job = buildWorkerJob({ task: launch.task, priority: launch.context.priority, facts: launch.context.facts, config }).job;
    return { stored, facts: launch.context.facts, annotations: job.metadata?.annotations ?? {}, deadline: job.spec?.activeDeadlineSeconds };
  }

  it('nginx-rtmp: the recorded file\'s size', async () => {
    const file = await fx.write('keynote-1.flv', Buffer.alloc(6000, 1));
    const body = `app=live&call=record_done&name=keynote&path=${encodeURIComponent(file)}`;
    const r = await launched(createNginxRtmpAdapter({ recordDir: fx.recordDir }), inbound({ contentType: 'application/x-www-form-urlencoded', body }));
    assert.deepEqual(r.stored?.sourceFacts, { bytes: 6000 });
    assert.deepEqual(r.facts, { bytes: 6000 });
    assert.equal(r.annotations[annotationKeys.sourceBytes], '6000');
  });

  it('srs: the DVR file\'s size', async () => {
    const file = await fx.write('live/srs.flv', Buffer.alloc(7000, 1));
    const r = await launched(createSrsAdapter({ recordDir: fx.recordDir }), jsonRequest({ action: 'on_dvr', file, app: 'live', stream: 'srs' }));
    assert.deepEqual(r.facts, { bytes: 7000 });
    assert.equal(r.annotations[annotationKeys.sourceBytes], '7000');
  });

  it('mediamtx: the segment\'s size and its Go-formatted duration, which sets the deadline', async () => {
    const file = await fx.write('cam1/seg.mp4', Buffer.alloc(8000, 1));
    const r = await launched(createMediamtxAdapter({ recordDir: fx.recordDir }), jsonRequest({ path: 'cam1', segmentPath: file, segmentDuration: '1h0m30s' }));
    assert.deepEqual(r.facts, { bytes: 8000, durationSeconds: 3630 });
    assert.equal(r.annotations[annotationKeys.durationSeconds], '3630');
    assert.equal(r.deadline, Math.ceil(config.deadline.baseSeconds + config.deadline.perRecordingSecond * 3630));
  });

  it('s3: the object\'s size from the event', async () => {
    const event = { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'rec' }, object: { key: 'live/big.mp4', size: 2_700_000_000, eTag: 'abc', sequencer: '01' } } }] };
    const r = await launched(createS3EventsAdapter({}), jsonRequest(event));
    assert.deepEqual(r.facts, { bytes: 2_700_000_000 });
    assert.equal(r.annotations[annotationKeys.sourceBytes], '2700000000');
  });

  it('generic: the facts the sender declared, codecs included', async () => {
    const facts = { durationSeconds: 600, bytes: 450_000_000, codecs: { video: 'avc1.640028', audio: 'mp4a.40.2' } };
    const raw = JSON.stringify({ source: 'https://media.example/rec/talk.mp4', facts });
    const request = inbound({ body: raw, headers: standardWebhookHeaders(secret, 'msg_facts', fixedNow, raw) });
    const r = await launched(createGenericAdapter({ secret }), request);
    assert.deepEqual(r.stored?.sourceFacts, facts);
    assert.deepEqual(r.facts, facts);
    assert.equal(r.annotations[annotationKeys.durationSeconds], '600');
    assert.equal(r.annotations[annotationKeys.sourceBytes], '450000000');
  });
});
