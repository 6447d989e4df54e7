// The conformance suite against SQLite: a fresh database file per test, in a temp directory, so a
// second store can open the same file as another control plane would.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { runStoreConformance } from './conformance.ts';

runStoreConformance('sqlite', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'live2vod-store-'));
  const file = path.join(dir, 'live2vod.db');
  const opened: Store[] = [await openSqliteStore(file)];
  const [store] = opened;
  assert.ok(store);
  return {
    store,
    openAnother: async () => {
      const another = await openSqliteStore(file);
      opened.push(another);
      return another;
    },
    cleanup: async () => {
      for (const s of opened) await s.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite store', () => {
  it('works in memory', async () => {
    const store = await openSqliteStore(':memory:');
    const { job } = await store.createJob(
      { idempotencyKey: 'k', source: 'file:///a.flv', sourceKind: 'api', priority: 'normal', metadata: {}, maxAttempts: 1 },
      new Date(),
    );
    assert.equal((await store.getJob(job.id))?.state, 'queued');
    await store.close();
    await store.close(); // closing twice is harmless
  });
});
