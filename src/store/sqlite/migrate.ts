// Applies the SQLite migrations not yet recorded in schema_migrations, each in its own
// transaction with its record, so a second run (or a second process) changes nothing.
import type { DatabaseSync } from 'node:sqlite';
import { loadMigrations } from '../migration-files.ts';
import { transactionOf } from './context.ts';

const migrationsDir = new URL('../migrations/sqlite/', import.meta.url);

export async function migrateSqlite(db: DatabaseSync): Promise<void> {
  const migrations = await loadMigrations(migrationsDir);
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = db.prepare('SELECT 1 AS applied FROM schema_migrations WHERE version = ?');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const transaction = transactionOf(db);
  for (const migration of migrations) {
    transaction(() => {
      // Checked inside the write lock: another process may have applied it meanwhile.
      if (applied.get(migration.version)) return;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    });
  }
}
