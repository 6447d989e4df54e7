// The per-job event log.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { at, createQueued, t0 } from './fixtures.ts';
import type { Suite } from './fixtures.ts';

export function eventTests(suite: Suite): void {
  describe('events', () => {
    it('appends in order, per job, and lists after an id', async () => {
      const store = suite.store();
      const a = await createQueued(store);
      const b = await createQueued(store);
      const progress = await store.appendEvent(a.id, 'job.progress', { progress: 0.5, stage: 'encode' }, at(1000));
      assert.equal(progress.jobId, a.id);
      assert.equal(progress.type, 'job.progress');
      assert.equal(progress.at, at(1000).toISOString());
      assert.deepEqual(progress.data, { progress: 0.5, stage: 'encode' });
      await store.appendEvent(b.id, 'job.progress', { progress: 0.1 }, at(1500));
      const playable = await store.appendEvent(a.id, 'asset.playable', { url: '/media/x/master.m3u8' }, at(2000));
      assert.ok(playable.id > progress.id);

      const all = await store.listEvents(a.id);
      assert.deepEqual(all.map((e) => e.type), ['job.queued', 'job.progress', 'asset.playable']);
      assert.deepEqual(all[1], progress);
      assert.deepEqual(all[2], playable);
      assert.deepEqual(await store.listEvents(a.id, progress.id), [playable]);
      assert.deepEqual(await store.listEvents(a.id, playable.id), []);
      assert.deepEqual((await store.listEvents(b.id)).map((e) => e.type), ['job.queued', 'job.progress']);
      assert.deepEqual(await store.listEvents('01900000-0000-7000-8000-000000000000'), []);
      assert.equal(all[0]?.at, t0.toISOString());
    });
  });
}
