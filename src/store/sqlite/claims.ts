// Claims, leases and the end of attempts in SQLite. Each operation is one BEGIN IMMEDIATE
// transaction, so a job is claimed, renewed or finished by one control plane at a time.
import { priorityWeight, type Job } from '../../jobs/job.ts';
import type { Store } from '../store.ts';
import { holdsLease, planFinish } from '../finish-plan.ts';
import type { FinishPlan } from '../finish-plan.ts';
import { jobFromRow } from '../job-row.ts';
import { text } from '../row-values.ts';
import type { SqliteContext } from './context.ts';

type ClaimOperations = Pick<Store, 'claimNext' | 'renewLease' | 'requeueExpired' | 'finishAttempt'>;

export function sqliteClaims(ctx: SqliteContext): ClaimOperations {
  const { db } = ctx;
  const nextRunnable = db.prepare(`
    SELECT id FROM jobs
    WHERE state = 'queued' AND (run_after IS NULL OR run_after <= ?) AND priority >= ?
    ORDER BY priority DESC, seq
    LIMIT 1`);
  const markRunning = db.prepare(`
    UPDATE jobs
    SET state = 'running', attempts = attempts + 1, progress = 0, lease_owner = $owner, lease_expires_at = $leaseExpiresAt,
        run_after = NULL, playable_at = NULL, started_at = $now, updated_at = $now
    WHERE id = $id
    RETURNING *`);
  const openAttempt = db.prepare(`
    INSERT INTO attempts (job_id, number, started_at, counts)
    VALUES ($id, (SELECT coalesce(max(number), 0) + 1 FROM attempts WHERE job_id = $id), $now, 1)`);
  // A cancel request also answers false: that is how the owner learns of a cancel made through
  // another control plane. The lease stays, so the owner can still finish the attempt as cancelled.
  const extendLease = db.prepare(`
    UPDATE jobs SET lease_expires_at = ?
    WHERE id = ? AND state = 'running' AND lease_owner = ? AND cancel_requested = 0`);
  // `+seq` keeps the planner on the lease index instead of scanning the table in seq order.
  const expired = db.prepare(`SELECT * FROM jobs WHERE state = 'running' AND lease_expires_at <= ? ORDER BY +seq`);
  const endJob = db.prepare(`
    UPDATE jobs
    SET state = $state, progress = $progress, attempts = $attempts, error = $error, event_summary = $eventSummary, run_after = $runAfter,
        lease_owner = NULL, lease_expires_at = NULL, finished_at = $finishedAt, updated_at = $at
    WHERE id = $id
    RETURNING *`);
  const closeAttempt = db.prepare(`
    UPDATE attempts SET finished_at = $at, outcome = $outcome, reason = $reason, counts = $counts
    WHERE job_id = $id AND finished_at IS NULL`);

  /** Writes a FinishPlan: the job, its open attempt and the event, inside the caller's transaction. */
  function applyFinish(id: string, plan: FinishPlan): Job {
    const row = endJob.get({
      id,
      state: plan.state,
      progress: plan.progress,
      attempts: plan.attempts,
      error: plan.error,
      eventSummary: plan.eventSummary,
      runAfter: plan.runAfter,
      finishedAt: plan.finishedAt,
      at: plan.at,
    });
    if (!row) throw new Error(`store: job ${id} vanished while finishing its attempt`);
    closeAttempt.run({ id, at: plan.at, outcome: plan.attempt.outcome, reason: plan.attempt.reason, counts: plan.attempt.counts ? 1 : 0 });
    ctx.insertEvent(id, plan.at, plan.event.type, plan.event.data);
    return jobFromRow(row);
  }

  return {
    async claimNext({ owner, now, leaseMs, minPriority }) {
      const at = now.toISOString();
      return ctx.transaction(() => {
        const next = nextRunnable.get(at, minPriority ? priorityWeight[minPriority] : 0);
        if (!next) return undefined;
        const id = text(next, 'id');
        const row = markRunning.get({ id, owner, leaseExpiresAt: new Date(now.getTime() + leaseMs).toISOString(), now: at });
        if (!row) return undefined;
        openAttempt.run({ id, now: at });
        return jobFromRow(row);
      });
    },

    async renewLease(jobId, owner, until) {
      return extendLease.run(until.toISOString(), jobId, owner).changes > 0;
    },

    async requeueExpired(now, options) {
      return ctx.transaction(() =>
        expired.all((options?.leasesBefore ?? now).toISOString()).map((row) => {
          const job = jobFromRow(row);
          return applyFinish(job.id, planFinish(job, { state: 'queued', outcome: 'interrupted', reason: 'lease expired', runAfter: now }, now));
        }),
      );
    },

    async finishAttempt(jobId, owner, result, now) {
      return ctx.transaction(() => {
        const row = ctx.selectJob(jobId);
        if (!row) return undefined;
        const job = jobFromRow(row);
        if (!holdsLease(job, owner)) return undefined;
        return applyFinish(jobId, planFinish(job, result, now));
      });
    },
  };
}
