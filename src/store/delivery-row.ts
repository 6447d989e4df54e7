// Row → DeliveryRecord, shared by both backends.
import type { DeliveryRecord } from './store.ts';
import { iso, num, optIso, optNum, optText, text } from './row-values.ts';
import type { Row } from './row-values.ts';

const deliveryStates: readonly DeliveryRecord['state'][] = ['pending', 'delivered', 'failed'];

export function deliveryFromRow(row: Row): DeliveryRecord {
  const stateText = text(row, 'state');
  const state = deliveryStates.find((candidate) => candidate === stateText);
  if (state === undefined) throw new Error(`store: unknown delivery state ${stateText}`);
  const delivery: DeliveryRecord = {
    id: num(row, 'id'),
    endpoint: text(row, 'endpoint'),
    eventType: text(row, 'event_type'),
    payload: text(row, 'payload'),
    messageId: text(row, 'message_id'),
    attempts: num(row, 'attempts'),
    state,
    nextAttemptAt: iso(row, 'next_attempt_at'),
    createdAt: iso(row, 'created_at'),
  };
  const lastStatus = optNum(row, 'last_status');
  if (lastStatus !== undefined) delivery.lastStatus = lastStatus;
  const lastError = optText(row, 'last_error');
  if (lastError !== undefined) delivery.lastError = lastError;
  const deliveredAt = optIso(row, 'delivered_at');
  if (deliveredAt !== undefined) delivery.deliveredAt = deliveredAt;
  return delivery;
}

/** What recordDeliveryAttempt writes, decided once for both backends. */
export function deliveryAttemptUpdate(
  outcome: { delivered: boolean; status?: number; error?: string; nextAttemptAt?: Date; giveUp?: boolean },
  now: Date,
): { state: DeliveryRecord['state']; nextAttemptAt: string; lastStatus: number | null; lastError: string | null; deliveredAt: string | null } {
  const at = now.toISOString();
  const state = outcome.delivered ? 'delivered' : outcome.giveUp ? 'failed' : 'pending';
  return {
    state,
    // Only a pending delivery is looked at again; the others keep the time of their last attempt.
    nextAttemptAt: state === 'pending' ? (outcome.nextAttemptAt ?? now).toISOString() : at,
    lastStatus: outcome.status ?? null,
    lastError: outcome.error ?? null,
    deliveredAt: outcome.delivered ? at : null,
  };
}
