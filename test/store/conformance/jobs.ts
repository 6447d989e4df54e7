// Migrations, creating jobs (idempotency), reading, listing and counting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job } from '../../../src/jobs/job.ts';
import { at, claim, createQueued, eventTypes, newJob, t0 } from './fixtures.ts';
import type { Suite } from './fixtures.ts';

export function jobTests(suite: Suite): void {
  describe('migrate', () => {
    it('is idempotent: migrating again (also twice at once) keeps the data', async () => {
      const store = suite.store();
      const job = await createQueued(store);
      await store.migrate();
      await Promise.all([store.migrate(), (await suite.another()).migrate()]);
      assert.deepEqual(await store.getJob(job.id), job);
      assert.equal((await store.listJobs({ limit: 10 })).items.length, 1);
    });
  });

  describe('createJob', () => {
    it('queues a job with its defaults and a job.queued event', async () => {
      const store = suite.store();
      const input = newJob({ priority: 'high', sourceKind: 's3', metadata: { bucket: 'rec', etag: '"abc"' }, sourceFacts: { durationSeconds: 3630.5, bytes: 2_700_000_000, codecs: { video: 'h264' } }, maxAttempts: 5 });
      const { job, created } = await store.createJob(input, t0);
      assert.equal(created, true);
      assert.match(job.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.deepEqual(job, {
        id: job.id,
        seq: job.seq,
        kind: 'transcode',
        idempotencyKey: input.idempotencyKey,
        source: input.source,
        sourceKind: 's3',
        priority: 'high',
        state: 'queued',
        progress: 0,
        attempts: 0,
        maxAttempts: 5,
        outputPrefix: `assets/${job.id}`,
        metadata: { bucket: 'rec', etag: '"abc"' },
        sourceFacts: { durationSeconds: 3630.5, bytes: 2_700_000_000, codecs: { video: 'h264' } },
        cancelRequested: false,
        createdAt: t0.toISOString(),
        updatedAt: t0.toISOString(),
      });
      assert.deepEqual(await store.getJob(job.id), job);
      const events = await store.listEvents(job.id);
      assert.equal(events.length, 1);
      assert.equal(events[0]?.type, 'job.queued');
      assert.equal(events[0]?.at, t0.toISOString());
    });

    it('keeps a clip\'s kind, parent and range (with and without a title)', async () => {
      const store = suite.store();
      const parent = await createQueued(store);
      const titled = (await store.createJob(newJob({ kind: 'clip', parentJobId: parent.id, clip: { start: 12.5, end: 42.033, title: 'The announcement' } }), t0)).job;
      const plain = (await store.createJob(newJob({ kind: 'clip', parentJobId: parent.id, clip: { start: 0, end: 1 } }), t0)).job;
      assert.equal(titled.kind, 'clip');
      assert.equal(titled.parentJobId, parent.id);
      assert.deepEqual(titled.clip, { start: 12.5, end: 42.033, title: 'The announcement' });
      assert.deepEqual(plain.clip, { start: 0, end: 1 });
      assert.equal('title' in (plain.clip ?? {}), false);
      assert.deepEqual(await store.getJob(titled.id), titled);
      assert.deepEqual((await store.listJobs({ limit: 10 })).items.find((j) => j.id === plain.id), plain);
      // A transcode has neither.
      assert.equal(parent.kind, 'transcode');
      assert.equal('parentJobId' in parent || 'clip' in parent, false);
    });

    it('keeps the trim asked for ("auto" or a range); none is no trim', async () => {
      const store = suite.store();
      const auto = (await store.createJob(newJob({ idempotencyKey: 'trim-auto', trim: 'auto' }), t0)).job;
      const range = (await store.createJob(newJob({ idempotencyKey: 'trim-range', trim: { start: 14.5, end: 50.25 } }), t0)).job;
      const none = (await store.createJob(newJob({ idempotencyKey: 'trim-none', trim: 'none' }), t0)).job;
      assert.equal(auto.trim, 'auto');
      assert.deepEqual(range.trim, { start: 14.5, end: 50.25 });
      assert.equal('trim' in none, false);
      assert.deepEqual(await store.getJob(auto.id), auto);
      assert.deepEqual(await store.getJob(range.id), range);
      const listed = (await store.listJobs({ limit: 10 })).items;
      assert.deepEqual(listed.find((j) => j.id === range.id), range);
      assert.deepEqual(listed.find((j) => j.id === none.id), none);
    });

    it('lists the clips of one parent', async () => {
      const store = suite.store();
      const parent = await createQueued(store);
      const other = (await store.createJob(newJob({ idempotencyKey: 'other-parent' }), t0)).job;
      const clip = (await store.createJob(newJob({ idempotencyKey: 'clip-1', kind: 'clip', parentJobId: parent.id, clip: { start: 0, end: 5 } }), t0)).job;
      await store.createJob(newJob({ idempotencyKey: 'clip-2', kind: 'clip', parentJobId: other.id, clip: { start: 0, end: 5 } }), t0);
      assert.deepEqual((await store.listJobs({ limit: 10, parentJobId: parent.id })).items.map((j) => j.id), [clip.id]);
      assert.equal((await store.listJobs({ limit: 10, parentJobId: 'no-such-job' })).items.length, 0);
      assert.equal((await store.listJobs({ limit: 10 })).items.length, 4);
    });

    it('returns the existing job for a duplicate idempotency key, without a second event', async () => {
      const store = suite.store();
      const input = newJob();
      const first = await store.createJob(input, t0);
      const again = await store.createJob({ ...input, priority: 'urgent', source: 'file:///other.flv' }, at(1000));
      assert.equal(again.created, false);
      assert.deepEqual(again.job, first.job);
      assert.deepEqual(await eventTypes(store, first.job.id), ['job.queued']);
    });

    it('creates exactly one job when 100 requests race with the same key', async () => {
      const store = suite.store();
      const other = await suite.another();
      const input = newJob();
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? other : store).createJob(input, t0)));
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.equal(new Set(results.map((r) => r.job.id)).size, 1);
      assert.equal((await store.listJobs({ limit: 10 })).items.length, 1);
      assert.deepEqual(await eventTypes(store, results[0]?.job.id ?? ''), ['job.queued']);
    });

    it('handles a burst of creates with repeated keys: one job and one event per key', async () => {
      const store = suite.store();
      const other = await suite.another();
      const inputs = Array.from({ length: 50 }, () => newJob());
      const calls = Array.from({ length: 200 }, (_, i) => {
        const input = inputs[i % 50];
        assert.ok(input);
        return (i % 3 ? store : other).createJob(input, t0);
      });
      const results = await Promise.all(calls);
      assert.equal(results.filter((r) => r.created).length, 50);
      for (const input of inputs) {
        const forKey = results.filter((r) => r.job.idempotencyKey === input.idempotencyKey);
        assert.equal(forKey.length, 4);
        assert.equal(new Set(forKey.map((r) => r.job.id)).size, 1);
        assert.equal(forKey[0]?.job.source, input.source);
      }
      const jobs = (await store.listJobs({ limit: 100 })).items;
      assert.equal(jobs.length, 50);
      for (const job of jobs) assert.deepEqual(await eventTypes(store, job.id), ['job.queued']);
    });

    it('numbers jobs in insertion order', async () => {
      const store = suite.store();
      const a = await createQueued(store);
      const b = await createQueued(store);
      assert.ok(b.seq > a.seq);
    });
  });

  describe('getJob', () => {
    it('returns undefined for an unknown id', async () => {
      assert.equal(await suite.store().getJob('not-a-job-id'), undefined);
      assert.equal(await suite.store().getJob('01900000-0000-7000-8000-000000000000'), undefined);
    });
  });

  describe('listJobs', () => {
    async function seed(): Promise<Job[]> {
      const store = suite.store();
      const jobs = [
        await createQueued(store, { priority: 'low', sourceKind: 'srs' }),
        await createQueued(store, { priority: 'urgent', sourceKind: 'nginx-rtmp' }),
        await createQueued(store, { priority: 'normal', sourceKind: 's3' }),
        await createQueued(store, { priority: 'high', sourceKind: 'srs' }),
        await createQueued(store, { priority: 'normal', sourceKind: 'api' }),
        await createQueued(store, { priority: 'normal', sourceKind: 'srs' }),
        await createQueued(store, { priority: 'low', sourceKind: 'watch' }),
      ];
      await claim(store); // the urgent one
      return jobs;
    }
    const ids = (jobs: readonly Job[]) => jobs.map((job) => job.id);

    it('lists newest first and pages with the cursor', async () => {
      const jobs = await seed();
      const store = suite.store();
      const newestFirst = ids([...jobs].reverse());
      const page1 = await store.listJobs({ limit: 3 });
      assert.deepEqual(ids(page1.items), newestFirst.slice(0, 3));
      assert.equal(page1.nextCursor, page1.items[2]?.seq);
      const page2 = await store.listJobs({ limit: 3, before: page1.nextCursor });
      assert.deepEqual(ids(page2.items), newestFirst.slice(3, 6));
      const page3 = await store.listJobs({ limit: 3, before: page2.nextCursor });
      assert.deepEqual(ids(page3.items), newestFirst.slice(6));
      assert.equal(page3.nextCursor, undefined);
      const exact = await store.listJobs({ limit: 7 });
      assert.equal(exact.items.length, 7);
      assert.equal(exact.nextCursor, undefined, 'no cursor when nothing follows');
    });

    it('filters by state, priority and source kind (empty lists filter nothing)', async () => {
      const jobs = await seed();
      const store = suite.store();
      const pick = (...indexes: number[]) => indexes.map((i) => jobs[i]?.id).reverse();
      assert.deepEqual(ids((await store.listJobs({ limit: 10, states: ['running'] })).items), pick(1));
      assert.deepEqual(ids((await store.listJobs({ limit: 10, states: ['queued', 'running'], priorities: ['urgent', 'low'] })).items), pick(0, 1, 6));
      assert.deepEqual(ids((await store.listJobs({ limit: 10, sourceKinds: ['srs'] })).items), pick(0, 3, 5));
      assert.deepEqual(ids((await store.listJobs({ limit: 10, sourceKinds: ['srs'], priorities: ['normal'] })).items), pick(5));
      assert.deepEqual(ids((await store.listJobs({ limit: 10, states: ['failed'] })).items), []);
      assert.equal((await store.listJobs({ limit: 10, states: [], priorities: [], sourceKinds: [] })).items.length, 7);
      const page = await store.listJobs({ limit: 2, sourceKinds: ['srs'] });
      assert.deepEqual(ids(page.items), pick(3, 5));
      assert.deepEqual(ids((await store.listJobs({ limit: 2, sourceKinds: ['srs'], before: page.nextCursor })).items), pick(0));
    });

    it('filters uploads in or out by the upload their metadata names', async () => {
      const store = suite.store();
      const upload = await createQueued(store, { sourceKind: 'api', metadata: { upload: 'keynote.mp4' } });
      const other = await createQueued(store, { sourceKind: 'api', metadata: { stream: 'keynote' } });
      assert.deepEqual(ids((await store.listJobs({ limit: 10, uploads: true })).items), [upload.id]);
      assert.deepEqual(ids((await store.listJobs({ limit: 10, uploads: false })).items), [other.id]);
      assert.deepEqual(ids((await store.listJobs({ limit: 10, uploads: true, sourceKinds: ['watch'] })).items), []);
      assert.equal((await store.listJobs({ limit: 10 })).items.length, 2);
    });
  });

  describe('countByStateAndPriority', () => {
    it('counts queued and running jobs per priority, zeros included', async () => {
      const store = suite.store();
      await createQueued(store, { priority: 'urgent' });
      await createQueued(store, { priority: 'normal' });
      await createQueued(store, { priority: 'normal' });
      await createQueued(store, { priority: 'low' });
      const running = await claim(store); // urgent
      await store.finishAttempt(running.id, 'cp-a', { state: 'succeeded' }, t0);
      await claim(store); // normal
      const counts = await store.countByStateAndPriority();
      const count = (state: string, priority: string) => counts.find((c) => c.state === state && c.priority === priority)?.count;
      assert.equal(counts.length, 8);
      assert.equal(count('queued', 'urgent'), 0);
      assert.equal(count('queued', 'high'), 0);
      assert.equal(count('queued', 'normal'), 1);
      assert.equal(count('queued', 'low'), 1);
      assert.equal(count('running', 'normal'), 1);
      assert.equal(count('running', 'urgent'), 0);
      assert.ok(counts.every((c) => c.state === 'queued' || c.state === 'running'));
    });
  });
}
