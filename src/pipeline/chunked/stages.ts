// The worker's handlers for split-and-stitch across workers (a Kubernetes Indexed Job, or several
// local workers): split → every chunk and the audio, in parallel → stitch. Each is a separate
// process that shares nothing with the others but the work area in the asset directory, where the
// split leaves the plan and each unit leaves its result; a unit whose result is there is not done
// again, so a retried or preempted worker redoes only what is missing. The split's done report
// names its plan; the other tasks carry that name and refuse a work area laid out by another split.
import { rm } from 'node:fs/promises';
import { CancelledError, UsageError } from '../../errors/index.ts';
import type { AudioTask, ChunkTask, SplitTask, StitchTask, TranscodeTask } from '../../jobs/transcode-task.ts';
import { parseStorageUri } from '../../storage/uri.ts';
import { startInstantRemux } from '../instant-remux.ts';
import { materializeSource } from '../materialize-source.ts';
import { OutputDir } from '../output-dir.ts';
import { prepareTranscode } from '../prepare.ts';
import { requestFromProfile } from '../request-from-profile.ts';
import { makeScratch } from '../scratch.ts';
import type { StageContext, StageDone } from '../stage-handlers.ts';
import { Stopwatch } from '../stopwatch.ts';
import { chooseChunks } from './choose-chunks.ts';
import { encodeAudioUnit } from './encode-audio-unit.ts';
import { encodeChunk } from './encode-chunk.ts';
import { stitchAsset } from './stitch.ts';
import { prepareWorkArea, WorkArea, type WorkPlan } from './work-area.ts';

export async function runSplitStage(task: SplitTask, context: StageContext): Promise<StageDone> {
  const out = localOutput(task);
  return withLocalSource(task, context, async (input) => {
    const request = { ...requestFromProfile(task.profile, { outDir: out.root, binaries: context.binaries }), input, signal: context.signal };
    const stopwatch = new Stopwatch(context.onEvent);
    const { plan, fallback } = await stopwatch.step('probe', () => prepareTranscode(request));
    if (fallback) context.onEvent({ type: 'warning', message: fallback });
    const seconds = task.profile.chunkSeconds;
    const chunks = chooseChunks(plan, { parallelism: task.parallelism, ...(seconds === undefined ? {} : { seconds }) }, context.onEvent);
    if (!chunks) return { type: 'done', chunks: null };
    const { fingerprint, work, resume } = await prepareWorkArea(out, input, plan, chunks);
    const finished = resume ? await finishedUnits(work, chunks.chunks.length) : { chunks: [], audio: false };
    return {
      type: 'done',
      chunks: { count: chunks.chunks.length, seconds: chunks.seconds, plan: fingerprint, ranges: chunks.chunks.map(({ startSeconds, endSeconds }) => ({ startSeconds, endSeconds })), finished },
    };
  });
}

export async function runChunkStage(task: ChunkTask, context: StageContext): Promise<StageDone> {
  const { out, work, stored } = await splitWork(task);
  const chunk = stored.chunks.chunks[task.chunk.index];
  if (!chunk || stored.chunks.chunks.length !== task.chunk.count || Math.abs(chunk.startSeconds - task.chunk.startSeconds) > 1e-6 || Math.abs(chunk.endSeconds - task.chunk.endSeconds) > 1e-6) {
    throw new UsageError(`chunk ${task.chunk.index} of ${task.chunk.count} (${task.chunk.startSeconds}–${task.chunk.endSeconds} s) is not one the split planned (${stored.chunks.chunks.length} chunks of ${stored.chunks.seconds} s): run the split stage of this attempt again`);
  }
  if (await work.readChunk(chunk.index)) return { type: 'done' };
  return withLocalSource(task, context, async (input) => {
    const duration = chunk.endSeconds - chunk.startSeconds;
    await encodeChunk({
      ffmpeg: context.binaries.ffmpeg, input, plan: stored.plan, chunk, out, work, signal: context.signal,
      onProgress: (seconds) => context.onEvent({ type: 'progress', percent: Math.min(100, (seconds / duration) * 100), outTime: seconds }),
    });
    return { type: 'done' };
  });
}

