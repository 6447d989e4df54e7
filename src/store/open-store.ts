// Picks the store implementation from configuration (composition roots call this). Each is
// imported when chosen: a SQLite service never loads pg, a PostgreSQL one never opens node:sqlite.
import type { Store } from './store.ts';

export type StoreConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

export async function openStore(config: StoreConfig): Promise<Store> {
  switch (config.kind) {
    case 'sqlite':
      return (await import('./sqlite-store.ts')).openSqliteStore(config.file);
    case 'postgres':
      return (await import('./postgres-store.ts')).openPostgresStore(config.url, { schema: config.schema, poolSize: config.poolSize });
  }
}
