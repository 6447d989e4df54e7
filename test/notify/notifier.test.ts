// Notifier: one durable delivery per subscribed endpoint, stored before publish() resolves;
// job.progress throttled per job in memory.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EndpointConfig } from '../../src/notify/endpoints.ts';
import { parseEndpoints } from '../../src/notify/endpoints.ts';
import { buildPayload } from '../../src/notify/events.ts';
import { Notifier } from '../../src/notify/notifier.ts';
import type { DeliveryRecord } from '../../src/store/store.ts';
import { FakeDeliveryStore } from './fake-delivery-store.ts';
import { makeJob, TestClock, testSecret } from './helpers.ts';

const endpoints: EndpointConfig[] = parseEndpoints([
  { url: 'https://all.example/hooks', secret: testSecret },
  { url: 'https://ready-only.example/hooks', secret: testSecret, events: ['asset.ready', 'job.failed'] },
]);

function setup(options: { progressIntervalMs?: number } = {}) {
  const store = new FakeDeliveryStore();
  const clock = new TestClock();
  const enqueued: (readonly DeliveryRecord[])[] = [];
  const notifier = new Notifier({ store, endpoints, now: clock.now, onEnqueued: (d) => enqueued.push(d), ...options });
  const progress = (value: number, jobId = 'job_01') => notifier.publish('job.progress', buildPayload('job.progress', makeJob({ id: jobId, progress: value }), { now: clock.now() }));
  return { store, clock, notifier, enqueued, progress };
}

describe('Notifier.publish', () => {
  test('stores one delivery per subscribed endpoint before resolving, with the exact body', async () => {
    const { store, clock, notifier, enqueued } = setup();
    const payload = buildPayload('asset.ready', makeJob({ state: 'succeeded', progress: 1 }), { now: clock.now(), playableUrl: 'https://cdn.example/m.m3u8' });
    const stored = await notifier.publish('asset.ready', payload);

    assert.equal(store.records.length, 2, 'durable as soon as publish resolves');
    assert.deepEqual(stored.map((d) => d.endpoint), ['https://all.example/hooks', 'https://ready-only.example/hooks']);
    for (const d of store.records) {
      assert.equal(d.eventType, 'asset.ready');
      assert.equal(d.payload, JSON.stringify(payload));
      assert.deepEqual(JSON.parse(d.payload), payload);
      assert.match(d.messageId, /^msg_[0-9a-f]{24}$/);
      assert.equal(d.state, 'pending');
      assert.equal(d.createdAt, clock.now().toISOString());
      assert.equal(d.nextAttemptAt, clock.now().toISOString(), 'due at once');
    }
    assert.notEqual(store.records[0]?.messageId, store.records[1]?.messageId);
    assert.equal(enqueued.length, 1);
    assert.equal(enqueued[0]?.length, 2);
  });

  test('an endpoint only gets the events it subscribed to', async () => {
    const { store, clock, notifier, enqueued } = setup();
    await notifier.publish('job.started', buildPayload('job.started', makeJob(), { now: clock.now() }));
    assert.deepEqual(store.records.map((d) => d.endpoint), ['https://all.example/hooks']);
    await notifier.publish('job.failed', buildPayload('job.failed', makeJob({ state: 'failed' }), { now: clock.now() }));
    assert.deepEqual(store.records.map((d) => `${d.eventType} → ${d.endpoint}`), [
      'job.started → https://all.example/hooks',
      'job.failed → https://all.example/hooks',
      'job.failed → https://ready-only.example/hooks',
    ]);
    assert.equal(enqueued.length, 2);
  });

  test('no subscribed endpoint: nothing stored, no callback', async () => {
    const store = new FakeDeliveryStore();
    let called = false;
    const notifier = new Notifier({ store, endpoints: parseEndpoints([{ url: 'https://a.example', secret: testSecret, events: ['asset.ready'] }]), onEnqueued: () => (called = true) });
    assert.deepEqual(await notifier.publish('job.queued', buildPayload('job.queued', makeJob({ state: 'queued' }))), []);
    assert.equal(store.records.length, 0);
    assert.equal(called, false);
  });

  test('refuses a payload built for another type', async () => {
    const { notifier } = setup();
    await assert.rejects(notifier.publish('asset.ready', buildPayload('job.failed', makeJob())), /payload is for job.failed, published as asset.ready/);
  });

  test('a store failure rejects publish (the caller learns it was not stored)', async () => {
    const store = new FakeDeliveryStore();
    store.enqueueDelivery = async () => {
      throw new Error('disk full');
    };
    const notifier = new Notifier({ store, endpoints });
    await assert.rejects(notifier.publish('job.queued', buildPayload('job.queued', makeJob())), /disk full/);
  });
});

