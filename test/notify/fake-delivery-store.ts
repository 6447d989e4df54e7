// An in-memory stand-in for the delivery part of the Store, with the semantics the real stores
// have: pending until delivered or given up; dueDeliveries oldest first; every attempt counted.
import type { DeliveryRecord, Store } from '../../src/store/store.ts';

type DeliveryMethods = Pick<Store, 'enqueueDelivery' | 'dueDeliveries' | 'recordDeliveryAttempt' | 'listDeliveries'>;
type Outcome = Parameters<Store['recordDeliveryAttempt']>[1];

export interface LoggedAttempt {
  id: number;
  at: string;
  outcome: Outcome;
}

export class FakeDeliveryStore implements DeliveryMethods {
  readonly records: DeliveryRecord[] = [];
  /** Every recordDeliveryAttempt call, in order. */
  readonly attemptLog: LoggedAttempt[] = [];
  /** Calls to dueDeliveries, for tests about polling. */
  dueCalls = 0;
  #nextId = 1;

  async enqueueDelivery(delivery: { endpoint: string; eventType: string; payload: string; messageId: string }, now: Date): Promise<DeliveryRecord> {
    const record: DeliveryRecord = {
      id: this.#nextId++,
      endpoint: delivery.endpoint,
      eventType: delivery.eventType,
      payload: delivery.payload,
      messageId: delivery.messageId,
      attempts: 0,
      state: 'pending',
      nextAttemptAt: now.toISOString(),
      createdAt: now.toISOString(),
    };
    this.records.push(record);
    return { ...record };
  }

  async dueDeliveries(now: Date, limit: number): Promise<DeliveryRecord[]> {
    this.dueCalls++;
    return this.records
      .filter((r) => r.state === 'pending' && Date.parse(r.nextAttemptAt) <= now.getTime())
      .sort((a, b) => Date.parse(a.nextAttemptAt) - Date.parse(b.nextAttemptAt) || a.id - b.id)
      .slice(0, limit)
      .map((r) => ({ ...r }));
  }

  async recordDeliveryAttempt(id: number, outcome: Outcome, now: Date): Promise<void> {
    const record = this.records.find((r) => r.id === id);
    if (!record) throw new Error(`no delivery ${id}`);
    this.attemptLog.push({ id, at: now.toISOString(), outcome: { ...outcome } });
    record.attempts++;
    if (outcome.status !== undefined) record.lastStatus = outcome.status;
    else delete record.lastStatus;
    if (outcome.error !== undefined) record.lastError = outcome.error;
    else delete record.lastError;
    if (outcome.delivered) {
      record.state = 'delivered';
      record.deliveredAt = now.toISOString();
    } else if (outcome.giveUp) {
      record.state = 'failed';
    } else {
      record.nextAttemptAt = (outcome.nextAttemptAt ?? now).toISOString();
    }
  }

  async listDeliveries(limit: number): Promise<DeliveryRecord[]> {
    return [...this.records].reverse().slice(0, limit).map((r) => ({ ...r }));
  }

  get(id: number): DeliveryRecord {
    const record = this.records.find((r) => r.id === id);
    if (!record) throw new Error(`no delivery ${id}`);
    return { ...record };
  }

  attemptsOf(id: number): LoggedAttempt[] {
    return this.attemptLog.filter((a) => a.id === id);
  }
}
