// Progress, playability, cancel, priority changes and manual retries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { at, claim, createQueued, createRunning, eventTypes, t0 } from './fixtures.ts';
import type { Suite } from './fixtures.ts';

export function controlTests(suite: Suite): void {
  describe('setProgress and markPlayable', () => {
    it('records progress of a running job only, clamped to 0–1', async () => {
      const store = suite.store();
      const running = await createRunning(store);
      await store.setProgress(running.id, 0.25, at(1000));
      const job = await store.getJob(running.id);
      assert.equal(job?.progress, 0.25);
      assert.equal(job?.updatedAt, at(1000).toISOString());
      await store.setProgress(running.id, 1.5, at(2000));
      assert.equal((await store.getJob(running.id))?.progress, 1);
      const queued = await createQueued(store);
      await store.setProgress(queued.id, 0.5, at(2000));
      assert.equal((await store.getJob(queued.id))?.progress, 0);
    });

    it('keeps the first playable time', async () => {
      const store = suite.store();
      const running = await createRunning(store);
      assert.equal((await store.markPlayable(running.id, at(1000)))?.playableAt, at(1000).toISOString());
      assert.equal((await store.markPlayable(running.id, at(2000)))?.playableAt, at(1000).toISOString());
      const queued = await createQueued(store);
      assert.equal(await store.markPlayable(queued.id, at(1000)), undefined);
    });
  });

  describe('requestCancel', () => {
    it('cancels a queued job at once', async () => {
      const store = suite.store();
      const queued = await createQueued(store);
      const job = await store.requestCancel(queued.id, at(1000));
      assert.equal(job?.state, 'cancelled');
      assert.equal(job?.finishedAt, at(1000).toISOString());
      assert.deepEqual(await store.getJob(queued.id), job);
      assert.deepEqual(await eventTypes(store, queued.id), ['job.queued', 'job.cancelled']);
      assert.equal(await store.claimNext({ owner: 'cp-a', now: at(2000), leaseMs: 1000 }), undefined);
    });

    it('flags a running job for the scheduler, which then finishes it as cancelled', async () => {
      const store = suite.store();
      const running = await createRunning(store);
      const flagged = await store.requestCancel(running.id, at(1000));
      assert.equal(flagged?.state, 'running');
      assert.equal(flagged?.cancelRequested, true);
      assert.equal(flagged?.leaseOwner, 'cp-a');
      // The owner hears of it (also when the cancel came through another control plane) ...
      assert.equal(await store.renewLease(running.id, 'cp-a', at(60_000)), false);
      // ... and, still holding the lease, finishes the attempt.
      const cancelled = await store.finishAttempt(running.id, 'cp-a', { state: 'cancelled', reason: 'cancel requested' }, at(2000));
      assert.equal(cancelled?.state, 'cancelled');
      assert.deepEqual(await eventTypes(store, running.id), ['job.queued', 'job.cancelled']);
    });

    it('leaves a finished job as it is; unknown jobs give undefined', async () => {
      const store = suite.store();
      const running = await createRunning(store);
      const done = await store.finishAttempt(running.id, 'cp-a', { state: 'succeeded' }, at(1000));
      assert.deepEqual(await store.requestCancel(running.id, at(2000)), done);
      assert.deepEqual(await store.getJob(running.id), done);
      assert.equal(await store.requestCancel('01900000-0000-7000-8000-000000000000', at(2000)), undefined);
    });
  });

  describe('setPriority', () => {
    it('reorders a queued job', async () => {
      const store = suite.store();
      const first = await createQueued(store, { priority: 'normal' });
      const second = await createQueued(store, { priority: 'normal' });
      const bumped = await store.setPriority(second.id, 'urgent', at(1000));
      assert.equal(bumped?.priority, 'urgent');
      assert.equal(bumped?.updatedAt, at(1000).toISOString());
      assert.equal((await claim(store)).id, second.id);
      assert.equal((await claim(store)).id, first.id);
    });

    it('refuses jobs that are not queued', async () => {
      const store = suite.store();
      const running = await createRunning(store);
      assert.equal(await store.setPriority(running.id, 'low', at(1000)), undefined);
      assert.equal((await store.getJob(running.id))?.priority, 'normal');
      assert.equal(await store.setPriority('01900000-0000-7000-8000-000000000000', 'low', at(1000)), undefined);
    });
  });

  describe('retry', () => {
    it('requeues a failed job with a fresh attempt budget', async () => {
      const store = suite.store();
      const running = await createRunning(store);
      const error = { message: 'boom', code: 'crashed', retryable: false };
      await store.finishAttempt(running.id, 'cp-a', { state: 'failed', error }, at(1000));
      const job = await store.retry(running.id, at(2000));
      assert.ok(job);
      assert.equal(job.state, 'queued');
      assert.equal(job.attempts, 0);
      assert.equal(job.error, undefined);
      assert.equal(job.finishedAt, undefined);
      assert.equal(job.cancelRequested, false);
      assert.deepEqual(await eventTypes(store, job.id), ['job.queued', 'job.failed', 'job.retried']);
      const again = await claim(store, 'cp-a', at(3000));
      assert.equal(again.attempts, 1);
      assert.deepEqual((await store.listAttempts(job.id)).map((a) => a.number), [1, 2]);
    });

    it('requeues a cancelled job and clears the cancel request', async () => {
      const store = suite.store();
      const running = await createRunning(store);
      await store.requestCancel(running.id, at(1000));
      await store.finishAttempt(running.id, 'cp-a', { state: 'cancelled', reason: 'asked' }, at(2000));
      const job = await store.retry(running.id, at(3000));
      assert.equal(job?.state, 'queued');
      assert.equal(job?.cancelRequested, false);
    });

    it('refuses queued, running and succeeded jobs', async () => {
      const store = suite.store();
      const queued = await createQueued(store);
      assert.equal(await store.retry(queued.id, t0), undefined);
      const running = await claim(store);
      assert.equal(await store.retry(running.id, t0), undefined);
      await store.finishAttempt(running.id, 'cp-a', { state: 'succeeded' }, t0);
      assert.equal(await store.retry(running.id, t0), undefined);
      assert.equal((await store.getJob(running.id))?.state, 'succeeded');
      assert.equal(await store.retry('01900000-0000-7000-8000-000000000000', t0), undefined);
    });
  });
}
