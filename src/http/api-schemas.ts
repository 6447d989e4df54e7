// The API's request and response shapes: one zod schema each validates, types and documents
// (the routes declare them; openapi.ts generates the document from the routes).
import { z } from 'zod';
import { suggestedTrimSchema } from '../jobs/event-summary.ts';
import { trimRequestSchema } from '../jobs/trim-request.ts';
import { jobKinds, jobStates, priorities, sourceKinds } from '../jobs/job.ts';
import { metadataSchema } from '../jobs/metadata-limits.ts';
import { sourceFactsSchema } from '../jobs/source-facts.ts';

export const createJobBody = z.strictObject({
  source: z.string().min(1).describe('Absolute path (or file:// URL) under a configured source root, s3://bucket/key, or an http(s):// URL'),
  priority: z.enum(priorities).optional(),
  metadata: metadataSchema.optional().describe('Strings, at most 64 entries, keys 128 and values 2048 characters, 16 KiB in all'),
  facts: sourceFactsSchema.optional().describe('What the caller knows about the recording (durationSeconds, bytes, codecs); Kubernetes Jobs are sized by it'),
  trim: trimRequestSchema.optional().describe('none (suggest only), auto (when the job succeeds, a clip job of it makes the asset of the suggested trim) or {start, end} (that range, clamped to the asset\'s duration); absent: the service\'s jobs.trim (none unless configured)'),
});

const csv = <T extends readonly [string, ...string[]]>(values: T) =>
  z.string().transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean)).pipe(z.array(z.enum(values)));

