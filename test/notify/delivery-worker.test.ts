// DeliveryWorker against a real HTTP receiver on 127.0.0.1: signed requests, retries with the same
// webhook-id after the backoff, 410 and the 24 h deadline give up, timeouts and network errors are
// logged, the concurrency limit holds, stop() waits for sends in flight and leaves no timers.
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { DeliveryWorker, type DeliveryWorkerOptions } from '../../src/notify/delivery-worker.ts';
import { parseEndpoints, type EndpointInput } from '../../src/notify/endpoints.ts';
import { buildPayload } from '../../src/notify/events.ts';
import { Notifier } from '../../src/notify/notifier.ts';
import { version } from '../../src/version.ts';
import { FakeDeliveryStore } from './fake-delivery-store.ts';
import { makeJob, Receiver, sleep, TestClock, testSecret, waitFor } from './helpers.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface SetupOptions extends Partial<Omit<DeliveryWorkerOptions, 'store' | 'endpoints' | 'now'>> {
  endpoint?: Partial<EndpointInput>;
}

async function setup(options: SetupOptions = {}) {
  const receiver = await Receiver.start();
  const store = new FakeDeliveryStore();
  const clock = new TestClock();
  const endpoints = parseEndpoints([{ url: receiver.url, secret: testSecret, ...options.endpoint }]);
  const errors: unknown[] = [];
  const { endpoint: _endpoint, ...workerOptions } = options;
  const worker = new DeliveryWorker({ store, endpoints, now: clock.now, pollMs: 10, random: () => 0.5, onError: (e) => errors.push(e), ...workerOptions });
  const notifier = new Notifier({ store, endpoints, now: clock.now, onEnqueued: () => worker.kick() });
  cleanups.push(async () => {
    await worker.stop();
    await receiver.close();
  });
  const publishReady = () => notifier.publish('asset.ready', buildPayload('asset.ready', makeJob({ state: 'succeeded', progress: 1 }), { now: clock.now() }));
  return { receiver, store, clock, worker, notifier, errors, publishReady };
}

const seconds = (date: Date) => String(Math.floor(date.getTime() / 1000));

