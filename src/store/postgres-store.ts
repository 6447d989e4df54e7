// The PostgreSQL store (production, several control planes): a pool, migrated on open.
import type { Store } from './store.ts';
import { createPool, pgContext } from './postgres/context.ts';
import { postgresClaims } from './postgres/claims.ts';
import { postgresControls } from './postgres/controls.ts';
import { postgresDeliveries } from './postgres/deliveries.ts';
import { postgresEvents } from './postgres/events.ts';
import { postgresJobs } from './postgres/jobs.ts';
import { migratePostgres } from './postgres/migrate.ts';

export interface PostgresStoreOptions {
  /** Where the tables live (created when missing); `public` by default. */
  schema?: string | undefined;
  /** Connections in the pool; 10 by default. */
  poolSize?: number | undefined;
}

export async function openPostgresStore(connectionString: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const schema = options.schema ?? 'public';
  // It goes into the connection's startup options and into DDL: keep it a plain identifier.
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid PostgreSQL schema name: ${schema}`);
  const poolSize = options.poolSize ?? 10;
  const pool = createPool(connectionString, schema, poolSize);
  const ctx = pgContext(pool, schema);
  try {
    await migratePostgres(ctx);
  } catch (error) {
    await pool.end();
    throw error;
  }
  // createJob batches may hold part of the pool; the rest stays free for claims and the API.
  const { drain, ...jobs } = postgresJobs(ctx, Math.max(1, Math.floor(poolSize / 2)));
  let closed = false;
  return {
    migrate: () => migratePostgres(ctx),
    close: async () => {
      if (closed) return;
      closed = true;
      await drain();
      await pool.end();
    },
    ...jobs,
    ...postgresClaims(ctx),
    ...postgresControls(ctx),
    ...postgresEvents(ctx),
    ...postgresDeliveries(ctx),
  };
}
