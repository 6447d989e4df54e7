// Claims, leases and the end of attempts in PostgreSQL. The claim locks its row with
// FOR UPDATE SKIP LOCKED, so concurrent control planes each take a different job without waiting.
import { priorityWeight, type Job } from '../../jobs/job.ts';
import type { Store } from '../store.ts';
import { holdsLease, planFinish } from '../finish-plan.ts';
import type { FinishPlan } from '../finish-plan.ts';
import { jobFromRow } from '../job-row.ts';
import { query, queryOne, selectJobForUpdate } from './context.ts';
import type { PgContext, Queryable, Statement } from './context.ts';

type ClaimOperations = Pick<Store, 'claimNext' | 'renewLease' | 'requeueExpired' | 'finishAttempt'>;

// Picks, marks running and opens the attempt in one statement. The attempt number is safe to
// compute here: nobody else touches the attempts of a job whose row we hold locked.
const claim: Statement = {
  name: 'live2vod_claim',
  text: `
    WITH next AS (
      SELECT id FROM jobs
      WHERE state = 'queued' AND (run_after IS NULL OR run_after <= $1) AND priority >= $4
      ORDER BY priority DESC, seq
      LIMIT 1
      FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE jobs
      SET state = 'running', attempts = jobs.attempts + 1, progress = 0, lease_owner = $2, lease_expires_at = $3,
          run_after = NULL, playable_at = NULL, started_at = $1, updated_at = $1
      FROM next
      WHERE jobs.id = next.id
      RETURNING jobs.*
    ), attempt AS (
      INSERT INTO attempts (job_id, number, started_at, counts)
      SELECT id, (SELECT coalesce(max(a.number), 0) + 1 FROM attempts a WHERE a.job_id = claimed.id), $1, true
      FROM claimed
    )
    SELECT * FROM claimed`,
};
// A cancel request also answers false: that is how the owner learns of a cancel made through
// another control plane. The lease stays, so the owner can still finish the attempt as cancelled.
const renew: Statement = {
  name: 'live2vod_renew_lease',
  text: `UPDATE jobs SET lease_expires_at = $1 WHERE id = $2 AND state = 'running' AND lease_owner = $3 AND NOT cancel_requested`,
};
const expired: Statement = {
  name: 'live2vod_expired_leases',
  text: `SELECT * FROM jobs WHERE state = 'running' AND lease_expires_at <= $1 ORDER BY seq FOR UPDATE SKIP LOCKED`,
};
// The job, its open attempt and the event of a FinishPlan, in one statement.
const finish: Statement = {
  name: 'live2vod_finish_attempt',
  text: `
    WITH ended AS (
      UPDATE jobs
      SET state = $2, progress = $3, attempts = $4, error = $5, run_after = $6, lease_owner = NULL, lease_expires_at = NULL,
          finished_at = $7, updated_at = $8, event_summary = $14
      WHERE id = $1
      RETURNING *
    ), attempt AS (
      UPDATE attempts SET finished_at = $8, outcome = $9, reason = $10, counts = $11
      WHERE job_id = $1 AND finished_at IS NULL
    ), event AS (
      INSERT INTO job_events (job_id, at, type, data) VALUES ($1, $8, $12, $13)
    )
    SELECT * FROM ended`,
};

async function applyFinish(db: Queryable, id: string, plan: FinishPlan): Promise<Job> {
  const { attempt, event } = plan;
  const row = await queryOne(db, finish, [
    id, plan.state, plan.progress, plan.attempts, plan.error, plan.runAfter, plan.finishedAt, plan.at,
    attempt.outcome, attempt.reason, attempt.counts, event.type, event.data, plan.eventSummary,
  ]);
  if (!row) throw new Error(`store: job ${id} vanished while finishing its attempt`);
  return jobFromRow(row);
}

export function postgresClaims(ctx: PgContext): ClaimOperations {
  const { pool } = ctx;
  return {
    async claimNext({ owner, now, leaseMs, minPriority }) {
      const row = await queryOne(pool, claim, [now.toISOString(), owner, new Date(now.getTime() + leaseMs).toISOString(), minPriority ? priorityWeight[minPriority] : 0]);
      return row ? jobFromRow(row) : undefined;
    },

    async renewLease(jobId, owner, until) {
      return (await query(pool, renew, [until.toISOString(), jobId, owner])).rowCount > 0;
    },

    async requeueExpired(now, options) {
      return ctx.transaction(async (client) => {
        const { rows } = await query(client, expired, [(options?.leasesBefore ?? now).toISOString()]);
        const requeued: Job[] = [];
        for (const row of rows) {
          const job = jobFromRow(row);
          const plan = planFinish(job, { state: 'queued', outcome: 'interrupted', reason: 'lease expired', runAfter: now }, now);
          requeued.push(await applyFinish(client, job.id, plan));
        }
        return requeued;
      });
    },

    async finishAttempt(jobId, owner, result, now) {
      return ctx.transaction(async (client) => {
        const row = await queryOne(client, selectJobForUpdate, [jobId]);
        if (!row) return undefined;
        const job = jobFromRow(row);
        if (!holdsLease(job, owner)) return undefined;
        return applyFinish(client, jobId, planFinish(job, result, now));
      });
    },
  };
}
