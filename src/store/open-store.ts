// Picks the store implementation from configuration (composition roots call this).
import type { Store } from './store.ts';
import { openPostgresStore } from './postgres-store.ts';
import { openSqliteStore } from './sqlite-store.ts';

export type StoreConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

export function openStore(config: StoreConfig): Promise<Store> {
  switch (config.kind) {
    case 'sqlite':
      return openSqliteStore(config.file);
    case 'postgres':
      return openPostgresStore(config.url, { schema: config.schema, poolSize: config.poolSize });
  }
}