export const listJobsQuery = z.strictObject({
  state: csv(jobStates).optional(),
  priority: csv(priorities).optional(),
  source: csv(sourceKinds).optional(),
  upload: z.enum(['true', 'false']).transform((v) => v === 'true').optional().describe('true: only uploads (POST /v1/uploads); false: everything else'),
  parent: z.string().min(1).max(100).optional().describe('Only the clip jobs of this job: its clips and its trimmed asset (metadata trimOf)'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.coerce.number().int().min(1).optional(),
});

export const uploadQuery = z.strictObject({
  filename: z.string().min(1).max(255).describe('The recording\'s file name; stored reduced to a safe basename'),
  priority: z.enum(priorities).optional(),
});

export const createClipBody = z.strictObject({
  start: z.number().min(0).describe('Seconds on the parent asset\'s timeline; the clip starts on the first frame at or after it'),
  end: z.number().positive().describe('Seconds on the parent\'s timeline, after start and at most its duration; the clip ends before the first frame at or after it (at least 1 s after start)'),
  title: z.string().min(1).max(200).optional().describe('The clip\'s title, kept with the job and in its manifest.json'),
  priority: z.enum(priorities).optional(),
});

export const patchJobBody = z.strictObject({ priority: z.enum(priorities) });

export const jobIdParams = z.strictObject({ id: z.string().min(1).max(64) });

/** Any id in the path; routes that look it up answer 404 for one that is not there. */
export const idParams = z.strictObject({ id: z.string() });

export const apiError = z.object({ error: z.string(), message: z.string() });

/** The error answers a route gives, by status, all `{error, message}`. */
export function errorResponses<const S extends readonly number[]>(...statuses: S): { [K in S[number]]: typeof apiError } {
  return Object.fromEntries(statuses.map((s) => [s, apiError])) as { [K in S[number]]: typeof apiError };
}

/** The Idempotency-Key header; its length is checked by job-request-key.ts (a 422 that says so). */
export const createJobHeaders = z.looseObject({
  'idempotency-key': z.string().optional().describe('The caller\'s key for this job (at most 200 characters): the same key is the same job'),
});

/** A recording as the request body; read as a stream by the handler, never parsed. */
export const binaryBody = z.unknown().meta({ type: 'string', format: 'binary' });

export const apiJob = z.object({
  id: z.string(),
  kind: z.enum(jobKinds).describe('transcode: an asset from a recording; clip: an asset cut from another job\'s (parentJobId)'),
  parentJobId: z.string().nullable().describe('A clip\'s parent job; null for a transcode'),
  clip: z.object({ start: z.number(), end: z.number(), title: z.string().nullable() }).nullable().describe('A clip\'s range on its parent\'s timeline (seconds) and title; null for a transcode'),
  state: z.enum(jobStates),
  priority: z.enum(priorities),
  progress: z.number().min(0).max(1),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  source: z.string(),
  sourceKind: z.enum(sourceKinds),
  metadata: z.record(z.string(), z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  playableUrl: z.string().nullable(),
  playableAt: z.string().nullable().describe('When something first became playable (the instant preview); null before'),
  facts: sourceFactsSchema.describe('What the intake knew about the recording (durationSeconds, bytes, codecs); {} when nothing'),
  outputPrefix: z.string().describe('Where the asset\'s files are: this prefix (assets/<job id>) under the storage output (storage.output, or the media directory)'),
  asset: z.object({ master: z.string(), dash: z.string(), manifest: z.string() }).nullable(),
  suggestedTrim: suggestedTrimSchema.nullable().describe('Where the event inside the recording starts and ends (the pre-show and post-show left out), as the encode found it; null until the job succeeded, or when it was not looked for'),
  trim: z.union([z.literal('auto'), z.object({ start: z.number(), end: z.number() })]).nullable().describe('The trim the request asked for (auto or a range); null: none, suggest only. The trimmed asset is a clip job of this one: GET /v1/jobs?parent=<id>'),
  chapterCount: z.number().int().nullable().describe('How many chapters the asset has (the list is in its manifest.json and chapters.json); null when it has none'),
  error: z.object({
    message: z.string(), code: z.string(), retryable: z.boolean(),
    stderrTail: z.string().optional().describe('The last lines ffmpeg wrote to stderr'),
    command: z.string().optional().describe('The ffmpeg/ffprobe command that failed, copy-pasteable'),
  }).nullable(),
});

export const jobList = z.object({ items: z.array(apiJob), nextCursor: z.number().int().nullable() });

export const attemptList = z.object({
  items: z.array(z.object({
    number: z.number().int(), startedAt: z.string(), finishedAt: z.string().nullable(),
    outcome: z.string().nullable(), reason: z.string().nullable(), counts: z.boolean(),
  })),
});

export const eventList = z.object({
  items: z.array(z.object({ id: z.number().int(), at: z.string(), type: z.string(), data: z.record(z.string(), z.unknown()) })),
});

export const assetResponse = z.object({
  id: z.string(),
  urls: z.object({ master: z.string(), dash: z.string(), manifest: z.string() }),
  playableUrl: z.string().nullable(),
  manifest: z.unknown().describe('The asset\'s manifest.json'),
});

/** 409 from GET /v1/assets/{id}: the job as it is, so the caller sees how far it got. */
export const assetNotReady = apiError.extend({ job: apiJob });

export const serverSentEvents = { description: 'A text/event-stream', content: { 'text/event-stream': { schema: z.string() } } };

/** An asset's chapter as PATCH /v1/jobs/{id}/chapters answers it (and manifest.json lists it). */
export const apiChapter = z.object({
  start: z.number().describe('Seconds from the asset\'s start'),
  title: z.string(),
  thumbnail: z.string().optional().describe('A sprite tile relative to the asset, `thumbnails/sprite-000.jpg#xywh=x,y,w,h`; absent without thumbnails'),
});

/** 200 from PATCH /v1/jobs/{id}/chapters: the job (its chapterCount) and the chapters as written. */
export const chaptersEdited = z.object({ job: apiJob, chapters: z.array(apiChapter) });

export type ApiJob = z.infer<typeof apiJob>;
export type ApiChapter = z.infer<typeof apiChapter>;
