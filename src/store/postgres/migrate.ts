// Applies the PostgreSQL migrations not yet recorded in schema_migrations, all in one transaction
// under an advisory lock, so control planes starting together migrate once and a second run changes
// nothing.
import { escapeIdentifier } from 'pg';
import { loadMigrations } from '../migration-files.ts';
import type { PgContext } from './context.ts';

const migrationsDir = new URL('../migrations/postgres/', import.meta.url);

export async function migratePostgres(ctx: PgContext): Promise<void> {
  const migrations = await loadMigrations(migrationsDir);
  await ctx.transaction(async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('live2vod.migrate'), hashtext($1))`, [ctx.schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${escapeIdentifier(ctx.schema)}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${escapeIdentifier(ctx.schema)}.schema_migrations
         (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const applied = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(applied.rows.map((row) => row.version));
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql); // simple protocol: several statements in one go
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
    }
  });
}
