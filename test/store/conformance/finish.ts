// finishAttempt: every result, what counts as an attempt, and who may finish.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobError } from '../../../src/jobs/job.ts';
import { at, createQueued, createRunning, eventTypes, t0 } from './fixtures.ts';
import type { Suite } from './fixtures.ts';

const crash: JobError = { message: 'ffmpeg exited with code 1', code: '1', retryable: true, stderrTail: 'Invalid data found' };

export function finishTests(suite: Suite): void {
  describe('finishAttempt', () => {
    it('succeeded: progress 1, finishedAt, lease cleared, job.succeeded', async () => {
      const store = suite.store();
      const running = await createRunning(store);
      await store.setProgress(running.id, 0.5, at(1000));
      const job = await store.finishAttempt(running.id, 'cp-a', { state: 'succeeded' }, at(2000));
      assert.ok(job);
      assert.equal(job.state, 'succeeded');
      assert.equal(job.progress, 1);
      assert.equal(job.attempts, 1);
      assert.equal(job.finishedAt, at(2000).toISOString());
      assert.equal(job.updatedAt, at(2000).toISOString());
      assert.equal(job.leaseOwner, undefined);
      assert.equal(job.leaseExpiresAt, undefined);
      assert.deepEqual(await store.getJob(job.id), job);
      assert.deepEqual(await store.listAttempts(job.id), [
        { jobId: job.id, number: 1, startedAt: t0.toISOString(), finishedAt: at(2000).toISOString(), outcome: 'succeeded', counts: true },
      ]);
      assert.deepEqual(await eventTypes(store, job.id), ['job.queued', 'job.succeeded']);
    });

    it('failed: stores the error, the attempt counts, job.failed', async () => {
      const store = suite.store();
      const running = await createRunning(store);
      const job = await store.finishAttempt(running.id, 'cp-a', { state: 'failed', error: crash }, at(2000));
      assert.ok(job);
      assert.equal(job.state, 'failed');
      assert.deepEqual(job.error, crash);
      assert.equal(job.attempts, 1);
      assert.equal(job.finishedAt, at(2000).toISOString());
      const [attempt] = await store.listAttempts(job.id);
      assert.equal(attempt?.outcome, 'failed');
      assert.equal(attempt?.reason, crash.message);
      assert.equal(attempt?.counts, true);
      const events = await store.listEvents(job.id);
      assert.equal(events[1]?.type, 'job.failed');
      assert.deepEqual(events[1]?.data.error, crash);
    });

    it('cancelled: job.cancelled with the reason', async () => {
      const store = suite.store();
      const running = await createRunning(store);
      const job = await store.finishAttempt(running.id, 'cp-a', { state: 'cancelled', reason: 'user asked' }, at(2000));
      assert.equal(job?.state, 'cancelled');
      assert.equal(job?.finishedAt, at(2000).toISOString());
      const [attempt] = await store.listAttempts(running.id);
      assert.equal(attempt?.outcome, 'cancelled');
      assert.equal(attempt?.reason, 'user asked');
      const events = await store.listEvents(running.id);
      assert.equal(events[1]?.type, 'job.cancelled');
      assert.equal(events[1]?.data.reason, 'user asked');
    });

    for (const outcome of ['preempted', 'interrupted'] as const) {
      it(`queued (${outcome}): back in the queue, the attempt does not count`, async () => {
        const store = suite.store();
        const running = await createRunning(store);
        await store.setProgress(running.id, 0.7, at(1000));
        const job = await store.finishAttempt(running.id, 'cp-a', { state: 'queued', outcome, reason: 'urgent job', runAfter: at(5000) }, at(2000));
        assert.ok(job);
        assert.equal(job.state, 'queued');
        assert.equal(job.attempts, 0);
        assert.equal(job.progress, 0);
        assert.equal(job.runAfter, at(5000).toISOString());
        assert.equal(job.leaseOwner, undefined);
        assert.equal(job.finishedAt, undefined);
        assert.equal(job.error, undefined);
        const [attempt] = await store.listAttempts(job.id);
        assert.equal(attempt?.outcome, outcome);
        assert.equal(attempt?.counts, false);
        assert.deepEqual(await eventTypes(store, job.id), ['job.queued', 'job.requeued']);
      });
    }

    it('queued (failed): a retry that uses up the attempt and keeps the error', async () => {
      const store = suite.store();
      const running = await createRunning(store);
      const job = await store.finishAttempt(running.id, 'cp-a', { state: 'queued', outcome: 'failed', reason: 'exit 1', runAfter: at(10_000), error: crash }, at(2000));
      assert.ok(job);
      assert.equal(job.state, 'queued');
      assert.equal(job.attempts, 1);
      assert.deepEqual(job.error, crash);
      const [attempt] = await store.listAttempts(job.id);
      assert.equal(attempt?.outcome, 'failed');
      assert.equal(attempt?.counts, true);
      const requeued = (await store.listEvents(job.id))[1];
      assert.equal(requeued?.type, 'job.requeued');
      assert.equal(requeued?.data.outcome, 'failed');
    });

    it('queued while a cancel was requested: the job is cancelled instead', async () => {
      const store = suite.store();
      const running = await createRunning(store);
      await store.requestCancel(running.id, at(1000));
      const job = await store.finishAttempt(running.id, 'cp-a', { state: 'queued', outcome: 'preempted', reason: 'urgent job', runAfter: at(2000) }, at(2000));
      assert.equal(job?.state, 'cancelled');
      assert.equal((await store.listAttempts(running.id))[0]?.outcome, 'cancelled');
      assert.deepEqual(await eventTypes(store, running.id), ['job.queued', 'job.cancelled']);
    });

    it('is refused for another owner, a queued job, a finished job and an unknown job', async () => {
      const store = suite.store();
      const running = await createRunning(store, 'cp-a');
      assert.equal(await store.finishAttempt(running.id, 'cp-b', { state: 'succeeded' }, at(1000)), undefined);
      assert.deepEqual(await store.getJob(running.id), running);

      const queued = await createQueued(store);
      assert.equal(await store.finishAttempt(queued.id, 'cp-a', { state: 'failed', error: crash }, at(1000)), undefined);
      assert.deepEqual(await store.getJob(queued.id), queued);

      const done = await store.finishAttempt(running.id, 'cp-a', { state: 'succeeded' }, at(1000));
      assert.equal(await store.finishAttempt(running.id, 'cp-a', { state: 'failed', error: crash }, at(2000)), undefined);
      assert.deepEqual(await store.getJob(running.id), done);
      assert.deepEqual(await eventTypes(store, running.id), ['job.queued', 'job.succeeded']);

      assert.equal(await store.finishAttempt('01900000-0000-7000-8000-000000000000', 'cp-a', { state: 'succeeded' }, at(1000)), undefined);
    });

    it('counts attempts across retries and preemptions', async () => {
      const store = suite.store();
      const job = await createRunning(store);
      const requeue = (outcome: 'failed' | 'preempted') =>
        store.finishAttempt(job.id, 'cp-a', { state: 'queued', outcome, reason: outcome, runAfter: t0 }, t0);
      await requeue('failed');
      await store.claimNext({ owner: 'cp-a', now: t0, leaseMs: 1000 });
      await requeue('preempted');
      const third = await store.claimNext({ owner: 'cp-a', now: t0, leaseMs: 1000 });
      assert.equal(third?.attempts, 2, 'one failed attempt + the current one');
      const attempts = await store.listAttempts(job.id);
      assert.deepEqual(attempts.map((a) => [a.number, a.outcome, a.counts]), [[1, 'failed', true], [2, 'preempted', false], [3, undefined, true]]);
    });
  });
}
