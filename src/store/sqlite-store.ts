// The embedded store (the default): one SQLite file, migrated on open.
import type { Store } from './store.ts';
import { openDatabase, sqliteContext } from './sqlite/context.ts';
import { sqliteClaims } from './sqlite/claims.ts';
import { sqliteControls } from './sqlite/controls.ts';
import { sqliteDeliveries } from './sqlite/deliveries.ts';
import { sqliteEvents } from './sqlite/events.ts';
import { sqliteJobs } from './sqlite/jobs.ts';
import { migrateSqlite } from './sqlite/migrate.ts';

/** `file` is a path or `:memory:`. */
export async function openSqliteStore(file: string): Promise<Store> {
  const db = openDatabase(file);
  try {
    await migrateSqlite(db);
  } catch (error) {
    db.close();
    throw error;
  }
  const ctx = sqliteContext(db);
  const { drain, ...jobs } = sqliteJobs(ctx);
  return {
    migrate: () => migrateSqlite(db),
    close: async () => {
      await drain();
      if (db.isOpen) db.close();
    },
    ...jobs,
    ...sqliteClaims(ctx),
    ...sqliteControls(ctx),
    ...sqliteEvents(ctx),
    ...sqliteDeliveries(ctx),
  };
}
