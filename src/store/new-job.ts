// The values of a freshly queued job, decided once for both backends.
import { outputPrefixOf, priorityWeight } from '../jobs/job.ts';
import type { NewJob } from '../jobs/job.ts';
import { newJobId } from '../jobs/job-id.ts';
import { appliedTrim } from '../jobs/trim-request.ts';

export interface NewJobValues {
  id: string;
  idempotencyKey: string;
  source: string;
  sourceKind: string;
  priority: number;
  maxAttempts: number;
  outputPrefix: string;
  /** JSON text of the metadata object. */
  metadata: string;
  /** JSON text of the SourceFacts. */
  sourceFacts: string;
  createdAt: string;
  kind: string;
  parentJobId: string | null;
  /** JSON text of the ClipRange, or null. */
  clip: string | null;
  /** JSON text of `{request: the applied trim}` ("auto" or {start, end}; wrapped: a bare JSON string reads back unparsed from jsonb), or null for none. */
  trim: string | null;
}

export function newJobValues(input: NewJob, now: Date): NewJobValues {
  const id = newJobId(now);
  return {
    id,
    idempotencyKey: input.idempotencyKey,
    source: input.source,
    sourceKind: input.sourceKind,
    priority: priorityWeight[input.priority],
    maxAttempts: input.maxAttempts,
    outputPrefix: outputPrefixOf(id),
    metadata: JSON.stringify(input.metadata),
    sourceFacts: JSON.stringify(input.sourceFacts ?? {}),
    createdAt: now.toISOString(),
    kind: input.kind ?? 'transcode',
    parentJobId: input.parentJobId ?? null,
    clip: input.clip ? JSON.stringify(input.clip) : null,
    trim: (() => { const trim = appliedTrim(input.trim); return trim === undefined ? null : JSON.stringify({ request: trim }); })(),
  };
}
