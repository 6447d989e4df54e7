// WorkerReport: every message a worker sends its control plane (POST /internal/jobs/:id/attempts/:n/events),
// one schema for both sides: the worker's CallbackReporter sends these, the internal route parses
// them, the scheduler switches over them. The transcode's own events (TranscodeEvent in
// src/pipeline/events.ts) are the first members; `done` and `failed` are the attempt's outcome.
// Members strip fields they do not know, so a newer worker that adds a field is still understood;
// the caps bound what one report may make the control plane store.
import { z } from 'zod';
import { eventSummarySchema } from './event-summary.ts';

export const stepNames = ['fetch', 'probe', 'remux', 'encode', 'loudness', 'audio', 'package', 'thumbnails', 'download', 'quality', 'manifest', 'publish'] as const;

/** The caps of a `failed` report, for the worker to fit what it sends. */
export const maxReportedMessageChars = 4000;
export const maxReportedStderrChars = 20_000;
export const maxReportedCommandChars = 8000;

const planReport = z.object({
  type: z.literal('plan'),
  renditions: z.array(z.string().max(100)).max(100),
  encoder: z.string().max(100),
  fallback: z.string().max(4000).optional(),
  /** How the video is cut for split-and-stitch; absent when it is encoded whole. */
  chunks: z.strictObject({ count: z.number().int().min(2), seconds: z.number().positive(), parallelism: z.number().int().min(1) }).optional(),
});
const stepReport = z.object({
  type: z.literal('step'),
  step: z.enum(stepNames),
  state: z.enum(['start', 'end']),
  ms: z.number().min(0).optional(),
});
const progressReport = z.object({
  type: z.literal('progress'),
  percent: z.number().min(0).max(100),
  fps: z.number().min(0).optional(),
  speed: z.number().min(0).optional(),
  etaSeconds: z.number().min(0).optional(),
  /** Seconds of the recording encoded so far. */
  outTime: z.number().min(0),
});
/** A chunk of a recording encoded in chunks (split-and-stitch) changed state: what the dashboard draws. */
export const chunkStates = ['running', 'done', 'retrying', 'failed'] as const;
export type ChunkState = (typeof chunkStates)[number];
const chunkReport = z.object({
  type: z.literal('chunk'),
  index: z.number().int().min(0).max(100_000),
  count: z.number().int().min(1).max(100_000),
  state: z.enum(chunkStates),
  /** Where the chunk lies in the recording. */
  startSeconds: z.number().min(0),
  endSeconds: z.number().min(0),
});
/**
 * How a split cut the recording: `plan` identifies the work area it laid out (the chunk and stitch
 * tasks carry it), `ranges` are the chunks in order (the control plane makes one chunk task of
 * each), `finished` names the chunks an earlier attempt left, which need no worker.
 */
export const chunkLayoutSchema = z.strictObject({
  count: z.number().int().min(2),
  seconds: z.number().positive(),
  plan: z.string().min(16).max(128),
  ranges: z.array(z.strictObject({ startSeconds: z.number().min(0), endSeconds: z.number().positive() })).max(100_000),
  finished: z.array(z.number().int().min(0)).max(100_000),
});
export type ChunkLayout = z.infer<typeof chunkLayoutSchema>;
/** A split has laid out its chunks (it goes on with the audio): they can start now. */
const chunksReport = chunkLayoutSchema.extend({ type: z.literal('chunks') });
/** Something can be played now: the instant remux, before the ladder is done. */
const playableReport = z.object({ type: z.literal('playable'), playlist: z.string().min(1).max(200) });
const warningReport = z.object({ type: z.literal('warning'), message: z.string().max(4000) });
/**
 * What the probe found of the recording, once per attempt: the job page shows it while the job
 * runs (the intake's facts are only what the caller said; the manifest comes at the end).
 */
const sourceReport = z.object({
  type: z.literal('source'),
  durationSeconds: z.number().min(0).max(1e8),
  bytes: z.number().int().min(0).optional(),
  width: z.number().int().min(1).max(65_535).optional(),
  height: z.number().int().min(1).max(65_535).optional(),
  frameRate: z.number().positive().max(10_000).optional(),
});
/**
 * The attempt's work is done: the asset (`manifest`, by the full and stitch stages, with what it
 * found of the event: `event`), or one stage of a chunked job; a split repeats its layout (null:
 * too short to cut, encode it whole).
 */
const doneReport = z.object({
  type: z.literal('done'),
  manifest: z.string().min(1).max(200).optional(),
  event: eventSummarySchema.optional(),
  chunks: chunkLayoutSchema.nullable().optional(),
});
const failedReport = z.object({
  type: z.literal('failed'),
  message: z.string().max(maxReportedMessageChars),
  exitCode: z.number().int(),
  retryable: z.boolean(),
  stderrTail: z.string().max(maxReportedStderrChars).optional(),
  /** The failing ffmpeg/ffprobe command, copy-pasteable (the worker caps it to fit). */
  command: z.string().max(maxReportedCommandChars).optional(),
});

/** What a transcode reports while it runs (the CLI prints these too). */
export const transcodeEventSchema = z.discriminatedUnion('type', [planReport, sourceReport, stepReport, progressReport, chunkReport, chunksReport, playableReport, warningReport]);

export const workerReportSchema = z.discriminatedUnion('type', [...transcodeEventSchema.options, doneReport, failedReport]);

export type WorkerReport = z.infer<typeof workerReportSchema>;
export type WorkerReportType = WorkerReport['type'];

/** Every type this control plane understands, for a clear answer to a newer worker's report. */
export const workerReportTypes: readonly WorkerReportType[] = workerReportSchema.options.map((member) => member.shape.type.value);

