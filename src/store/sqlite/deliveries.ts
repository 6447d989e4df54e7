// Outbound webhook deliveries in SQLite.
import type { Store } from '../store.ts';
import { deliveryAttemptUpdate, deliveryFromRow } from '../delivery-row.ts';
import type { SqliteContext } from './context.ts';

type DeliveryOperations = Pick<Store, 'enqueueDelivery' | 'dueDeliveries' | 'recordDeliveryAttempt' | 'listDeliveries'>;

export function sqliteDeliveries(ctx: SqliteContext): DeliveryOperations {
  const { db } = ctx;
  const insert = db.prepare(`
    INSERT INTO deliveries (endpoint, event_type, payload, message_id, state, next_attempt_at, created_at)
    VALUES ($endpoint, $eventType, $payload, $messageId, 'pending', $now, $now)
    RETURNING *`);
  const due = db.prepare(`SELECT * FROM deliveries WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?`);
  const record = db.prepare(`
    UPDATE deliveries
    SET attempts = attempts + 1, state = $state, next_attempt_at = $nextAttemptAt, last_status = $lastStatus,
        last_error = $lastError, delivered_at = $deliveredAt
    WHERE id = $id`);
  const latest = db.prepare('SELECT * FROM deliveries ORDER BY id DESC LIMIT ?');

  return {
    async enqueueDelivery(delivery, now) {
      const row = insert.get({ ...delivery, now: now.toISOString() });
      if (!row) throw new Error('store: delivery insert returned no row');
      return deliveryFromRow(row);
    },

    async dueDeliveries(now, limit) {
      return due.all(now.toISOString(), limit).map(deliveryFromRow);
    },

    async recordDeliveryAttempt(id, outcome, now) {
      record.run({ id, ...deliveryAttemptUpdate(outcome, now) });
    },

    async listDeliveries(limit) {
      return latest.all(limit).map(deliveryFromRow);
    },
  };
}
