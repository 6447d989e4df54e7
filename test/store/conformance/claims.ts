// Claiming in queue order, concurrent claimers, leases and their expiry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job } from '../../../src/jobs/job.ts';
import type { Store } from '../../../src/store/store.ts';
import { at, claim, createQueued, createRunning, eventTypes, leaseMs, t0 } from './fixtures.ts';
import type { Suite } from './fixtures.ts';

export function claimTests(suite: Suite): void {
  describe('claimNext', () => {
    it('takes urgent before high before normal before low, FIFO within one', async () => {
      const store = suite.store();
      const low = await createQueued(store, { priority: 'low' });
      const normal1 = await createQueued(store, { priority: 'normal' });
      const urgent1 = await createQueued(store, { priority: 'urgent' });
      const high = await createQueued(store, { priority: 'high' });
      const normal2 = await createQueued(store, { priority: 'normal' });
      const urgent2 = await createQueued(store, { priority: 'urgent' });
      const order: string[] = [];
      for (let job = await store.claimNext({ owner: 'cp-a', now: t0, leaseMs }); job; job = await store.claimNext({ owner: 'cp-a', now: t0, leaseMs })) {
        order.push(job.id);
      }
      assert.deepEqual(order, [urgent1.id, urgent2.id, high.id, normal1.id, normal2.id, low.id]);
    });

    it('marks the job running under a lease and opens a counted attempt', async () => {
      const store = suite.store();
      const queued = await createQueued(store);
      const now = at(5000);
      const job = await store.claimNext({ owner: 'cp-a', now, leaseMs });
      assert.ok(job);
      assert.equal(job.id, queued.id);
      assert.equal(job.state, 'running');
      assert.equal(job.attempts, 1);
      assert.equal(job.leaseOwner, 'cp-a');
      assert.equal(job.leaseExpiresAt, at(5000 + leaseMs).toISOString());
      assert.equal(job.startedAt, now.toISOString());
      assert.equal(job.updatedAt, now.toISOString());
      assert.deepEqual(await store.getJob(job.id), job);
      assert.deepEqual(await store.listAttempts(job.id), [{ jobId: job.id, number: 1, startedAt: now.toISOString(), counts: true }]);
    });

    it('returns undefined when nothing is queued', async () => {
      const store = suite.store();
      assert.equal(await store.claimNext({ owner: 'cp-a', now: t0, leaseMs }), undefined);
      await createRunning(store);
      assert.equal(await store.claimNext({ owner: 'cp-a', now: t0, leaseMs }), undefined);
    });

    it('skips a job whose runAfter is still in the future', async () => {
      const store = suite.store();
      const backingOff = await createRunning(store, 'cp-a', { priority: 'urgent' });
      await store.finishAttempt(backingOff.id, 'cp-a', { state: 'queued', outcome: 'failed', reason: 'exit 1', runAfter: at(60_000) }, t0);
      const other = await createQueued(store, { priority: 'low' });
      assert.equal((await claim(store, 'cp-a', at(1000))).id, other.id);
      assert.equal(await store.claimNext({ owner: 'cp-a', now: at(59_999), leaseMs }), undefined);
      const retried = await claim(store, 'cp-a', at(60_000));
      assert.equal(retried.id, backingOff.id);
      assert.equal(retried.attempts, 2);
      assert.equal(retried.runAfter, undefined);
      assert.deepEqual((await store.listAttempts(retried.id)).map((a) => a.number), [1, 2]);
    });

    it('never hands one job to two concurrent claimers', async () => {
      const store = suite.store();
      const other = await suite.another();
      const created: Job[] = [];
      for (let i = 0; i < 20; i++) created.push(await createQueued(store));
      const claimers: [Store, string][] = [[store, 'cp-a'], [other, 'cp-b']];
      const results = await Promise.all(
        claimers.flatMap(([s, owner]) => Array.from({ length: 15 }, () => s.claimNext({ owner, now: t0, leaseMs }))),
      );
      const claimed = results.filter((job): job is Job => job !== undefined).map((job) => job.id);
      assert.equal(new Set(claimed).size, claimed.length, 'a job was claimed twice');
      // A claimer may find every remaining row locked by the other and get nothing: drain the rest.
      for (let job = await store.claimNext({ owner: 'cp-a', now: t0, leaseMs }); job; job = await store.claimNext({ owner: 'cp-a', now: t0, leaseMs })) {
        claimed.push(job.id);
      }
      assert.deepEqual([...claimed].sort(), created.map((job) => job.id).sort());
      for (const job of created) assert.equal((await store.listAttempts(job.id)).length, 1);
    });
  });

  describe('renewLease', () => {
    it('extends the lease for its owner only', async () => {
      const store = suite.store();
      const job = await createRunning(store, 'cp-a');
      assert.equal(await store.renewLease(job.id, 'cp-a', at(90_000)), true);
      assert.equal((await store.getJob(job.id))?.leaseExpiresAt, at(90_000).toISOString());
      assert.equal(await store.renewLease(job.id, 'cp-b', at(120_000)), false);
      assert.equal((await store.getJob(job.id))?.leaseExpiresAt, at(90_000).toISOString());
      assert.equal(await store.renewLease('01900000-0000-7000-8000-000000000000', 'cp-a', at(120_000)), false);
    });

    it('refuses once the job is no longer running under that lease', async () => {
      const store = suite.store();
      const job = await createRunning(store, 'cp-a');
      await store.finishAttempt(job.id, 'cp-a', { state: 'succeeded' }, t0);
      assert.equal(await store.renewLease(job.id, 'cp-a', at(90_000)), false);
    });
  });

  describe('requeueExpired', () => {
    it('puts running jobs with a lapsed lease back in the queue without using up an attempt', async () => {
      const store = suite.store();
      const stale = await createRunning(store, 'cp-dead');
      const fresh = await createRunning(store, 'cp-alive');
      await store.renewLease(fresh.id, 'cp-alive', at(10 * leaseMs));
      await store.setProgress(stale.id, 0.4, at(1000));
      const now = at(leaseMs);
      const requeued = await store.requeueExpired(now);
      assert.deepEqual(requeued.map((job) => job.id), [stale.id]);
      const job = requeued[0];
      assert.ok(job);
      assert.equal(job.state, 'queued');
      assert.equal(job.attempts, 0);
      assert.equal(job.progress, 0);
      assert.equal(job.leaseOwner, undefined);
      assert.equal(job.leaseExpiresAt, undefined);
      assert.deepEqual(await store.getJob(stale.id), job);
      const [attempt] = await store.listAttempts(stale.id);
      assert.equal(attempt?.outcome, 'interrupted');
      assert.equal(attempt?.counts, false);
      assert.equal(attempt?.finishedAt, now.toISOString());
      assert.deepEqual(await eventTypes(store, stale.id), ['job.queued', 'job.requeued']);
      assert.equal((await store.getJob(fresh.id))?.state, 'running');
      // The dead control plane cannot finish it any more; the next claim is attempt 2.
      assert.equal(await store.finishAttempt(stale.id, 'cp-dead', { state: 'succeeded' }, now), undefined);
      const again = await claim(store, 'cp-alive', now);
      assert.equal(again.id, stale.id);
      assert.equal(again.attempts, 1);
      assert.deepEqual((await store.listAttempts(stale.id)).map((a) => [a.number, a.counts]), [[1, false], [2, true]]);
      assert.deepEqual(await store.requeueExpired(now), []);
    });
  });
}
