// One SQLite connection and the statements every operation module needs. node:sqlite is
// synchronous, so nothing interleaves inside one process; BEGIN IMMEDIATE takes the write lock up
// front, so a read-then-write never fails half-way with SQLITE_BUSY when another process writes.
import { DatabaseSync } from 'node:sqlite';
import type { Row } from '../row-values.ts';

export interface SqliteContext {
  db: DatabaseSync;
  transaction<T>(fn: () => T): T;
  selectJob(id: string): Row | undefined;
  insertEvent(jobId: string, at: string, type: string, data: string): Row;
}

export function openDatabase(file: string): DatabaseSync {
  const db = new DatabaseSync(file, { timeout: 5000, enableForeignKeyConstraints: true });
  // WAL: readers never wait for the writer. synchronous=NORMAL: no fsync per commit; a power cut
  // may lose the last commits but never corrupts the file.
  if (file !== ':memory:') db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = NORMAL');
  return db;
}

export function transactionOf(db: DatabaseSync): <T>(fn: () => T) => T {
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  return (fn) => {
    begin.run();
    try {
      const result = fn();
      commit.run();
      return result;
    } catch (error) {
      if (db.isTransaction) rollback.run();
      throw error;
    }
  };
}

/** Call after migrating: statements can only be prepared once their tables exist. */
export function sqliteContext(db: DatabaseSync): SqliteContext {
  const selectJob = db.prepare('SELECT * FROM jobs WHERE id = ?');
  const insertEvent = db.prepare('INSERT INTO job_events (job_id, at, type, data) VALUES (?, ?, ?, ?) RETURNING *');
  return {
    db,
    transaction: transactionOf(db),
    selectJob: (id) => selectJob.get(id),
    insertEvent: (jobId, at, type, data) => {
      const row = insertEvent.get(jobId, at, type, data);
      if (!row) throw new Error('store: event insert returned no row');
      return row;
    },
  };
}