/** The audio, and the instant remux beside it; its result is written once both have ended, so a stitch never races the remux. */
export async function runAudioStage(task: AudioTask, context: StageContext): Promise<StageDone> {
  const { out, work, stored } = await splitWork(task);
  if (await work.readAudio()) return { type: 'done' };
  return withLocalSource(task, context, async (input) => {
    const stopwatch = new Stopwatch(context.onEvent);
    const own = new AbortController();
    const signal = AbortSignal.any([context.signal, own.signal]);
    const remux = task.profile.instantRemux ? startInstantRemux({ ffmpeg: context.binaries.ffmpeg, input, plan: stored.plan, out, signal, emit: context.onEvent, stopwatch }) : undefined;
    try {
      const audio = stored.plan.audio ? await encodeAudioUnit({ ffmpeg: context.binaries.ffmpeg, input, plan: stored.plan, out, signal, stopwatch }) : undefined;
      await remux?.done;
      if (audio) await work.writeAudio(audio);
      return { type: 'done' };
    } finally {
      own.abort();
      await remux?.done;
    }
  });
}

export async function runStitchStage(task: StitchTask, context: StageContext): Promise<StageDone> {
  const started = performance.now();
  const out = localOutput(task);
  // A stitch retried after it had finished (its pod lost before it could report) is done.
  if (await out.isComplete()) return { type: 'done', manifest: 'manifest.json' };
  const { work, stored } = await splitWork(task);
  const results = await Promise.all(stored.chunks.chunks.map((c) => work.readChunk(c.index)));
  const missing = stored.chunks.chunks.filter((_, i) => !results[i]).map((c) => `chunk ${c.index}`);
  const audioResult = stored.plan.audio ? await work.readAudio() : undefined;
  if (stored.plan.audio && !audioResult) missing.push('the audio');
  if (missing.length > 0) throw new UsageError(`the stitch found unfinished work: ${missing.join(', ')}; run those stages first`);
  await stitchAsset({
    ffmpeg: context.binaries.ffmpeg, plan: stored.plan, chunks: stored.chunks, chunkResults: results.flatMap((r) => (r ? [r] : [])), audioResult, out, work,
    stopwatch: new Stopwatch(context.onEvent), signal: context.signal, download: task.profile.download, started,
    // Quality is sampled from a local source only: fetching a remote one whole for a few windows would cost more than it tells.
    quality: task.profile.quality, emit: context.onEvent, ...(task.source.kind === 'local' ? { input: task.source.path } : {}),
  });
  return { type: 'done', manifest: 'manifest.json' };
}

/** The units an earlier attempt already finished in this work area: the control plane skips them. */
async function finishedUnits(work: WorkArea, count: number): Promise<{ chunks: number[]; audio: boolean }> {
  const results = await Promise.all(Array.from({ length: count }, (_, index) => work.readChunk(index)));
  return { chunks: results.flatMap((result, index) => (result ? [index] : [])), audio: (await work.readAudio()) !== undefined };
}

/** The asset directory: these stages share their work area there, so it must be a local directory for now. */
function localOutput(task: TranscodeTask): OutputDir {
  const location = parseStorageUri(task.output);
  if (location.kind !== 'local') {
    throw new UsageError(`the ${task.stage} stage needs a local output directory shared by its workers (${task.output} is ${location.kind}): use the full stage, which chunks inside one worker`);
  }
  return new OutputDir(location.path);
}

/** The output and the plan the task's split left in its work area. */
async function splitWork(task: ChunkTask | AudioTask | StitchTask): Promise<{ out: OutputDir; work: WorkArea; stored: WorkPlan }> {
  const out = localOutput(task);
  const work = new WorkArea(out.root);
  const stored = await work.readPlan();
  if (!stored) throw new UsageError(`no chunk plan in ${work.root}: run the split stage of this job first`);
  if (stored.fingerprint !== task.plan) throw new UsageError(`the work area in ${work.root} was laid out by another split (plan ${stored.fingerprint.slice(0, 12)}…, the task names ${task.plan.slice(0, 12)}…): run this job's split again`);
  return { out, work, stored };
}

/** Runs `action` on a local path of the source: as it is, or fetched into scratch (removed after). */
async function withLocalSource<T>(task: TranscodeTask, context: StageContext, action: (input: string) => Promise<T>): Promise<T> {
  if (context.signal.aborted) throw new CancelledError();
  if (task.source.kind === 'local') return action(task.source.path);
  const scratch = await makeScratch(undefined, 'live2vod-source-');
  try {
    return await action(await materializeSource(task.source, scratch, task.sourceFetch, context.signal));
  } finally {
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}
