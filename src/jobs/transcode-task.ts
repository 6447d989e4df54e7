// TranscodeTask: the one message from the control plane to a worker. A worker needs nothing else —
// no database credentials, no shared memory, no settings in its environment. Validated on both
// sides with this schema. Version 2 is a union on `stage`: a new stage is a member here (the base
// plus its own fields) and a handler in src/pipeline/stage-handlers.ts; the compiler refuses the
// member without the handler.
import { z } from 'zod';
import { sourceFetchSchema } from './source-fetch.ts';
import { sourceLocationSchema } from './source-location.ts';
import { transcodeProfileSchema } from './transcode-profile.ts';
import { transcodeTaskV1Schema, upgradeTaskV1 } from './transcode-task-v1.ts';

export { transcodeProfileSchema, type TranscodeProfile } from './transcode-profile.ts';

export const currentTaskVersion = 2;

/** What every stage's task has. */
export const taskBaseSchema = z.strictObject({
  version: z.literal(currentTaskVersion),
  jobId: z.string().min(1),
  attempt: z.number().int().min(1),
  /** The recording, parsed once at intake. */
  source: sourceLocationSchema,
  /** Where the asset goes: a local directory or an s3:// prefix. */
  output: z.string().min(1),
  profile: transcodeProfileSchema,
  /** How the worker may fetch a remote source. */
  sourceFetch: sourceFetchSchema,
  /** Where the worker reports progress; the token authenticates it for this job and attempt only. */
  callback: z.strictObject({ url: z.url(), token: z.string().min(16) }).optional(),
});

/** How many chunks a worker may encode at once (its share of the machine's cores). */
const parallelismSchema = z.number().int().min(1).max(256);

/**
 * The whole recording in one worker: fetch, probe, encode every rendition, package, publish. With
 * `parallelism` above 1, a long recording is encoded in chunks side by side inside this worker.
 */
export const fullTaskSchema = taskBaseSchema.extend({ stage: z.literal('full'), parallelism: parallelismSchema.optional() });

// Split-and-stitch across workers: the split lays out the chunks, which then encode in parallel
// while the split itself goes on with the audio and the instant remux; then the stitch. They share the work area in the output (src/pipeline/chunked/work-area.ts).

/**
 * Probes, plans and cuts the recording into chunks for `parallelism` workers and reports them (a
 * `chunks` event: the control plane starts them at once); then encodes the audio of the whole
 * recording and runs the instant remux, so the recording is read whole by one worker only.
 */
export const splitTaskSchema = taskBaseSchema.extend({
  stage: z.literal('split'),
  parallelism: parallelismSchema,
  /**
   * Too short to cut: encode it whole in this worker, as a `full` task with this `parallelism`
   * would (its `done` then names the asset), instead of answering for another worker to start.
   * Set where every worker is sized alike (the local executor), not where a split runs as a light
   * Job (Kubernetes).
   */
  wholeHere: z.strictObject({ parallelism: parallelismSchema.optional() }).optional(),
});

/** Which split's work area a chunk or stitch task belongs to (from the split's `chunks` event). */
const planIdSchema = z.string().min(16).max(128);

/** One chunk's time range of every video rendition. The range must be the one the split planned. */
export const chunkTaskSchema = taskBaseSchema.extend({
  stage: z.literal('chunk'),
  plan: planIdSchema,
  chunk: z.strictObject({
    index: z.number().int().min(0),
    count: z.number().int().min(2),
    startSeconds: z.number().min(0),
    endSeconds: z.number().positive(),
  }),
});

/** Makes the asset of the finished chunks and the split's audio; manifest.json last. */
export const stitchTaskSchema = taskBaseSchema.extend({ stage: z.literal('stitch'), plan: planIdSchema });

/**
 * A clip: a new asset of [startSeconds, endSeconds) of a finished one (`parent`: its directory or
 * s3:// prefix), every rendition of it, frame-accurate at both ends. `source` is the parent's
 * recording, for the record; the worker reads only the parent asset. Never chunked.
 */
export const clipTaskSchema = taskBaseSchema.extend({
  stage: z.literal('clip'),
  clip: z.strictObject({
    parent: z.string().min(1),
    parentJobId: z.string().min(1),
    startSeconds: z.number().min(0),
    endSeconds: z.number().positive(),
    title: z.string().min(1).max(200).optional(),
  }).refine((c) => c.endSeconds > c.startSeconds, 'endSeconds must be after startSeconds'),
});

export const transcodeTaskSchema = z.discriminatedUnion('stage', [fullTaskSchema, splitTaskSchema, chunkTaskSchema, stitchTaskSchema, clipTaskSchema]);

export type TranscodeTask = z.infer<typeof transcodeTaskSchema>;
export type TaskStage = TranscodeTask['stage'];
/** The member of the union for one stage. */
export type TaskOfStage<S extends TaskStage> = Extract<TranscodeTask, { stage: S }>;
export type FullTask = TaskOfStage<'full'>;
export type SplitTask = TaskOfStage<'split'>;
export type ChunkTask = TaskOfStage<'chunk'>;
export type StitchTask = TaskOfStage<'stitch'>;
export type ClipTask = TaskOfStage<'clip'>;

/**
 * Reads a task of any version this worker knows: version 1 is upgraded (see transcode-task-v1.ts;
 * `env` is where version 1 kept the fetch policy). Throws an Error naming the field at fault, or
 * saying that the task is newer than this worker.
 */
export function parseTranscodeTask(json: unknown, env: Readonly<Record<string, string | undefined>> = {}): TranscodeTask {
  const version = typeof json === 'object' && json !== null && 'version' in json ? json.version : undefined;
  if (version === 1) return upgradeTaskV1(parsedOrThrow(transcodeTaskV1Schema, json, 1), env);
  if (typeof version === 'number' && version > currentTaskVersion) {
    throw new Error(`invalid TranscodeTask: version ${version} is newer than this worker understands (1 to ${currentTaskVersion}): run a worker image as new as the control plane`);
  }
  return parsedOrThrow(transcodeTaskSchema, json, currentTaskVersion);
}

function parsedOrThrow<T extends z.ZodType>(schema: T, json: unknown, version: number): z.output<T> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(`invalid TranscodeTask (version ${version}): ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape'}`);
}
