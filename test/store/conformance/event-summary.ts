// The event summary of a succeeded job (suggested trim, chapter count): kept by a success, shown
// on every read, replaced when the chapters are edited, and only on a succeeded job.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobEventSummary } from '../../../src/jobs/event-summary.ts';
import { at, createQueued, createRunning } from './fixtures.ts';
import type { Suite } from './fixtures.ts';

const summary: JobEventSummary = {
  suggestedTrim: { start: 15.25, end: 50, why: ['black picture and silence from the start to 15.25 s', 'still picture and silence from 50.00 s to the end'] },
  chapterCount: 3,
};

export function eventSummaryTests(suite: Suite): void {
  describe('event summary', () => {
    it('a success with an event keeps it; every read shows it', async () => {
      const store = suite.store();
      const running = await createRunning(store);
      assert.equal(running.eventSummary, undefined);
      const job = await store.finishAttempt(running.id, 'cp-a', { state: 'succeeded', event: summary }, at(2000));
      assert.deepEqual(job?.eventSummary, summary);
      assert.deepEqual((await store.getJob(running.id))?.eventSummary, summary);
      const listed = (await store.listJobs({ limit: 10 })).items.find((j) => j.id === running.id);
      assert.deepEqual(listed?.eventSummary, summary);
    });

    it('a success without one, and a failure, leave none', async () => {
      const store = suite.store();
      const plain = await createRunning(store);
      assert.equal((await store.finishAttempt(plain.id, 'cp-a', { state: 'succeeded' }, at(1000)))?.eventSummary, undefined);
      const failing = await createRunning(store);
      const failed = await store.finishAttempt(failing.id, 'cp-a', { state: 'failed', error: { message: 'no', code: '1', retryable: false } }, at(1000));
      assert.equal(failed?.state, 'failed');
      assert.equal(failed?.eventSummary, undefined);
    });

    it('setEventSummary replaces a succeeded job\'s summary (an edit of its chapters) and moves updatedAt', async () => {
      const store = suite.store();
      const running = await createRunning(store);
      await store.finishAttempt(running.id, 'cp-a', { state: 'succeeded', event: summary }, at(2000));
      const edited: JobEventSummary = { ...summary, chapterCount: 5 };
      const job = await store.setEventSummary(running.id, edited, at(3000));
      assert.deepEqual(job?.eventSummary, edited);
      assert.equal(job?.updatedAt, at(3000).toISOString());
      assert.equal(job?.state, 'succeeded');
      assert.deepEqual((await store.getJob(running.id))?.eventSummary, edited);
    });

    it('setEventSummary refuses a job that has not succeeded, and an unknown one', async () => {
      const store = suite.store();
      const queued = await createQueued(store);
      assert.equal(await store.setEventSummary(queued.id, summary, at(1000)), undefined);
      assert.equal((await store.getJob(queued.id))?.eventSummary, undefined);
      assert.equal(await store.setEventSummary('no-such-job', summary, at(1000)), undefined);
    });
  });
}
