// The conformance suite against PostgreSQL. This file gets its own database (dropped at the end)
// and each test its own schema in it, so parallel runs never collide. The server comes from
// LIVE2VOD_TEST_POSTGRES_URL, by default the local one (trust auth, database `test`).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { openPostgresStore } from '../../src/store/postgres-store.ts';
import type { Store } from '../../src/store/store.ts';
import { runStoreConformance } from './conformance.ts';
import { admin, postgresServerUrl as serverUrl, throwawayDatabase } from '../helpers/postgres.ts';

const { database, databaseUrl } = throwawayDatabase('live2vod_test');

before(() => admin(`CREATE DATABASE ${database}`));
after(() => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));

let schemas = 0;
runStoreConformance('postgres', async () => {
  schemas += 1;
  const schema = `conformance_${schemas}`;
  const opened: Store[] = [await openPostgresStore(databaseUrl, { schema, poolSize: 4 })];
  const [store] = opened;
  assert.ok(store);
  return {
    store,
    // A separate pool: another control plane on the same database.
    openAnother: async () => {
      const another = await openPostgresStore(databaseUrl, { schema, poolSize: 4 });
      opened.push(another);
      return another;
    },
    cleanup: async () => {
      for (const s of opened) await s.close();
    },
  };
});

describe('postgres store', () => {
  it('refuses a schema name that is not a plain identifier', async () => {
    await assert.rejects(openPostgresStore(databaseUrl, { schema: 'x; DROP TABLE jobs' }), /invalid PostgreSQL schema name/);
  });
});
