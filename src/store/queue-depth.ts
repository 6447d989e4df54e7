// countByStateAndPriority answers with every (queued|running) × priority pair, zeros included, so a
// gauge that drops to zero is reported as zero instead of keeping its last value.
import { priorities, priorityFromWeight } from '../jobs/job.ts';
import type { JobState, Priority } from '../jobs/job.ts';

export type QueueDepth = { state: JobState; priority: Priority; count: number }[];

/** The SQL of both backends counts these states only. */
const countedStates = ['queued', 'running'] as const satisfies readonly JobState[];

export function queueDepth(groups: readonly { state: string; priorityWeight: number; count: number }[]): QueueDepth {
  return countedStates.flatMap((state) =>
    priorities.map((priority) => ({
      state,
      priority,
      count: groups.find((g) => g.state === state && priorityFromWeight(g.priorityWeight) === priority)?.count ?? 0,
    })),
  );
}
