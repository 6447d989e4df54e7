// Reads the numbered migrations of one backend: `NNN_name.sql`, applied in version order.
import { readdir, readFile } from 'node:fs/promises';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export async function loadMigrations(dir: URL): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for (const file of await readdir(dir)) {
    const match = /^(\d+)_([\w-]+)\.sql$/.exec(file);
    if (!match?.[1] || !match[2]) continue;
    migrations.push({ version: Number(match[1]), name: match[2], sql: await readFile(new URL(file, dir), 'utf8') });
  }
  migrations.sort((a, b) => a.version - b.version);
  const duplicate = migrations.find((m, i) => migrations[i - 1]?.version === m.version);
  if (duplicate) throw new Error(`two migrations with version ${duplicate.version} in ${dir.pathname}`);
  return migrations;
}
