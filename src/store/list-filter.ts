// JobFilter → bind values shared by both backends. An empty list means "no filter", like an
// absent one, so a query string without `state=` lists every state.
import { priorityWeight } from '../jobs/job.ts';
import type { JobFilter } from './store.ts';

export interface ListParams {
  states: string[] | null;
  priorities: number[] | null;
  sourceKinds: string[] | null;
  uploads: boolean | null;
  parentJobId: string | null;
  before: number | null;
  /** One more than asked for: its presence says there is a next page. */
  fetch: number;
  limit: number;
}

function listOrNull<T>(values: readonly T[] | undefined): T[] | null {
  return values && values.length > 0 ? [...values] : null;
}

export function listParams(filter: JobFilter): ListParams {
  const limit = Math.max(1, Math.floor(filter.limit));
  return {
    states: listOrNull(filter.states),
    priorities: listOrNull(filter.priorities?.map((p) => priorityWeight[p])),
    sourceKinds: listOrNull(filter.sourceKinds),
    uploads: filter.uploads ?? null,
    parentJobId: filter.parentJobId ?? null,
    before: filter.before ?? null,
    fetch: limit + 1,
    limit,
  };
}

export function pageOf<T extends { seq: number }>(rows: T[], limit: number): { items: T[]; nextCursor?: number } {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return last ? { items, nextCursor: last.seq } : { items };
}
