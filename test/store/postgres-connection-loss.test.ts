// A PostgreSQL connection that dies while a transaction holds it (the server restarts, or an
// operator ends the backend) fails that transaction; it must not crash the process, and the pool
// must go on with a new connection.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createPool, pgContext } from '../../src/store/postgres/context.ts';
import { admin, throwawayDatabase } from '../helpers/postgres.ts';

const { database, databaseUrl } = throwawayDatabase('live2vod_conn_loss');

describe('a transaction whose connection dies', () => {
  before(() => admin(`CREATE DATABASE ${database}`));
  after(() => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));

  it('rejects, the process lives on, and the next transaction gets a new connection', async () => {
    const pool = createPool(databaseUrl, 'public', 1);
    const ctx = pgContext(pool, 'public');
    try {
      let killedPid = 0;
      await assert.rejects(ctx.transaction(async (client) => {
        killedPid = Number((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid);
        // Between two statements: the server ends the backend while nothing is in flight, so
        // the client emits 'error' (the case that used to be an uncaught exception) and 'end'.
        const ended = new Promise((resolve) => client.once('end', resolve));
        await admin(`SELECT pg_terminate_backend(${killedPid})`);
        await Promise.race([ended, sleep(5000)]);
        await client.query('SELECT 1');
      }));
      assert.ok(killedPid > 0);
      const pid = await ctx.transaction(async (client) => Number((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid));
      assert.ok(pid > 0 && pid !== killedPid, `a new connection (${pid}), not the dead one (${killedPid})`);
    } finally {
      await pool.end();
    }
  });
});
