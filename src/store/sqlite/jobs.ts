// Creating, reading and listing jobs in SQLite.
import type { Job, NewJob } from '../../jobs/job.ts';
import { createBatcher } from '../batcher.ts';
import type { Store } from '../store.ts';
import { jobFromRow } from '../job-row.ts';
import { queuedEvent } from '../job-events.ts';
import { listParams, pageOf } from '../list-filter.ts';
import { newJobValues } from '../new-job.ts';
import { queueDepth } from '../queue-depth.ts';
import { num, text } from '../row-values.ts';
import type { SqliteContext } from './context.ts';

type JobOperations = Pick<Store, 'createJob' | 'getJob' | 'listJobs' | 'countByStateAndPriority'> & {
  /** Waits for createJob calls still being batched. */
  drain(): Promise<void>;
};

export function sqliteJobs(ctx: SqliteContext): JobOperations {
  const { db } = ctx;
  const insertJob = db.prepare(`
    INSERT INTO jobs (id, idempotency_key, source, source_kind, priority, state, max_attempts, output_prefix, metadata, source_facts, kind, parent_job_id, clip, trim, created_at, updated_at)
    VALUES ($id, $idempotencyKey, $source, $sourceKind, $priority, 'queued', $maxAttempts, $outputPrefix, $metadata, $sourceFacts, $kind, $parentJobId, $clip, $trim, $createdAt, $createdAt)
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING *`);
  const jobByKey = db.prepare('SELECT * FROM jobs WHERE idempotency_key = ?');
  const list = db.prepare(`
    SELECT * FROM jobs
    WHERE ($states IS NULL OR state IN (SELECT value FROM json_each($states)))
      AND ($priorities IS NULL OR priority IN (SELECT value FROM json_each($priorities)))
      AND ($sourceKinds IS NULL OR source_kind IN (SELECT value FROM json_each($sourceKinds)))
      AND ($uploads IS NULL OR (json_extract(metadata, '$.upload') IS NOT NULL) = $uploads)
      AND ($parentJobId IS NULL OR parent_job_id = $parentJobId)
      AND ($before IS NULL OR seq < $before)
    ORDER BY seq DESC
    LIMIT $fetch`);
  const counts = db.prepare(`
    SELECT state, priority, count(*) AS count FROM jobs
    WHERE state IN ('queued', 'running')
    GROUP BY state, priority`);

  /** Inside the caller's transaction. */
  function createOne(input: NewJob, now: Date): { job: Job; created: boolean } {
    const values = newJobValues(input, now);
    const inserted = insertJob.get({ ...values });
    if (inserted) {
      const event = queuedEvent(input);
      ctx.insertEvent(values.id, values.createdAt, event.type, event.data);
      return { job: jobFromRow(inserted), created: true };
    }
    const existing = jobByKey.get(input.idempotencyKey);
    if (!existing) throw new Error(`store: idempotency key ${input.idempotencyKey} conflicted but no job has it`);
    return { job: jobFromRow(existing), created: false };
  }

  // A commit in WAL mode appends every page it touched (about seven per job) and triggers a
  // checkpoint (two fsyncs) every thousand pages: jobs written together share pages and commits.
  const creates = createBatcher({
    maxBatch: 128,
    maxInFlight: 1,
    run: async (batch: { input: NewJob; now: Date }[]) => ctx.transaction(() => batch.map(({ input, now }) => createOne(input, now))),
  });

  return {
    createJob: (input, now) => creates.submit({ input, now }),
    drain: () => creates.drain(),

    async getJob(id) {
      const row = ctx.selectJob(id);
      return row ? jobFromRow(row) : undefined;
    },

    async listJobs(filter) {
      const params = listParams(filter);
      const json = (values: unknown[] | null) => (values ? JSON.stringify(values) : null);
      const rows = list.all({
        states: json(params.states),
        priorities: json(params.priorities),
        sourceKinds: json(params.sourceKinds),
        // SQLite has no booleans: 1/0 compare with the IS NOT NULL above.
        uploads: params.uploads === null ? null : Number(params.uploads),
        parentJobId: params.parentJobId,
        before: params.before,
        fetch: params.fetch,
      });
      return pageOf(rows.map(jobFromRow), params.limit);
    },

    async countByStateAndPriority() {
      return queueDepth(counts.all().map((row) => ({ state: text(row, 'state'), priorityWeight: num(row, 'priority'), count: num(row, 'count') })));
    },
  };
}
