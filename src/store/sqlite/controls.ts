// Changes asked for from outside the claim loop (worker progress, the API) in SQLite.
import { priorityWeight } from '../../jobs/job.ts';
import { assertTransition } from '../../jobs/state-machine.ts';
import type { Store } from '../store.ts';
import { cancelledWhileQueuedEvent, retriedEvent } from '../job-events.ts';
import { jobFromRow } from '../job-row.ts';
import type { SqliteContext } from './context.ts';

type ControlOperations = Pick<Store, 'setProgress' | 'markPlayable' | 'requestCancel' | 'setPriority' | 'setEventSummary' | 'retry'>;

export function sqliteControls(ctx: SqliteContext): ControlOperations {
  const { db } = ctx;
  const updateProgress = db.prepare(`UPDATE jobs SET progress = ?, updated_at = ? WHERE id = ? AND state = 'running'`);
  // The first report wins: playableAt is when the asset first became playable.
  const updatePlayable = db.prepare(`
    UPDATE jobs SET playable_at = coalesce(playable_at, $at), updated_at = $at
    WHERE id = $id AND state IN ('running', 'succeeded')
    RETURNING *`);
  const cancelQueued = db.prepare(`
    UPDATE jobs SET state = 'cancelled', run_after = NULL, finished_at = $at, updated_at = $at
    WHERE id = $id
    RETURNING *`);
  const flagCancel = db.prepare(`UPDATE jobs SET cancel_requested = 1, updated_at = $at WHERE id = $id RETURNING *`);
  const updatePriority = db.prepare(`UPDATE jobs SET priority = $priority, updated_at = $at WHERE id = $id AND state = 'queued' RETURNING *`);
  const updateEventSummary = db.prepare(`UPDATE jobs SET event_summary = $summary, updated_at = $at WHERE id = $id AND state = 'succeeded' RETURNING *`);
  const requeue = db.prepare(`
    UPDATE jobs
    SET state = 'queued', attempts = 0, progress = 0, error = NULL, cancel_requested = 0, run_after = NULL,
        finished_at = NULL, updated_at = $at
    WHERE id = $id
    RETURNING *`);

  return {
    async setProgress(jobId, progress, now) {
      updateProgress.run(Math.min(1, Math.max(0, progress)), now.toISOString(), jobId);
    },

    async markPlayable(jobId, now) {
      const row = updatePlayable.get({ id: jobId, at: now.toISOString() });
      return row ? jobFromRow(row) : undefined;
    },

    async requestCancel(jobId, now) {
      const at = now.toISOString();
      return ctx.transaction(() => {
        const row = ctx.selectJob(jobId);
        if (!row) return undefined;
        const job = jobFromRow(row);
        if (job.state === 'queued') {
          assertTransition(job.state, 'cancelled');
          const event = cancelledWhileQueuedEvent(job);
          const cancelled = cancelQueued.get({ id: jobId, at });
          ctx.insertEvent(jobId, at, event.type, event.data);
          return cancelled ? jobFromRow(cancelled) : undefined;
        }
        // The scheduler stops the worker and then finishes the attempt as cancelled.
        if (job.state === 'running') {
          if (job.cancelRequested) return job;
          const flagged = flagCancel.get({ id: jobId, at });
          return flagged ? jobFromRow(flagged) : undefined;
        }
        return job; // already over: nothing to cancel
      });
    },

    async setPriority(jobId, priority, now) {
      const row = updatePriority.get({ id: jobId, priority: priorityWeight[priority], at: now.toISOString() });
      return row ? jobFromRow(row) : undefined;
    },

    async setEventSummary(jobId, summary, now) {
      const row = updateEventSummary.get({ id: jobId, summary: JSON.stringify(summary), at: now.toISOString() });
      return row ? jobFromRow(row) : undefined;
    },

    async retry(jobId, now) {
      const at = now.toISOString();
      return ctx.transaction(() => {
        const row = ctx.selectJob(jobId);
        if (!row) return undefined;
        const job = jobFromRow(row);
        if (job.state !== 'failed' && job.state !== 'cancelled') return undefined;
        assertTransition(job.state, 'queued');
        const event = retriedEvent(job);
        const requeued = requeue.get({ id: jobId, at });
        ctx.insertEvent(jobId, at, event.type, event.data);
        return requeued ? jobFromRow(requeued) : undefined;
      });
    },
  };
}