describe('job.progress throttling', () => {
  const progressCount = (store: FakeDeliveryStore) => store.records.filter((d) => d.eventType === 'job.progress').length;

  test('at most one per job per 10 s', async () => {
    const { store, clock, progress } = setup();
    assert.equal((await progress(0.1)).length, 1);
    clock.advance(4_000);
    assert.deepEqual(await progress(0.2), [], 'throttled');
    clock.advance(5_999);
    assert.deepEqual(await progress(0.3), [], 'still throttled at 9.999 s');
    clock.advance(1);
    assert.equal((await progress(0.4)).length, 1, 'let through at 10 s');
    assert.equal(progressCount(store), 2);
    assert.deepEqual(store.records.map((d) => JSON.parse(d.payload).data.progress), [0.1, 0.4]);
  });

  test('progress 1 always goes through', async () => {
    const { store, clock, progress } = setup();
    await progress(0.9);
    clock.advance(100);
    assert.equal((await progress(1)).length, 1);
    assert.equal(progressCount(store), 2);
  });

  test('per job', async () => {
    const { store, progress } = setup();
    await progress(0.1, 'job_a');
    await progress(0.1, 'job_b');
    await progress(0.2, 'job_a');
    assert.deepEqual(store.records.map((d) => JSON.parse(d.payload).data.jobId), ['job_a', 'job_b']);
  });

  test('only progress is throttled', async () => {
    const { store, clock, notifier, progress } = setup();
    await progress(0.1);
    for (const type of ['job.started', 'asset.playable', 'job.started'] as const) {
      await notifier.publish(type, buildPayload(type, makeJob(), { now: clock.now() }));
    }
    assert.equal(store.records.length, 4);
  });

  test('concurrent progress publishes for one job: one gets through', async () => {
    const { store, progress } = setup();
    const results = await Promise.all([progress(0.1), progress(0.11), progress(0.12)]);
    assert.deepEqual(results.map((r) => r.length), [1, 0, 0]);
    assert.equal(progressCount(store), 1);
  });

  test('the interval is configurable', async () => {
    const { store, clock, progress } = setup({ progressIntervalMs: 1_000 });
    await progress(0.1);
    clock.advance(1_000);
    await progress(0.2);
    assert.equal(progressCount(store), 2);
  });

  test('a failed store write does not count against the throttle', async () => {
    const { store, progress } = setup();
    const real = store.enqueueDelivery.bind(store);
    store.enqueueDelivery = async () => {
      throw new Error('busy');
    };
    await assert.rejects(progress(0.1), /busy/);
    store.enqueueDelivery = real;
    assert.equal((await progress(0.1)).length, 1);
  });

  test('a terminal event resets the job’s throttle', async () => {
    const { store, clock, notifier, progress } = setup();
    await progress(0.5);
    await notifier.publish('job.failed', buildPayload('job.failed', makeJob({ state: 'failed' }), { now: clock.now() }));
    // After a manual retry the job starts over; its first progress is not held back.
    assert.equal((await progress(0.05)).length, 1);
    assert.equal(progressCount(store), 2);
  });
});
