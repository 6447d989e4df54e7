// One pg pool and the helpers every PostgreSQL operation module needs. Queries are named, so each
// connection parses and plans them once (prepared statements), and the hot ones are a single
// statement (data-modifying CTEs) so they cost one round trip.
import { Pool, escapeIdentifier } from 'pg';
import type { PoolClient } from 'pg';
import type { Row } from '../row-values.ts';

export type Queryable = Pool | PoolClient;

export interface Statement {
  name: string;
  text: string;
}

export interface PgContext {
  pool: Pool;
  /** The schema the store's tables live in, `public` by default. */
  schema: string;
  transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T>;
}

/** Every connection gets search_path = the store's schema, so the SQL names no schema. */
export function createPool(connectionString: string, schema: string, poolSize: number): Pool {
  const pool = new Pool({ connectionString, max: poolSize, options: `-c search_path=${escapeIdentifier(schema)}` });
  // An idle connection that dies (server restart) is dropped by the pool and replaced on demand;
  // without a listener the 'error' event would take the whole process down.
  pool.on('error', () => {});
  return pool;
}

export function pgContext(pool: Pool, schema: string): PgContext {
  return {
    pool,
    schema,
    async transaction(fn) {
      const client = await pool.connect();
      // The pool listens for errors only on idle connections. One that dies while checked out
      // (the server restarts between two statements) emits 'error', which without a listener
      // takes the whole process down; its next query fails instead, and the caller hears of that.
      let broken = false;
      const onError = () => { broken = true; };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => { broken = true; });
        throw error;
      } finally {
        client.off('error', onError);
        // A broken connection is closed, not handed to the next caller.
        client.release(broken);
      }
    },
  };
}

export async function query(db: Queryable, statement: Statement, values: unknown[]): Promise<{ rows: Row[]; rowCount: number }> {
  const result = await db.query<Row>({ name: statement.name, text: statement.text, values });
  return { rows: result.rows, rowCount: result.rowCount ?? 0 };
}

export async function queryOne(db: Queryable, statement: Statement, values: unknown[]): Promise<Row | undefined> {
  return (await query(db, statement, values)).rows[0];
}

export const selectJobForUpdate: Statement = { name: 'live2vod_job_for_update', text: 'SELECT * FROM jobs WHERE id = $1 FOR UPDATE' };
export const insertEvent: Statement = {
  name: 'live2vod_insert_event',
  text: 'INSERT INTO job_events (job_id, at, type, data) VALUES ($1, $2, $3, $4) RETURNING *',
};
