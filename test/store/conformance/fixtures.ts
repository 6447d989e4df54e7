// Shared pieces of the store conformance suite: the store under test, fixed clocks and job inputs.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Job, NewJob } from '../../../src/jobs/job.ts';
import type { Store } from '../../../src/store/store.ts';

/** What each test gets: its own empty, migrated store. */
export interface StoreUnderTest {
  store: Store;
  /** Closes every store opened for the test and removes its database. */
  cleanup: () => Promise<void>;
  /** A second instance over the same database (another control plane); its cleanup is `cleanup`'s job. */
  openAnother?: () => Promise<Store>;
}

export type StoreFactory = () => Promise<StoreUnderTest>;

export interface Suite {
  store(): Store;
  /** Another instance over the same database, or the same one where the backend has no such thing. */
  another(): Promise<Store>;
}

/** A fixed clock: the store takes `now` from its callers, so tests need no waiting. */
export const t0 = new Date('2030-01-01T00:00:00.000Z');
export function at(ms: number): Date {
  return new Date(t0.getTime() + ms);
}

export const leaseMs = 30_000;

let counter = 0;
export function newJob(overrides: Partial<NewJob> = {}): NewJob {
  counter += 1;
  return {
    idempotencyKey: `rec-${counter}-${randomUUID()}`,
    source: `file:///recordings/stream-${counter}.flv`,
    sourceKind: 'nginx-rtmp',
    priority: 'normal',
    metadata: { app: 'live', name: `stream-${counter}` },
    maxAttempts: 3,
    ...overrides,
  };
}

export async function createQueued(store: Store, overrides: Partial<NewJob> = {}, now: Date = t0): Promise<Job> {
  const { job, created } = await store.createJob(newJob(overrides), now);
  assert.equal(created, true);
  return job;
}

/** Claims the next job and insists there is one. */
export async function claim(store: Store, owner = 'cp-a', now: Date = t0): Promise<Job> {
  const job = await store.claimNext({ owner, now, leaseMs });
  assert.ok(job, 'expected a job to claim');
  return job;
}

/** A queued job, claimed: running under `owner`'s lease. */
export async function createRunning(store: Store, owner = 'cp-a', overrides: Partial<NewJob> = {}): Promise<Job> {
  const queued = await createQueued(store, overrides);
  const running = await claim(store, owner);
  assert.equal(running.id, queued.id, 'the store must be empty apart from this job');
  return running;
}

export async function eventTypes(store: Store, jobId: string): Promise<string[]> {
  return (await store.listEvents(jobId)).map((event) => event.type);
}
