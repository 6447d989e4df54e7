// Creating, reading and listing jobs in PostgreSQL.
import type { Pool } from 'pg';
import type { Job, NewJob } from '../../jobs/job.ts';
import { createBatcher } from '../batcher.ts';
import type { Store } from '../store.ts';
import { queuedEvent } from '../job-events.ts';
import { jobFromRow } from '../job-row.ts';
import { listParams, pageOf } from '../list-filter.ts';
import { newJobValues } from '../new-job.ts';
import { queueDepth } from '../queue-depth.ts';
import { num, text } from '../row-values.ts';
import { query, queryOne } from './context.ts';
import type { PgContext, Statement } from './context.ts';

type JobOperations = Pick<Store, 'createJob' | 'getJob' | 'listJobs' | 'countByStateAndPriority'> & {
  /** Waits for createJob calls still being batched. */
  drain(): Promise<void>;
};

// A batch of jobs and their job.queued events in one statement (one round trip, one commit). A
// duplicate key inserts nothing and returns no row, also within the batch; ON CONFLICT waits for a
// concurrent insert of the same key to commit, so the follow-up SELECT then finds it.
const insertJobs: Statement = {
  name: 'live2vod_insert_jobs',
  text: `
    WITH input AS (
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::int[], $7::text[], $8::jsonb[], $9::timestamptz[], $10::jsonb[], $11::jsonb[], $12::text[], $13::text[], $14::jsonb[], $15::jsonb[])
        WITH ORDINALITY AS t (id, idempotency_key, source, source_kind, priority, max_attempts, output_prefix, metadata, created_at, event_data, source_facts, kind, parent_job_id, clip, trim, ord)
    ), inserted AS (
      INSERT INTO jobs (id, idempotency_key, source, source_kind, priority, state, max_attempts, output_prefix, metadata, source_facts, kind, parent_job_id, clip, trim, created_at, updated_at)
      SELECT id, idempotency_key, source, source_kind, priority, 'queued', max_attempts, output_prefix, metadata, source_facts, kind, parent_job_id, clip, trim, created_at, created_at
      FROM input
      ORDER BY ord
      ON CONFLICT (idempotency_key) DO NOTHING
      RETURNING *
    ), event AS (
      INSERT INTO job_events (job_id, at, type, data)
      SELECT inserted.id, inserted.created_at, 'job.queued', input.event_data FROM inserted JOIN input USING (id)
    )
    SELECT * FROM inserted`,
};
const jobsByKey: Statement = { name: 'live2vod_jobs_by_key', text: 'SELECT * FROM jobs WHERE idempotency_key = ANY ($1::text[])' };
const jobById: Statement = { name: 'live2vod_job_by_id', text: 'SELECT * FROM jobs WHERE id = $1' };
const listJobs: Statement = {
  name: 'live2vod_list_jobs',
  text: `
    SELECT * FROM jobs
    WHERE ($1::text[] IS NULL OR state = ANY ($1))
      AND ($2::int[] IS NULL OR priority = ANY ($2))
      AND ($3::text[] IS NULL OR source_kind = ANY ($3))
      AND ($4::bigint IS NULL OR seq < $4)
      AND ($6::boolean IS NULL OR (metadata ? 'upload') = $6)
      AND ($7::text IS NULL OR parent_job_id = $7)
    ORDER BY seq DESC
    LIMIT $5`,
};
const countJobs: Statement = {
  name: 'live2vod_count_jobs',
  text: `SELECT state, priority, count(*)::int AS count FROM jobs WHERE state IN ('queued', 'running') GROUP BY state, priority`,
};

type CreateRequest = { input: NewJob; now: Date };

/** Writes a batch; answers in input order. */
async function createJobs(pool: Pool, batch: CreateRequest[]): Promise<{ job: Job; created: boolean }[]> {
  // Rows go in by idempotency key: two batches waiting on each other's uncommitted keys then take
  // them in the same order and cannot deadlock. (FIFO between jobs that arrive within the same
  // few milliseconds is no promise anyone can observe.)
  const rows = batch.map(({ input, now }) => ({ v: newJobValues(input, now), event: queuedEvent(input) }));
  const ordered = [...rows].sort((a, b) => (a.v.idempotencyKey < b.v.idempotencyKey ? -1 : a.v.idempotencyKey > b.v.idempotencyKey ? 1 : 0));
  const column = <T>(pick: (row: (typeof rows)[number]) => T): T[] => ordered.map(pick);
  const { rows: inserted } = await query(pool, insertJobs, [
    column((r) => r.v.id),
    column((r) => r.v.idempotencyKey),
    column((r) => r.v.source),
    column((r) => r.v.sourceKind),
    column((r) => r.v.priority),
    column((r) => r.v.maxAttempts),
    column((r) => r.v.outputPrefix),
    column((r) => r.v.metadata),
    column((r) => r.v.createdAt),
    column((r) => r.event.data),
    column((r) => r.v.sourceFacts),
    column((r) => r.v.kind),
    column((r) => r.v.parentJobId),
    column((r) => r.v.clip),
    column((r) => r.v.trim),
  ]);
  const created = new Map(inserted.map((row) => [text(row, 'id'), jobFromRow(row)]));
  const missingKeys = rows.filter((r) => !created.has(r.v.id)).map((r) => r.v.idempotencyKey);
  const existing = new Map<string, Job>();
  if (missingKeys.length > 0) {
    for (const row of (await query(pool, jobsByKey, [missingKeys])).rows) existing.set(text(row, 'idempotency_key'), jobFromRow(row));
  }
  return rows.map(({ v }) => {
    const job = created.get(v.id);
    if (job) return { job, created: true };
    const found = existing.get(v.idempotencyKey);
    if (!found) throw new Error(`store: idempotency key ${v.idempotencyKey} conflicted but no job has it`);
    return { job: found, created: false };
  });
}

export function postgresJobs(ctx: PgContext, maxInFlight: number): JobOperations {
  const { pool } = ctx;
  const creates = createBatcher({ maxBatch: 128, maxInFlight, run: (batch: CreateRequest[]) => createJobs(pool, batch) });
  return {
    createJob: (input, now) => creates.submit({ input, now }),
    drain: () => creates.drain(),

    async getJob(id) {
      const row = await queryOne(pool, jobById, [id]);
      return row ? jobFromRow(row) : undefined;
    },

    async listJobs(filter) {
      const p = listParams(filter);
      const { rows } = await query(pool, listJobs, [p.states, p.priorities, p.sourceKinds, p.before, p.fetch, p.uploads, p.parentJobId]);
      return pageOf(rows.map(jobFromRow), p.limit);
    },

    async countByStateAndPriority() {
      const { rows } = await query(pool, countJobs, []);
      return queueDepth(rows.map((row) => ({ state: text(row, 'state'), priorityWeight: num(row, 'priority'), count: num(row, 'count') })));
    },
  };
}
