// The worker's handler for each stage of a TranscodeTask, in a map typed over the task union: a
// stage added to src/jobs/transcode-task.ts without a handler here does not compile. A handler
// gets its own member of the union and returns the report that ends its attempt successfully.
import type { FfmpegBinaries } from '../ffmpeg/binaries.ts';
import type { TaskOfStage, TaskStage, TranscodeTask } from '../jobs/transcode-task.ts';
import type { WorkerReport } from '../jobs/worker-report.ts';
import type { EventSink } from './events.ts';
import { checkTaskSource } from './local-input.ts';

export interface StageContext {
  /** Aborted when the worker is stopped (SIGTERM, the control plane gone). */
  signal: AbortSignal;
  binaries: FfmpegBinaries;
  onEvent: EventSink;
}

/** What a stage reports when it has finished. */
export type StageDone = Extract<WorkerReport, { type: 'done' }>;

export type StageHandler<S extends TaskStage> = (task: TaskOfStage<S>, context: StageContext) => Promise<StageDone>;

/** One handler per stage, each typed for its own member. */
export type StageHandlers = { [S in TaskStage]: StageHandler<S> };

// Each stage's code is loaded when a task of that stage runs: a worker runs one stage, and loading
// the code of all five cost each worker's start ~0.1 CPU-s more before its first ffmpeg.
export const stageHandlers: StageHandlers = {
  full: async (task, context) => (await import('./full-stage.ts')).runFullStage(task, context),
  split: async (task, context) => {
    const { done, whole } = await (await import('./chunked/stages.ts')).runSplitStage(task, context);
    if (done.chunks !== null || !task.wholeHere || !whole) return done;
    // Too short to cut, and this worker may encode it whole: one worker start less, and the encode
    // starts from the split's probe and plan (a content-aware ladder is not analysed twice).
    const { parallelism: _chunkWorkers, wholeHere, ...base } = task;
    return (await import('./full-stage.ts')).runFullStage({ ...base, stage: 'full', ...wholeHere }, context, whole);
  },
  chunk: async (task, context) => (await import('./chunked/stages.ts')).runChunkStage(task, context),
  stitch: async (task, context) => (await import('./chunked/stages.ts')).runStitchStage(task, context),
  clip: async (task, context) => (await import('./clip/clip-stage.ts')).runClipStage(task, context),
};

/** Runs the task's stage with its handler, once its local source is still what was accepted (a clip reads its parent asset, not the recording). */
export async function runStage(task: TranscodeTask, context: StageContext, handlers: StageHandlers = stageHandlers): Promise<StageDone> {
  if (task.stage !== 'clip') await checkTaskSource(task.source);
  return runWith(handlers, task.stage, task, context);
}

// Indexing the map with a generic stage S gives StageHandler<S>, so the task narrows with it;
// indexing it with the union directly would ask for a task of every stage at once.
function runWith<S extends TaskStage>(handlers: StageHandlers, stage: S, task: TaskOfStage<S>, context: StageContext): Promise<StageDone> {
  const handler: StageHandler<S> = handlers[stage];
  return handler(task, context);
}
