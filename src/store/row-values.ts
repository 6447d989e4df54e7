// Typed reads of database columns. The drivers hand back loosely typed rows (node:sqlite: numbers
// and strings; pg: Dates, booleans, parsed jsonb and int8 as strings), so every column goes through
// one of these, which also fail loudly when the schema and the code disagree.

export type Row = Record<string, unknown>;

function column(row: Row, key: string): unknown {
  if (!(key in row)) throw new Error(`store row has no column ${key}`);
  return row[key];
}

function mismatch(key: string, value: unknown, expected: string): Error {
  return new Error(`store column ${key}: expected ${expected}, got ${typeof value}`);
}

export function text(row: Row, key: string): string {
  const value = column(row, key);
  if (typeof value !== 'string') throw mismatch(key, value, 'text');
  return value;
}

export function optText(row: Row, key: string): string | undefined {
  return column(row, key) === null ? undefined : text(row, key);
}

/** Integers and floats; pg returns int8 (identity columns) as strings. */
export function num(row: Row, key: string): number {
  const value = column(row, key);
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint' || (typeof value === 'string' && value !== '')) return Number(value);
  throw mismatch(key, value, 'number');
}

export function optNum(row: Row, key: string): number | undefined {
  return column(row, key) === null ? undefined : num(row, key);
}

/** SQLite stores booleans as 0/1. */
export function bool(row: Row, key: string): boolean {
  const value = column(row, key);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  throw mismatch(key, value, 'boolean');
}

/** ISO strings in SQLite, timestamptz (a Date) in PostgreSQL; always an ISO string out. */
export function iso(row: Row, key: string): string {
  const value = column(row, key);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  throw mismatch(key, value, 'timestamp');
}

export function optIso(row: Row, key: string): string | undefined {
  return column(row, key) === null ? undefined : iso(row, key);
}

/** JSON as TEXT (SQLite) or jsonb, already parsed (PostgreSQL). */
export function json(row: Row, key: string): unknown {
  const value = column(row, key);
  return typeof value === 'string' ? JSON.parse(value) : value;
}
