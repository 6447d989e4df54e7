// A notification receiver down for 10 minutes (connection refused for the first 5, 503 for the
// next 5), with the real delivery schedule (5 s doubling, ±20 % jitter; src/notify/backoff.ts) on
// a clock the test moves, a real SQLite store, the real Notifier and DeliveryWorker and a real
// HTTP receiver: every event, published before or during the outage, is delivered once it is
// back, signed (checked independently of src/), exactly once per delivery id, and each delivery
// kept its id across all its failed attempts.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildPayload, type EventType } from '../../src/notify/events.ts';
import { DeliveryWorker } from '../../src/notify/delivery-worker.ts';
import { parseEndpoints } from '../../src/notify/endpoints.ts';
import { Notifier } from '../../src/notify/notifier.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { makeTemp } from '../helpers/serve.ts';
import { makeJob, Receiver, sleep, TestClock, testSecret, waitFor } from '../notify/helpers.ts';

const stepMs = 5_000;

describe('a notification receiver down for 10 minutes', { timeout: 60_000 }, () => {
  let dir: string;
  let store: Store;

  before(async () => {
    dir = await makeTemp('live2vod-fault-notify-');
    store = await openSqliteStore(path.join(dir, 'live2vod.db'));
    await store.migrate();
  });

  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers every event afterwards, signed, once per delivery id', async () => {
    // Where the receiver listens, then it goes down: connections to the port are refused.
    let receiver = await Receiver.start(testSecret);
    const url = receiver.url;
    const port = Number(new URL(url).port);
    await receiver.close();

    const clock = new TestClock();
    const endpoints = parseEndpoints([{ url, secret: testSecret, timeoutMs: 2000 }]);
    const errors: unknown[] = [];
    // Mid-jitter, so the schedule is the one documented; pollMs long: the test moves the clock and kicks.
    const worker = new DeliveryWorker({ store, endpoints, now: clock.now, pollMs: 60_000, random: () => 0.5, onError: (e) => errors.push(e) });
    const notifier = new Notifier({ store, endpoints, now: clock.now, onEnqueued: () => worker.kick() });
    worker.start();
    const publish = (n: number) => Promise.all((['job.started', 'asset.ready'] as EventType[]).map((type) =>
      notifier.publish(type, buildPayload(type, makeJob({ id: `job_${n}`, state: type === 'asset.ready' ? 'succeeded' : 'running', progress: type === 'asset.ready' ? 1 : 0 }), { now: clock.now() }))));
    /** Moves the clock one step and lets the worker send what is due. */
    const step = async () => {
      clock.advance(stepMs);
      worker.kick();
      await sleep(20);
      await waitFor(() => worker.inFlight === 0, 'the sends in flight to finish', 10_000);
    };

    await publish(1);
    await publish(2);
    // 5 minutes refused, with more events published along the way.
    for (let t = 0; t < 5 * 60_000; t += stepMs) {
      if (t === 120_000) await publish(3);
      await step();
    }
    // 5 minutes up but failing (a receiver behind a proxy whose backend is down).
    receiver = await Receiver.start(testSecret, port);
    receiver.fallback = 503;
    for (let t = 0; t < 5 * 60_000; t += stepMs) {
      if (t === 60_000) await publish(4);
      await step();
    }
    const failedRequests = receiver.requests.length;
    assert.ok(failedRequests > 0, 'the 503 phase saw attempts');
    let deliveries = await store.listDeliveries(100);
    assert.equal(deliveries.length, 8, 'one delivery per event (4 jobs × 2 events, one endpoint)');
    assert.ok(deliveries.every((d) => d.state === 'pending'), 'nothing delivered or given up during the outage');
    const firstAttempts = Math.min(...deliveries.map((d) => d.attempts));
    assert.ok(firstAttempts >= 4, `each delivery was tried repeatedly during the outage (fewest attempts: ${firstAttempts})`);

    // Back. The next attempts come on their backoff (up to ~6 minutes after the last): move on until all are in.
    receiver.fallback = 200;
    for (let t = 0; t < 30 * 60_000 && (await store.listDeliveries(100)).some((d) => d.state !== 'delivered'); t += stepMs) await step();
    await worker.stop();
    await receiver.close();

    deliveries = await store.listDeliveries(100);
    assert.deepEqual(deliveries.filter((d) => d.state !== 'delivered').map((d) => `${d.messageId} ${d.state}`), [], 'every delivery delivered');
    const delivered = receiver.requests.slice(failedRequests);
    assert.ok(delivered.every((r) => r.signatureValid), 'every request carries a valid signature');
    assert.ok(receiver.requests.every((r) => r.signatureValid), 'the failed attempts were signed too');
    const ids = delivered.map((r) => String(r.headers['webhook-id']));
    assert.deepEqual([...ids].sort(), deliveries.map((d) => d.messageId).sort(), 'each delivery id answered 2xx exactly once, and no other');
    // The same id on every attempt of one delivery: a receiver can deduplicate by it.
    const known = new Set(deliveries.map((d) => d.messageId));
    assert.ok(receiver.requests.every((r) => known.has(String(r.headers['webhook-id']))), 'retries reuse the delivery id');
    for (const request of delivered) {
      const body = JSON.parse(request.body) as { type: string };
      const record = deliveries.find((d) => d.messageId === request.headers['webhook-id']);
      assert.equal(body.type, record?.eventType);
      assert.equal(request.body, record?.payload, 'the body is the stored payload, byte for byte');
    }
    process.stdout.write(`# ${deliveries.reduce((sum, d) => sum + d.attempts, 0)} attempts for ${deliveries.length} deliveries; ${failedRequests} answered 503; store errors: ${errors.length}\n`);
    assert.deepEqual(errors, []);
  });
});
