// JobCommands against a real SQLite store: each command changes the store, announces the change
// and wakes the scheduler, or refuses in words, without touching anything.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { JobCommands } from '../../src/jobs/job-commands.ts';
import { JobEvents, type JobChange } from '../../src/jobs/job-events.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { makeTemp } from '../helpers/serve.ts';

describe('JobCommands', () => {
  let dir: string;
  let store: Store;
  const changes: JobChange[] = [];
  const scheduler = { kicks: 0, cancelled: [] as string[], kick() { this.kicks++; }, async cancel(id: string) { this.cancelled.push(id); } };
  let commands: JobCommands;

  before(async () => {
    dir = await makeTemp('live2vod-commands-');
    store = await openSqliteStore(path.join(dir, 'live2vod.db'));
    const events = new JobEvents();
    events.subscribe((change) => changes.push(change));
    commands = new JobCommands({ store, events, scheduler });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const queued = async (key: string) => (await store.createJob({ idempotencyKey: key, source: `s3://b/${key}.mp4`, sourceKind: 'api', priority: 'normal', metadata: {}, maxAttempts: 3 }, new Date())).job;

  it('changes the priority of a queued job, announces it and wakes the scheduler', async () => {
    const job = await queued('priority');
    const kicks = scheduler.kicks;
    const outcome = await commands.setPriority(job.id, 'urgent');
    assert.ok(outcome.ok);
    assert.equal(outcome.job.priority, 'urgent');
    assert.equal((await store.getJob(job.id))?.priority, 'urgent');
    assert.equal(changes.at(-1)?.type, 'job.updated');
    assert.equal(scheduler.kicks, kicks + 1);
  });

  it('cancels a queued job at once (no worker to stop), then refuses to cancel it again or change its priority', async () => {
    const job = await queued('cancel');
    const outcome = await commands.cancel(job.id);
    assert.ok(outcome.ok);
    assert.equal(outcome.job.state, 'cancelled');
    assert.equal(changes.at(-1)?.type, 'job.cancelled');
    assert.deepEqual(scheduler.cancelled, []);
    assert.deepEqual(await commands.cancel(job.id), { ok: false, refusal: 'not_cancellable', message: 'the job is already cancelled' });
    assert.deepEqual(await commands.setPriority(job.id, 'low'), { ok: false, refusal: 'not_queued', message: 'the priority can only change while the job is queued; it is cancelled' });
  });

  it('retries a cancelled job, and refuses a queued one', async () => {
    const job = await queued('retry');
    await commands.cancel(job.id);
    const kicks = scheduler.kicks;
    const outcome = await commands.retry(job.id);
    assert.ok(outcome.ok);
    assert.equal(outcome.job.state, 'queued');
    assert.equal(changes.at(-1)?.type, 'job.queued');
    assert.equal(scheduler.kicks, kicks + 1);
    assert.deepEqual(await commands.retry(job.id), { ok: false, refusal: 'not_retryable', message: 'a queued job cannot be retried; only failed or cancelled jobs can' });
  });

  it('names a job that does not exist, changing nothing', async () => {
    const before = changes.length;
    for (const outcome of [await commands.cancel('nope'), await commands.retry('nope'), await commands.setPriority('nope', 'high')]) {
      assert.deepEqual(outcome, { ok: false, refusal: 'not_found', message: 'no job nope' });
    }
    assert.equal(changes.length, before);
  });
});
