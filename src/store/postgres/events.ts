// Attempts and the event log in PostgreSQL.
import type { Store } from '../store.ts';
import { attemptFromRow, eventFromRow } from '../job-row.ts';
import { insertEvent, query, queryOne } from './context.ts';
import type { PgContext, Statement } from './context.ts';

type EventOperations = Pick<Store, 'listAttempts' | 'appendEvent' | 'listEvents'>;

const attempts: Statement = { name: 'live2vod_list_attempts', text: 'SELECT * FROM attempts WHERE job_id = $1 ORDER BY number' };
const events: Statement = { name: 'live2vod_list_events', text: 'SELECT * FROM job_events WHERE job_id = $1 AND id > $2 ORDER BY id' };

export function postgresEvents(ctx: PgContext): EventOperations {
  const { pool } = ctx;
  return {
    async listAttempts(jobId) {
      return (await query(pool, attempts, [jobId])).rows.map(attemptFromRow);
    },

    async appendEvent(jobId, type, data, now) {
      const row = await queryOne(pool, insertEvent, [jobId, now.toISOString(), type, JSON.stringify(data)]);
      if (!row) throw new Error('store: event insert returned no row');
      return eventFromRow(row);
    },

    async listEvents(jobId, afterId = 0) {
      return (await query(pool, events, [jobId, afterId])).rows.map(eventFromRow);
    },
  };
}
