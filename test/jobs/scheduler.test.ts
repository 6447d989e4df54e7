// The Scheduler against a real SQLite store and a FakeExecutor (named so: it records launches and
// stops, and the test ends its "workers" with exit codes). A controllable clock drives retry
// backoff, so nothing here sleeps for a backoff to pass.
import { defaultSourceFetch } from '../../src/jobs/source-fetch.ts';
import { parseSourceLocation } from '../../src/jobs/source-location.ts';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { ExitCode } from '../../src/errors/index.ts';
import type { Executor, StopReason, WorkerExit } from '../../src/executors/executor.ts';
import type { Job, Priority } from '../../src/jobs/job.ts';
import { JobEvents, type JobChange } from '../../src/jobs/job-events.ts';
import { attemptResult } from '../../src/jobs/retry-policy.ts';
import { Scheduler } from '../../src/jobs/scheduler.ts';
import { unitKey } from '../../src/jobs/work-unit.ts';
import type { TranscodeTask } from '../../src/jobs/transcode-task.ts';
import { transcodeProfileSchema } from '../../src/jobs/transcode-task.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { rig } from '../helpers/scheduler-rig.ts';
import { makeTemp, waitFor } from '../helpers/serve.ts';

describe('Scheduler with a FakeExecutor', () => {
  it('launches by priority (urgent > high > normal > low), FIFO within one, one at a time with capacity 1', async (t) => {
    const r = await rig(t);
    const order: Priority[] = ['low', 'normal', 'urgent', 'high', 'normal', 'low', 'high', 'urgent'];
    const jobs: Job[] = [];
    for (const p of order) jobs.push(await r.add(p));
    await r.scheduler.start({ recoverAll: false });
    const expected = (['urgent', 'high', 'normal', 'low'] as const).flatMap((p) => jobs.filter((j) => j.priority === p).map((j) => j.id));
    for (let i = 0; i < expected.length; i++) {
      const launches = await r.waitForLaunches(i + 1);
      // Never more than the capacity at once.
      assert.equal(r.executor.running().length, 1);
      const task = launches[i];
      assert.ok(task);
      assert.equal(task.jobId, expected[i], `launch ${i + 1}`);
      assert.equal(task.attempt, 1);
      assert.equal((await r.store.getJob(task.jobId))?.state, 'running');
      r.executor.exit(task.jobId, 0);
      await r.waitForState(task.jobId, 'succeeded');
    }
    assert.equal(r.executor.launches.length, expected.length);
    assert.deepEqual(r.executor.stops, [], 'nothing was preempted: the urgent jobs ran first anyway');
    assert.equal(r.changes.filter((c) => c.type === 'asset.ready').length, expected.length);
  });

  it('preempts a running low job for an urgent one; the low job keeps its attempt and runs afterwards', async (t) => {
    const r = await rig(t);
    const low = await r.add('low');
    await r.scheduler.start({ recoverAll: false });
    await r.waitForLaunches(1);
    assert.equal(r.executor.launches[0]?.jobId, low.id);
    // A normal job waits: no preemption for it.
    const normal = await r.add('normal');
    r.scheduler.kick();
    await r.scheduler.idle();
    assert.deepEqual(r.executor.stops, []);

    const urgent = await r.add('urgent');
    r.scheduler.kick();
    await waitFor('the preemption', () => r.executor.stops.length > 0, { timeoutMs: 5000, intervalMs: 10 });
    assert.deepEqual(r.executor.stops, [{ unit: low.id, reason: 'preempt' }]);

    const launches = await r.waitForLaunches(2);
    assert.equal(launches[1]?.jobId, urgent.id, 'the urgent job runs next');
    const requeued = await r.store.getJob(low.id);
    assert.equal(requeued?.state, 'queued');
    assert.equal(requeued?.attempts, 0, 'the preempted attempt was given back');
    const attempts = await r.store.listAttempts(low.id);
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0]?.outcome, 'preempted');
    assert.equal(attempts[0]?.counts, false);
    assert.ok(r.changes.some((c) => c.type === 'job.requeued' && c.job.id === low.id));

    // Then the normal one (it was queued before the low one got back in line), then the low one.
    r.executor.exit(urgent.id, 0);
    await r.waitForLaunches(3);
    assert.equal(r.executor.launches[2]?.jobId, normal.id);
    r.executor.exit(normal.id, 0);
    await r.waitForLaunches(4);
    assert.equal(r.executor.launches[3]?.jobId, low.id);
    assert.equal(r.executor.launches[3]?.attempt, 1, 'still its first counted attempt');
    r.executor.exit(low.id, 0);
    const done = await r.waitForState(low.id, 'succeeded');
    assert.equal(done.attempts, 1);
    const finalAttempts = await r.store.listAttempts(low.id);
    assert.deepEqual(finalAttempts.map((a) => [a.number, a.outcome, a.counts]), [[1, 'preempted', false], [2, 'succeeded', true]]);
  });

  it('does not preempt a high or normal job for an urgent one', async (t) => {
    const r = await rig(t);
    const high = await r.add('high');
    await r.scheduler.start({ recoverAll: false });
    await r.waitForLaunches(1);
    const urgent = await r.add('urgent');
    r.scheduler.kick();
    await r.scheduler.idle();
    assert.deepEqual(r.executor.stops, []);
    r.executor.exit(high.id, 0);
    const launches = await r.waitForLaunches(2);
    assert.equal(launches[1]?.jobId, urgent.id);
  });

  it('retries a failure (exit 1) after a backoff, and fails the job after maxAttempts', async (t) => {
    const r = await rig(t, { baseMs: 10_000 });
    const job = await r.add('normal', { maxAttempts: 2 });
    await r.scheduler.start({ recoverAll: false });
    await r.waitForLaunches(1);
    const failedAt = r.clock.ms;
    r.executor.exit(job.id, 1);
    const queued = await r.waitForState(job.id, 'queued');
    assert.equal(queued.attempts, 1, 'a failed attempt counts');
    assert.ok(queued.runAfter, 'a retry has a runAfter');
    const delay = Date.parse(queued.runAfter) - failedAt;
    assert.ok(delay >= 5000 && delay <= 10_000, `backoff ${delay} ms within [base/2, base]`);
    assert.equal(queued.error?.code, 'exit-1');
    assert.equal(queued.error?.retryable, true);

    // Not before runAfter.
    r.scheduler.kick();
    await r.scheduler.idle();
    assert.equal(r.executor.launches.length, 1, 'no relaunch before the backoff has passed');

    r.clock.ms += 10_001;
    r.scheduler.kick();
    const launches = await r.waitForLaunches(2);
    assert.equal(launches[1]?.jobId, job.id);
    assert.equal(launches[1]?.attempt, 2);
    r.executor.exit(job.id, 1);
    const failed = await r.waitForState(job.id, 'failed');
    assert.equal(failed.attempts, 2);
    assert.match(failed.error?.message ?? '', /attempt 2 of 2; giving up/);
    const attempts = await r.store.listAttempts(job.id);
    assert.deepEqual(attempts.map((a) => [a.outcome, a.counts]), [['failed', true], ['failed', true]]);
    assert.ok(r.changes.some((c) => c.type === 'job.failed' && c.job.id === job.id));
    r.clock.ms += 120_000;
    r.scheduler.kick();
    await r.scheduler.idle();
    assert.equal(r.executor.launches.length, 2, 'a failed job is not run again');
  });

  it('fails at once, without a retry, on exit code 3 (bad input)', async (t) => {
    const r = await rig(t);
    const job = await r.add('normal', { maxAttempts: 3 });
    const reported = await r.add('normal', { maxAttempts: 3 });
    await r.scheduler.start({ recoverAll: false });
    await r.waitForLaunches(1);
    r.executor.exit(job.id, ExitCode.badInput);
    const failed = await r.waitForState(job.id, 'failed');
    assert.equal(failed.attempts, 1);
    assert.equal(failed.error?.retryable, false);
    assert.equal(failed.error?.code, 'exit-3');
    // The operator's to look at: logged as a warning, where an ordinary ending is info.
    assert.deepEqual(r.logs.filter((l) => l.message === 'job failed'), [{ level: 'warn', message: 'job failed' }]);

    // With the worker's own report: its message is kept.
    await r.waitForLaunches(2);
    assert.equal(r.executor.launches[1]?.jobId, reported.id);
    await r.scheduler.onWorkerReport(reported.id, { type: 'failed', message: 'the source has no video or audio stream', exitCode: ExitCode.badInput, retryable: false });
    r.executor.exit(reported.id, ExitCode.badInput);
    const failed2 = await r.waitForState(reported.id, 'failed');
    assert.equal(failed2.attempts, 1);
    assert.equal(failed2.error?.message, 'the source has no video or audio stream');
    assert.equal(failed2.error?.command, undefined, 'no command was reported');
    r.scheduler.kick();
    await r.scheduler.idle();
    assert.equal(r.executor.launches.length, 2, 'no retries');
  });

  it('records progress reports while a job runs', async (t) => {
    const r = await rig(t);
    const job = await r.add('normal');
    await r.scheduler.start({ recoverAll: false });
    await r.waitForLaunches(1);
    await r.scheduler.onWorkerReport(job.id, { type: 'progress', percent: 42, outTime: 4.2 });
    assert.equal((await r.store.getJob(job.id))?.progress, 0.42);
    assert.ok(r.changes.some((c) => c.type === 'job.progress' && c.data?.['progress'] === 0.42));
    r.executor.exit(job.id, 0);
    const done = await r.waitForState(job.id, 'succeeded');
    assert.equal(done.progress, 1);
  });

  it("keeps the event summary of the asset's done report with the success", async (t) => {
    const r = await rig(t);
    const job = await r.add('normal');
    await r.scheduler.start({ recoverAll: false });
    await r.waitForLaunches(1);
    const event = { suggestedTrim: { start: 15, end: 50, why: ['black picture and silence from the start to 15.00 s'] }, chapterCount: 2 };
    await r.scheduler.onWorkerReport(job.id, { type: 'done', manifest: 'manifest.json', event });
    assert.equal((await r.store.getJob(job.id))?.eventSummary, undefined, 'kept until the exit settles the attempt');
    r.executor.exit(job.id, 0);
    const done = await r.waitForState(job.id, 'succeeded');
    assert.deepEqual(done.eventSummary, event);
  });

  it('publishes speed and ETA with progress, and step reports as they happen', async (t) => {
    const r = await rig(t);
    const job = await r.add('normal');
    await r.scheduler.start({ recoverAll: false });
    await r.waitForLaunches(1);
    await r.scheduler.onWorkerReport(job.id, { type: 'progress', percent: 50, speed: 2.5, etaSeconds: 4, outTime: 5 });
    const progress = r.changes.find((c) => c.type === 'job.progress' && c.job.id === job.id);
    assert.deepEqual(progress?.data, { progress: 0.5, speed: 2.5, etaSeconds: 4 });
    await r.scheduler.onWorkerReport(job.id, { type: 'step', step: 'encode', state: 'end', ms: 1234 });
    const step = r.changes.find((c) => c.type === 'job.step');
    assert.equal(step?.data?.['step'], 'encode');
    assert.equal(step?.data?.['ms'], 1234);
    const logged = (await r.store.listEvents(job.id)).filter((e) => e.type === 'job.step');
    assert.deepEqual(logged.map((e) => e.data['ms']), [1234], 'stored as well as published');
    r.executor.exit(job.id, 0);
    await r.waitForState(job.id, 'succeeded');
  });

  it('logs and publishes what the probe found once per attempt (a split and the encode after it may both report it)', async (t) => {
    const r = await rig(t, { baseMs: 10 });
    const job = await r.add('normal', { maxAttempts: 2 });
    await r.scheduler.start({ recoverAll: false });
    await r.waitForLaunches(1);
    const facts = { durationSeconds: 12.5, bytes: 1_000_000, width: 1280, height: 720, frameRate: 30 };
    await r.scheduler.onWorkerReport(job.id, { type: 'source', ...facts });
    await r.scheduler.onWorkerReport(job.id, { type: 'source', ...facts, durationSeconds: 99 });
    const probed = async () => (await r.store.listEvents(job.id)).filter((e) => e.type === 'job.probed').map((e) => e.data);
    assert.deepEqual(await probed(), [facts]);
    assert.deepEqual(r.changes.filter((c) => c.type === 'job.probed').map((c) => c.data), [facts]);
    // The next attempt probes again (the recording may have been replaced): logged again.
    r.executor.exit(job.id, 1);
    await r.waitForState(job.id, 'queued');
    r.clock.ms += 1000;
    r.scheduler.kick();
    await r.waitForLaunches(2);
    await r.scheduler.onWorkerReport(job.id, { type: 'source', ...facts, bytes: 2_000_000 }, 'full', 2);
    assert.deepEqual(await probed(), [facts, { ...facts, bytes: 2_000_000 }]);
    r.executor.exit(job.id, 0);
    await r.waitForState(job.id, 'succeeded');
  });

  it("keeps the failing command from the worker's report in the job's error", async (t) => {
    const r = await rig(t);
    const job = await r.add('normal');
    await r.scheduler.start({ recoverAll: false });
    await r.waitForLaunches(1);
    await r.scheduler.onWorkerReport(job.id, { type: 'failed', message: 'corrupt', exitCode: ExitCode.badInput, retryable: false, stderrTail: 'moov atom not found', command: 'ffprobe -i file:/x.mp4' });
    r.executor.exit(job.id, ExitCode.badInput);
    const failed = await r.waitForState(job.id, 'failed');
    assert.equal(failed.error?.command, 'ffprobe -i file:/x.mp4');
    assert.equal(failed.error?.stderrTail, 'moov atom not found');
  });

  it('cancels a running job: stop("cancel") → cancelled', async (t) => {
    const r = await rig(t);
    const job = await r.add('normal');
    await r.scheduler.start({ recoverAll: false });
    await r.waitForLaunches(1);
    // As the API does it: the store first, then the scheduler.
    const flagged = await r.store.requestCancel(job.id, new Date(r.clock.ms));
    assert.equal(flagged?.state, 'running');
    assert.equal(flagged?.cancelRequested, true);
    await r.scheduler.cancel(job.id);
    assert.deepEqual(r.executor.stops, [{ unit: job.id, reason: 'cancel' }]);
    const cancelled = await r.waitForState(job.id, 'cancelled');
    const attempts = await r.store.listAttempts(job.id);
    assert.equal(attempts[0]?.outcome, 'cancelled');
    assert.ok(cancelled.finishedAt);
    assert.ok(r.changes.some((c) => c.type === 'job.cancelled' && c.job.id === job.id));
    r.scheduler.kick();
    await r.scheduler.idle();
    assert.equal(r.executor.launches.length, 1, 'a cancelled job is not run again');
  });

  it('a cancel recorded by another control plane reaches the worker through the lease renewal', async (t) => {
    const r = await rig(t);
    const job = await r.add('normal');
    await r.scheduler.start({ recoverAll: false });
    await r.waitForLaunches(1);
    await r.store.requestCancel(job.id, new Date(r.clock.ms));
    // No scheduler.cancel(): the next tick finds the lease can no longer be renewed.
    await waitFor('the stop', () => r.executor.stops.length > 0, { timeoutMs: 5000, intervalMs: 10 });
    assert.deepEqual(r.executor.stops, [{ unit: job.id, reason: 'cancel' }]);
    await r.waitForState(job.id, 'cancelled');
  });

  it('a lease another control plane took over stops the worker as lease-lost, and the job stays theirs', async (t) => {
    const r = await rig(t);
    const job = await r.add('normal');
    await r.scheduler.start({ recoverAll: false });
    await r.waitForLaunches(1);
    // Our lease lapses (a stall) and another instance requeues and claims the job.
    const later = new Date(r.clock.ms + 120_000);
    await r.store.requeueExpired(later);
    await r.store.claimNext({ owner: 'other-instance', now: later, leaseMs: 60_000 });
    await waitFor('the stop', () => r.executor.stops.length > 0, { timeoutMs: 5000, intervalMs: 10 });
    assert.deepEqual(r.executor.stops, [{ unit: job.id, reason: 'lease-lost' }]);
    r.scheduler.kick();
    await r.scheduler.idle();
    const stored = await r.store.getJob(job.id);
    assert.deepEqual([stored?.state, stored?.leaseOwner, stored?.attempts], ['running', 'other-instance', 1], 'our exit did not settle their attempt');
  });

  it('a cancel that races a failure still wins over the retry', async (t) => {
    const r = await rig(t);
    const job = await r.add('normal');
    await r.scheduler.start({ recoverAll: false });
    await r.waitForLaunches(1);
    r.executor.exitOnStop = false;
    await r.store.requestCancel(job.id, new Date(r.clock.ms));
    await r.scheduler.cancel(job.id);
    // The worker happened to crash at the same moment.
    r.executor.exit(job.id, 1);
    await r.waitForState(job.id, 'cancelled');
  });

  it('shutdown stops workers and requeues their jobs without using up an attempt', async (t) => {
    const r = await rig(t, { capacity: 2 });
    const a = await r.add('normal');
    const b = await r.add('low');
    await r.scheduler.start({ recoverAll: false });
    await r.waitForLaunches(2);
    await r.scheduler.stop();
    assert.deepEqual(r.executor.stops.map((s) => s.reason).sort(), ['shutdown', 'shutdown']);
    for (const job of [a, b]) {
      const after = await r.store.getJob(job.id);
      assert.equal(after?.state, 'queued', 'settled before stop() resolved');
      assert.equal(after?.attempts, 0);
      const attempts = await r.store.listAttempts(job.id);
      assert.deepEqual(attempts.map((x) => [x.outcome, x.counts]), [['interrupted', false]]);
    }
    // Stopped: no more launches, even when kicked.
    r.scheduler.kick();
    await r.scheduler.idle();
    assert.equal(r.executor.launches.length, 2);
  });

  it('start({recoverAll:true}) requeues jobs a previous instance left running; recoverAll:false waits for their lease', async (t) => {
    const dir = await makeTemp('live2vod-scheduler-shared-');
    const store = await openSqliteStore(path.join(dir, 'live2vod.db'));
    t.after(async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    });
    const { job } = await store.createJob({ idempotencyKey: 'orphan', source: 's3://b/orphan.mp4', sourceKind: 'api', priority: 'normal', metadata: {}, maxAttempts: 3 }, new Date());
    // A previous control plane claimed it and died: its lease is still valid for a minute.
    const claimed = await store.claimNext({ owner: 'dead-instance', now: new Date(), leaseMs: 60_000 });
    assert.equal(claimed?.id, job.id);

    const cautious = await rig(t, { store, owner: 'cautious' });
    await cautious.scheduler.start({ recoverAll: false });
    await cautious.scheduler.idle();
    assert.equal(cautious.executor.launches.length, 0, 'a valid lease of another instance is respected');
    await cautious.scheduler.stop();

    const r = await rig(t, { store, owner: 'restarted' });
    await r.scheduler.start({ recoverAll: true });
    const launches = await r.waitForLaunches(1);
    assert.equal(launches[0]?.jobId, job.id);
    assert.equal(launches[0]?.attempt, 1, 'the interrupted attempt did not count');
    const attempts = await store.listAttempts(job.id);
    assert.deepEqual(attempts.map((a) => [a.number, a.outcome ?? null, a.counts]), [[1, 'interrupted', false], [2, null, true]]);
    assert.ok(r.changes.some((c) => c.type === 'job.requeued' && c.job.id === job.id));
    r.executor.exit(job.id, 0);
    await r.waitForState(job.id, 'succeeded');
  });

  it('a launch that fails puts the job back in the queue without using an attempt', async (t) => {
    const r = await rig(t);
    const job = await r.add('normal');
    const launch = r.executor.launch.bind(r.executor);
    let failures = 1;
    r.executor.launch = async (task) => {
      if (failures-- > 0) throw new Error('spawn EAGAIN');
      return launch(task);
    };
    await r.scheduler.start({ recoverAll: false });
    const queued = await waitFor('the requeue', async () => {
      const attempts = await r.store.listAttempts(job.id);
      return attempts[0]?.outcome === 'interrupted' ? r.store.getJob(job.id) : undefined;
    }, { timeoutMs: 5000, intervalMs: 10 });
    assert.equal(queued?.state, 'queued');
    assert.equal(queued?.attempts, 0);
    r.clock.ms += 6000;
    r.scheduler.kick();
    await r.waitForLaunches(1);
    assert.equal(r.executor.launches[0]?.attempt, 1);
  });
});

