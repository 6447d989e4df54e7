// A throwaway PostgreSQL database per test file: created on the test server, dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const postgresServerUrl = process.env.LIVE2VOD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A new database name with `prefix`, and its connection URL on the test server. */
export function throwawayDatabase(prefix: string): { database: string; databaseUrl: string } {
  const database = `${prefix}_${randomBytes(6).toString('hex')}`;
  const url = new URL(postgresServerUrl);
  url.pathname = `/${database}`;
  return { database, databaseUrl: url.toString() };
}

/** Runs one statement on the server's maintenance connection (CREATE/DROP DATABASE). */
export async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresServerUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
