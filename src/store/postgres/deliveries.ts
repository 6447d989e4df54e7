// Outbound webhook deliveries in PostgreSQL.
import type { Store } from '../store.ts';
import { deliveryAttemptUpdate, deliveryFromRow } from '../delivery-row.ts';
import { query, queryOne } from './context.ts';
import type { PgContext, Statement } from './context.ts';

type DeliveryOperations = Pick<Store, 'enqueueDelivery' | 'dueDeliveries' | 'recordDeliveryAttempt' | 'listDeliveries'>;

const insert: Statement = {
  name: 'live2vod_enqueue_delivery',
  text: `
    INSERT INTO deliveries (endpoint, event_type, payload, message_id, state, next_attempt_at, created_at)
    VALUES ($1, $2, $3, $4, 'pending', $5, $5)
    RETURNING *`,
};
const due: Statement = {
  name: 'live2vod_due_deliveries',
  text: `SELECT * FROM deliveries WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2`,
};
const record: Statement = {
  name: 'live2vod_record_delivery',
  text: `
    UPDATE deliveries
    SET attempts = attempts + 1, state = $2, next_attempt_at = $3, last_status = $4, last_error = $5, delivered_at = $6
    WHERE id = $1`,
};
const latest: Statement = { name: 'live2vod_list_deliveries', text: 'SELECT * FROM deliveries ORDER BY id DESC LIMIT $1' };

export function postgresDeliveries(ctx: PgContext): DeliveryOperations {
  const { pool } = ctx;
  return {
    async enqueueDelivery(delivery, now) {
      const row = await queryOne(pool, insert, [delivery.endpoint, delivery.eventType, delivery.payload, delivery.messageId, now.toISOString()]);
      if (!row) throw new Error('store: delivery insert returned no row');
      return deliveryFromRow(row);
    },

    async dueDeliveries(now, limit) {
      return (await query(pool, due, [now.toISOString(), limit])).rows.map(deliveryFromRow);
    },

    async recordDeliveryAttempt(id, outcome, now) {
      const u = deliveryAttemptUpdate(outcome, now);
      await query(pool, record, [id, u.state, u.nextAttemptAt, u.lastStatus, u.lastError, u.deliveredAt]);
    },

    async listDeliveries(limit) {
      return (await query(pool, latest, [limit])).rows.map(deliveryFromRow);
    },
  };
}
