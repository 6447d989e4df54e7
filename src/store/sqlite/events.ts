// Attempts and the event log in SQLite.
import type { Store } from '../store.ts';
import { attemptFromRow, eventFromRow } from '../job-row.ts';
import type { SqliteContext } from './context.ts';

type EventOperations = Pick<Store, 'listAttempts' | 'appendEvent' | 'listEvents'>;

export function sqliteEvents(ctx: SqliteContext): EventOperations {
  const attempts = ctx.db.prepare('SELECT * FROM attempts WHERE job_id = ? ORDER BY number');
  const events = ctx.db.prepare('SELECT * FROM job_events WHERE job_id = ? AND id > ? ORDER BY id');

  return {
    async listAttempts(jobId) {
      return attempts.all(jobId).map(attemptFromRow);
    },

    async appendEvent(jobId, type, data, now) {
      return eventFromRow(ctx.insertEvent(jobId, now.toISOString(), type, JSON.stringify(data)));
    },

    async listEvents(jobId, afterId = 0) {
      return events.all(jobId, afterId).map(eventFromRow);
    },
  };
}
