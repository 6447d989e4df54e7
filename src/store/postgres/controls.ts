// Changes asked for from outside the claim loop (worker progress, the API) in PostgreSQL.
import { priorityWeight } from '../../jobs/job.ts';
import { assertTransition } from '../../jobs/state-machine.ts';
import type { Store } from '../store.ts';
import { cancelledWhileQueuedEvent, retriedEvent } from '../job-events.ts';
import { jobFromRow } from '../job-row.ts';
import { insertEvent, query, queryOne, selectJobForUpdate } from './context.ts';
import type { PgContext, Statement } from './context.ts';

type ControlOperations = Pick<Store, 'setProgress' | 'markPlayable' | 'requestCancel' | 'setPriority' | 'setEventSummary' | 'retry'>;

const updateProgress: Statement = {
  name: 'live2vod_set_progress',
  text: `UPDATE jobs SET progress = $1, updated_at = $2 WHERE id = $3 AND state = 'running'`,
};
// The first report wins: playableAt is when the asset first became playable.
const updatePlayable: Statement = {
  name: 'live2vod_mark_playable',
  text: `
    UPDATE jobs SET playable_at = coalesce(playable_at, $2), updated_at = $2
    WHERE id = $1 AND state IN ('running', 'succeeded')
    RETURNING *`,
};
const cancelQueued: Statement = {
  name: 'live2vod_cancel_queued',
  text: `UPDATE jobs SET state = 'cancelled', run_after = NULL, finished_at = $2, updated_at = $2 WHERE id = $1 RETURNING *`,
};
const flagCancel: Statement = {
  name: 'live2vod_flag_cancel',
  text: `UPDATE jobs SET cancel_requested = true, updated_at = $2 WHERE id = $1 RETURNING *`,
};
const updatePriority: Statement = {
  name: 'live2vod_set_priority',
  text: `UPDATE jobs SET priority = $2, updated_at = $3 WHERE id = $1 AND state = 'queued' RETURNING *`,
};
const updateEventSummary: Statement = {
  name: 'live2vod_set_event_summary',
  text: `UPDATE jobs SET event_summary = $2, updated_at = $3 WHERE id = $1 AND state = 'succeeded' RETURNING *`,
};
const requeue: Statement = {
  name: 'live2vod_retry',
  text: `
    UPDATE jobs
    SET state = 'queued', attempts = 0, progress = 0, error = NULL, cancel_requested = false, run_after = NULL,
        finished_at = NULL, updated_at = $2
    WHERE id = $1
    RETURNING *`,
};

export function postgresControls(ctx: PgContext): ControlOperations {
  const { pool } = ctx;
  return {
    async setProgress(jobId, progress, now) {
      await query(pool, updateProgress, [Math.min(1, Math.max(0, progress)), now.toISOString(), jobId]);
    },

    async markPlayable(jobId, now) {
      const row = await queryOne(pool, updatePlayable, [jobId, now.toISOString()]);
      return row ? jobFromRow(row) : undefined;
    },

    async requestCancel(jobId, now) {
      const at = now.toISOString();
      return ctx.transaction(async (client) => {
        const row = await queryOne(client, selectJobForUpdate, [jobId]);
        if (!row) return undefined;
        const job = jobFromRow(row);
        if (job.state === 'queued') {
          assertTransition(job.state, 'cancelled');
          const event = cancelledWhileQueuedEvent(job);
          const cancelled = await queryOne(client, cancelQueued, [jobId, at]);
          await query(client, insertEvent, [jobId, at, event.type, event.data]);
          return cancelled ? jobFromRow(cancelled) : undefined;
        }
        // The scheduler stops the worker and then finishes the attempt as cancelled.
        if (job.state === 'running') {
          if (job.cancelRequested) return job;
          const flagged = await queryOne(client, flagCancel, [jobId, at]);
          return flagged ? jobFromRow(flagged) : undefined;
        }
        return job; // already over: nothing to cancel
      });
    },

    async setPriority(jobId, priority, now) {
      const row = await queryOne(pool, updatePriority, [jobId, priorityWeight[priority], now.toISOString()]);
      return row ? jobFromRow(row) : undefined;
    },

    async setEventSummary(jobId, summary, now) {
      const row = await queryOne(pool, updateEventSummary, [jobId, JSON.stringify(summary), now.toISOString()]);
      return row ? jobFromRow(row) : undefined;
    },

    async retry(jobId, now) {
      const at = now.toISOString();
      return ctx.transaction(async (client) => {
        const row = await queryOne(client, selectJobForUpdate, [jobId]);
        if (!row) return undefined;
        const job = jobFromRow(row);
        if (job.state !== 'failed' && job.state !== 'cancelled') return undefined;
        assertTransition(job.state, 'queued');
        const event = retriedEvent(job);
        const requeued = await queryOne(client, requeue, [jobId, at]);
        await query(client, insertEvent, [jobId, at, event.type, event.data]);
        return requeued ? jobFromRow(requeued) : undefined;
      });
    },
  };
}
