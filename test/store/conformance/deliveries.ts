// Outbound webhook deliveries: due, retried, delivered, given up.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { at, t0 } from './fixtures.ts';
import type { Suite } from './fixtures.ts';

const delivery = (n: number) => ({
  endpoint: 'https://cms.example/hooks/live2vod',
  eventType: 'asset.ready',
  payload: JSON.stringify({ type: 'asset.ready', data: { n } }),
  messageId: `msg_${n}`,
});

export function deliveryTests(suite: Suite): void {
  describe('deliveries', () => {
    it('enqueues a pending delivery that is due at once', async () => {
      const store = suite.store();
      const record = await store.enqueueDelivery(delivery(1), t0);
      assert.deepEqual(record, {
        id: record.id,
        ...delivery(1),
        attempts: 0,
        state: 'pending',
        nextAttemptAt: t0.toISOString(),
        createdAt: t0.toISOString(),
      });
      assert.deepEqual(await store.dueDeliveries(t0, 10), [record]);
    });

    it('lists due deliveries oldest first, up to the limit', async () => {
      const store = suite.store();
      const first = await store.enqueueDelivery(delivery(1), t0);
      const second = await store.enqueueDelivery(delivery(2), at(1));
      await store.enqueueDelivery(delivery(3), at(2));
      await store.enqueueDelivery(delivery(4), at(10_000));
      assert.deepEqual((await store.dueDeliveries(at(5000), 2)).map((d) => d.id), [first.id, second.id]);
      assert.equal((await store.dueDeliveries(at(5000), 10)).length, 3);
    });

    it('records a failed attempt and waits until the next attempt time', async () => {
      const store = suite.store();
      const record = await store.enqueueDelivery(delivery(1), t0);
      await store.recordDeliveryAttempt(record.id, { delivered: false, status: 503, error: 'Service Unavailable', nextAttemptAt: at(60_000) }, at(1000));
      assert.deepEqual(await store.dueDeliveries(at(59_999), 10), []);
      const [retry] = await store.dueDeliveries(at(60_000), 10);
      assert.equal(retry?.attempts, 1);
      assert.equal(retry?.state, 'pending');
      assert.equal(retry?.lastStatus, 503);
      assert.equal(retry?.lastError, 'Service Unavailable');
      assert.equal(retry?.messageId, 'msg_1');
    });

    it('stops offering delivered and given-up deliveries', async () => {
      const store = suite.store();
      const delivered = await store.enqueueDelivery(delivery(1), t0);
      const abandoned = await store.enqueueDelivery(delivery(2), t0);
      await store.recordDeliveryAttempt(delivered.id, { delivered: true, status: 204 }, at(1000));
      await store.recordDeliveryAttempt(abandoned.id, { delivered: false, error: 'ECONNREFUSED', giveUp: true }, at(1000));
      assert.deepEqual(await store.dueDeliveries(at(1_000_000), 10), []);
      const [newest, oldest] = await store.listDeliveries(10);
      assert.equal(newest?.id, abandoned.id);
      assert.equal(newest?.state, 'failed');
      assert.equal(newest?.lastError, 'ECONNREFUSED');
      assert.equal(newest?.lastStatus, undefined);
      assert.equal(oldest?.state, 'delivered');
      assert.equal(oldest?.deliveredAt, at(1000).toISOString());
      assert.equal(oldest?.lastStatus, 204);
      assert.equal(oldest?.attempts, 1);
      assert.equal((await store.listDeliveries(1)).length, 1);
    });
  });
}