describe('attemptResult', () => {
  const policy = { baseMs: 1000, maxMs: 60_000 };
  const now = new Date('2026-03-01T12:00:00Z');
  const job = (attempts: number, maxAttempts = 3): Job => ({
    id: 'j', seq: 1, kind: 'transcode', idempotencyKey: 'k', source: 's3://b/k', sourceKind: 'api', priority: 'normal', state: 'running', progress: 0.5,
    attempts, maxAttempts, outputPrefix: 'assets/j', metadata: {}, sourceFacts: {}, cancelRequested: false, createdAt: now.toISOString(), updatedAt: now.toISOString(),
  });
  const exit = (exitCode: number | null, extra: Partial<WorkerExit> = {}): WorkerExit => ({ unit: 'j', jobId: 'j', attempt: 1, exitCode, signal: null, stderrTail: 'tail', ...extra });

  it('maps stop reasons first, whatever the exit code', () => {
    assert.deepEqual(attemptResult(job(1), exit(null, { stopReason: 'cancel', signal: 'SIGTERM' }), undefined, policy, now), { state: 'cancelled', reason: 'cancelled on request' });
    const preempted = attemptResult(job(1), exit(1, { stopReason: 'preempt' }), undefined, policy, now);
    assert.equal(preempted.state, 'queued');
    assert.ok(preempted.state === 'queued' && preempted.outcome === 'preempted' && preempted.runAfter.getTime() === now.getTime());
    const interrupted = attemptResult(job(3), exit(null, { stopReason: 'shutdown', signal: 'SIGTERM' }), undefined, policy, now);
    assert.ok(interrupted.state === 'queued' && interrupted.outcome === 'interrupted', 'even on the last attempt');
    const handedOver = attemptResult(job(3), exit(null, { stopReason: 'lease-lost', signal: 'SIGTERM' }), undefined, policy, now);
    assert.ok(handedOver.state === 'queued' && handedOver.outcome === 'interrupted', 'never a failure (the store refuses it anyway)');
  });

  it('exit 0 succeeds', () => {
    assert.deepEqual(attemptResult(job(1), exit(0), undefined, policy, now), { state: 'succeeded' });
  });

  it('a retryable failure is requeued with a backoff until maxAttempts', () => {
    const retry = attemptResult(job(1), exit(1), undefined, policy, now, () => 0);
    assert.equal(retry.state, 'queued');
    assert.ok(retry.state === 'queued' && retry.outcome === 'failed');
    assert.equal(retry.runAfter.getTime() - now.getTime(), 500);
    assert.equal(retry.error?.code, 'exit-1');
    assert.equal(retry.error?.stderrTail, 'tail');
    const second = attemptResult(job(2), exit(4), undefined, policy, now, () => 1);
    assert.ok(second.state === 'queued' && second.runAfter.getTime() - now.getTime() === 2000, 'output errors (4) are retried');
    const last = attemptResult(job(3), exit(1), undefined, policy, now);
    assert.equal(last.state, 'failed');
    assert.ok(last.state === 'failed' && /attempt 3 of 3; giving up/.test(last.error.message));
  });

  it('bad input (3), usage (2) and environment (5) fail at once', () => {
    for (const code of [ExitCode.badInput, ExitCode.usage, ExitCode.environment]) {
      const result = attemptResult(job(1), exit(code), undefined, policy, now);
      assert.equal(result.state, 'failed', `exit ${code}`);
      assert.ok(result.state === 'failed' && result.error.retryable === false && result.error.code === `exit-${code}`);
    }
  });

  it('a worker killed by a signal crashed: retried', () => {
    const result = attemptResult(job(1), exit(null, { signal: 'SIGKILL' }), undefined, policy, now);
    assert.ok(result.state === 'queued' && result.error?.code === 'crashed' && /SIGKILL/.test(result.error.message));
  });

  it("the worker's report decides over the bare exit code, but never makes a permanent code retryable", () => {
    const permanent = attemptResult(job(1), exit(1), { message: 'unsupported codec', exitCode: 1, retryable: false }, policy, now);
    assert.ok(permanent.state === 'failed' && permanent.error.message === 'unsupported codec');
    const claimed = attemptResult(job(1), exit(3), { message: 'no streams', exitCode: 3, retryable: true, stderrTail: 'ffmpeg said' }, policy, now);
    assert.ok(claimed.state === 'failed' && claimed.error.retryable === false && claimed.error.stderrTail === 'ffmpeg said');
    const transient = attemptResult(job(1), exit(1), { message: 'disk hiccup', exitCode: 4, retryable: true }, policy, now);
    assert.ok(transient.state === 'queued' && transient.error?.message === 'disk hiccup' && transient.error.code === 'exit-4');
  });
});