describe('DeliveryWorker', () => {
  test('2xx: one signed POST, recorded as delivered', async () => {
    const { receiver, store, clock, worker, publishReady, errors } = await setup();
    worker.start();
    const [delivery] = await publishReady();
    assert.ok(delivery);
    await waitFor(() => store.get(delivery.id).state === 'delivered', 'delivered');

    assert.equal(receiver.requests.length, 1);
    const request = receiver.requests[0];
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/hooks/live2vod');
    assert.equal(request.signatureValid, true, 'signature verifies per the spec');
    assert.equal(request.body, delivery.payload, 'the stored body, byte for byte');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['user-agent'], `live2vod/${version}`);
    assert.equal(request.headers['webhook-id'], delivery.messageId);
    assert.equal(request.headers['webhook-timestamp'], seconds(clock.now()));
    assert.match(String(request.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]{43}=$/);

    const record = store.get(delivery.id);
    assert.equal(record.attempts, 1);
    assert.equal(record.lastStatus, 200);
    assert.equal(record.lastError, undefined);
    assert.equal(record.deliveredAt, clock.now().toISOString());
    assert.deepEqual(errors, []);
  });

  test('500 then 200: retried after the backoff with the same webhook-id, delivered after 2 attempts', async () => {
    const { receiver, store, clock, worker, publishReady } = await setup();
    receiver.replies.push(500, 200);
    const t0 = clock.now();
    const [delivery] = await publishReady();
    assert.ok(delivery);
    worker.start();
    await waitFor(() => store.attemptsOf(delivery.id).length === 1, 'first attempt');

    const first = store.attemptsOf(delivery.id)[0];
    assert.equal(first?.outcome.delivered, false);
    assert.equal(first?.outcome.status, 500);
    assert.match(first?.outcome.error ?? '', /^HTTP 500/);
    assert.equal(first?.outcome.nextAttemptAt?.toISOString(), new Date(t0.getTime() + 5_000).toISOString(), '5 s (random 0.5 = no jitter)');
    assert.equal(store.get(delivery.id).state, 'pending');

    // Polling every 10 ms, but the clock says it is not time yet.
    clock.advance(4_999);
    await sleep(80);
    assert.equal(receiver.requests.length, 1, 'no retry before the backoff');

    clock.advance(1);
    await waitFor(() => store.get(delivery.id).state === 'delivered', 'delivered on the retry');
    const record = store.get(delivery.id);
    assert.equal(record.attempts, 2);
    assert.equal(record.lastStatus, 200);
    assert.equal(record.deliveredAt, new Date(t0.getTime() + 5_000).toISOString());

    const [r1, r2] = receiver.requests;
    assert.equal(receiver.requests.length, 2);
    assert.equal(r1?.headers['webhook-id'], r2?.headers['webhook-id'], 'same message id across retries');
    assert.equal(r1?.body, r2?.body);
    assert.equal(r1?.headers['webhook-timestamp'], seconds(t0));
    assert.equal(r2?.headers['webhook-timestamp'], seconds(clock.now()), 'timestamp of the attempt');
    assert.equal(r1?.signatureValid, true);
    assert.equal(r2?.signatureValid, true);
  });

  test('the backoff grows per attempt', async () => {
    const { receiver, store, clock, worker, publishReady } = await setup();
    receiver.fallback = 503;
    const [delivery] = await publishReady();
    assert.ok(delivery);
    worker.start();
    const gaps: number[] = [];
    for (let n = 1; n <= 4; n++) {
      await waitFor(() => store.attemptsOf(delivery.id).length === n, `attempt ${n}`);
      const next = store.get(delivery.id).nextAttemptAt;
      gaps.push(Date.parse(next) - clock.now().getTime());
      clock.advance(Date.parse(next) - clock.now().getTime());
    }
    assert.deepEqual(gaps, [5_000, 10_000, 20_000, 40_000]);
    assert.equal(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size, 1);
  });

  test('the response body goes into the delivery log, truncated', async () => {
    const { receiver, store, clock, worker, publishReady } = await setup();
    receiver.replies.push({ status: 503, body: 'down for\n maintenance' }, { status: 500, body: 'x'.repeat(100_000) });
    const [delivery] = await publishReady();
    assert.ok(delivery);
    worker.start();
    await waitFor(() => store.get(delivery.id).attempts === 1, 'attempt 1');
    assert.equal(store.get(delivery.id).lastError, 'HTTP 503 Service Unavailable: down for maintenance');
    clock.advance(5_000);
    await waitFor(() => store.get(delivery.id).attempts === 2, 'attempt 2');
    assert.equal(store.get(delivery.id).lastError, `HTTP 500 Internal Server Error: ${'x'.repeat(512)}…`);
  });

  test('410 Gone: given up at once', async () => {
    const { receiver, store, clock, worker, publishReady } = await setup();
    receiver.replies.push(410);
    const [delivery] = await publishReady();
    assert.ok(delivery);
    worker.start();
    await waitFor(() => store.get(delivery.id).state === 'failed', 'failed');
    clock.advance(2 * 60 * 60 * 1000);
    await sleep(60);
    assert.equal(receiver.requests.length, 1);
    const record = store.get(delivery.id);
    assert.equal(record.attempts, 1);
    assert.equal(record.lastStatus, 410);
    assert.match(record.lastError ?? '', /^HTTP 410/);
    assert.equal(store.attemptsOf(delivery.id)[0]?.outcome.giveUp, true);
  });

  test('a receiver that never answers: the timeout is recorded as an error and retried later', async () => {
    const { receiver, store, clock, worker, publishReady } = await setup({ endpoint: { timeoutMs: 150 } });
    receiver.replies.push('hang');
    const [delivery] = await publishReady();
    assert.ok(delivery);
    const startedAt = Date.now();
    worker.start();
    await waitFor(() => store.attemptsOf(delivery.id).length === 1, 'timed-out attempt');
    assert.ok(Date.now() - startedAt >= 140, 'waited for the timeout');
    const record = store.get(delivery.id);
    assert.equal(record.state, 'pending');
    assert.equal(record.lastStatus, undefined);
    assert.equal(record.lastError, 'timeout: no answer within 150 ms');
    assert.equal(record.nextAttemptAt, new Date(clock.now().getTime() + 5_000).toISOString());
    assert.equal(receiver.requests.length, 1, 'the request did arrive');
  });

  test('connection refused: recorded as a network error and retried', async () => {
    const closed = await Receiver.start();
    const url = closed.url;
    await closed.close();
    const { store, clock } = await setup();
    const other = new DeliveryWorker({ store, endpoints: parseEndpoints([{ url, secret: testSecret }]), now: clock.now, pollMs: 10, random: () => 0.5 });
    cleanups.push(() => other.stop());
    const delivery = await store.enqueueDelivery({ endpoint: url, eventType: 'job.queued', payload: '{}', messageId: 'msg_refused' }, clock.now());
    other.start();
    await waitFor(() => store.get(delivery.id).attempts === 1, 'attempt');
    const record = store.get(delivery.id);
    assert.equal(record.state, 'pending');
    assert.match(record.lastError ?? '', /ECONNREFUSED/);
  });

  test('24 h after creation a failing delivery is given up', async () => {
    const { receiver, store, clock, worker, publishReady } = await setup();
    receiver.fallback = 500;
    const [delivery] = await publishReady();
    assert.ok(delivery);
    clock.advance(24 * 60 * 60 * 1000 - 4_000); // the next retry (5 s) would fall after the deadline
    worker.start();
    await waitFor(() => store.get(delivery.id).state === 'failed', 'failed');
    const record = store.get(delivery.id);
    assert.equal(record.attempts, 1);
    assert.equal(record.lastStatus, 500);
    assert.match(record.lastError ?? '', /^HTTP 500.*giving up 24 h after creation$/);
  });

  test('one just inside the deadline still gets its retry', async () => {
    const { receiver, store, clock, worker, publishReady } = await setup();
    receiver.replies.push(500);
    const [delivery] = await publishReady();
    assert.ok(delivery);
    clock.advance(24 * 60 * 60 * 1000 - 5_000);
    worker.start();
    await waitFor(() => store.attemptsOf(delivery.id).length === 1, 'first attempt');
    assert.equal(store.get(delivery.id).state, 'pending');
    clock.advance(5_000);
    await waitFor(() => store.get(delivery.id).state === 'delivered', 'delivered');
  });

  test('a delivery for an endpoint no longer configured is given up without a request', async () => {
    const { receiver, store, clock, worker } = await setup();
    const delivery = await store.enqueueDelivery({ endpoint: 'https://removed.example/hooks', eventType: 'asset.ready', payload: '{}', messageId: 'msg_removed' }, clock.now());
    worker.start();
    await waitFor(() => store.get(delivery.id).state === 'failed', 'failed');
    assert.equal(store.get(delivery.id).lastError, 'endpoint no longer configured');
    assert.equal(receiver.requests.length, 0);
  });

  test('at most `concurrency` sends at once; all get through', async () => {
    const { receiver, store, clock, worker } = await setup({ concurrency: 3, pollMs: 5 });
    receiver.delayMs = 30;
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push((await store.enqueueDelivery({ endpoint: receiver.url, eventType: 'job.queued', payload: JSON.stringify({ i }), messageId: `msg_${i}` }, clock.now())).id);
    }
    worker.start();
    await waitFor(() => ids.every((id) => store.get(id).state === 'delivered'), 'all delivered', 5000);
    assert.equal(receiver.maxActive, 3);
    assert.equal(receiver.requests.length, 20, 'each sent once');
    assert.deepEqual(receiver.requests.map((r) => r.headers['webhook-id']).sort(), ids.map((_, i) => `msg_${i}`).sort());
    assert.ok(receiver.requests.every((r) => r.signatureValid));
  });

  test('kick() sends right away instead of at the next poll', async () => {
    const { store, worker, publishReady } = await setup({ pollMs: 60_000 });
    worker.start();
    await sleep(20); // the first poll ran and found nothing; the next one is a minute away
    const dueCallsBefore = store.dueCalls;
    const [delivery] = await publishReady(); // the Notifier kicks the worker
    assert.ok(delivery);
    await waitFor(() => store.get(delivery.id).state === 'delivered', 'delivered', 1000);
    assert.ok(store.dueCalls > dueCallsBefore);
  });

  test('stop() waits for the sends in flight, then leaves nothing behind', async () => {
    const { receiver, store, clock, worker } = await setup({ pollMs: 10 });
    receiver.delayMs = 150;
    const delivery = await store.enqueueDelivery({ endpoint: receiver.url, eventType: 'job.queued', payload: '{}', messageId: 'msg_stop' }, clock.now());
    worker.start();
    await waitFor(() => receiver.requests.length === 1, 'request in flight');
    assert.equal(worker.inFlight, 1);
    await worker.stop();
    assert.equal(store.get(delivery.id).state, 'delivered', 'recorded before stop() resolved');
    assert.equal(worker.inFlight, 0);
    assert.equal(worker.running, false);

    const dueCalls = store.dueCalls;
    const later = await store.enqueueDelivery({ endpoint: receiver.url, eventType: 'job.queued', payload: '{}', messageId: 'msg_after' }, clock.now());
    worker.kick();
    await sleep(50);
    assert.equal(store.dueCalls, dueCalls, 'no polling after stop');
    assert.equal(store.get(later.id).state, 'pending');

    // Restartable.
    worker.start();
    await waitFor(() => store.get(later.id).state === 'delivered', 'delivered after restart');
  });

  test('store errors while polling are reported and polling goes on', async () => {
    const { store, worker, errors, publishReady } = await setup();
    const real = store.dueDeliveries.bind(store);
    let failures = 2;
    store.dueDeliveries = async (now, limit) => {
      if (failures-- > 0) throw new Error('database is locked');
      return real(now, limit);
    };
    worker.start();
    const [delivery] = await publishReady();
    assert.ok(delivery);
    await waitFor(() => store.get(delivery.id).state === 'delivered', 'delivered');
    assert.ok(errors.length >= 1);
    assert.match(String(errors[0]), /database is locked/);
  });
});

after(async () => {
  // Every worker was stopped and every receiver closed: no timers or sockets of ours remain. Closed
  // handles take a few event-loop turns to go away; setImmediate adds no timer of its own.
  const ours = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'TCPServerWrap' || r === 'TCPSocketWrap');
  const deadline = Date.now() + 1000;
  while (ours().length > 0 && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(ours(), []);
});
