// The worker's handlers for split-and-stitch across workers (a Kubernetes Indexed Job, or several
// local workers): the split lays out the chunks and reports them, then goes on with the audio and
// the instant remux while every chunk encodes; then the stitch. Each is a separate process that
// shares nothing with the others but the work area of the output (the asset directory, or a
// scratch prefix of an S3 output: shared-work-area.ts), where the split leaves the plan and each
// unit leaves its files and, last, its result; a unit whose result is there is not done again, so
// a retried or preempted worker redoes only what is missing. The split's `chunks` event names its
// plan; the other tasks carry that name and refuse a work area laid out by another split.
// The split reads the whole recording once (probe, audio, remux) and reads a remote one by ranges
// while it downloads, so playback starts as soon as a whole encode's would; chunks read by ranges.
import { rm } from 'node:fs/promises';
import { CancelledError, UsageError } from '../../errors/index.ts';
import type { AssetManifest } from '../../media/asset-manifest.ts';
import { formatSourceLocation } from '../../jobs/source-location.ts';
import type { ChunkTask, SplitTask, StitchTask, TranscodeProfile, TranscodeTask } from '../../jobs/transcode-task.ts';
import type { ChunkLayout } from '../../jobs/worker-report.ts';
import { startInstantRemux } from '../instant-remux.ts';
import { assetDone } from '../asset-done.ts';
import { materializeSource } from '../materialize-source.ts';
import { openRangedInput } from '../ranged/open-ranged-input.ts';
import { openSourceInput } from '../ranged/source-input.ts';
import { measureCpu } from '../../ffmpeg/process-cpu.ts';
import { prepareTranscode, probedSourceEvent } from '../prepare.ts';
import type { PlannedTranscode } from '../request.ts';
import { requestFromProfile } from '../request-from-profile.ts';
import { makeScratch } from '../scratch.ts';
import type { StageContext, StageDone } from '../stage-handlers.ts';
import { Stopwatch } from '../stopwatch.ts';
import { chooseChunks } from './choose-chunks.ts';
import { encodeAudioUnit } from './encode-audio-unit.ts';
import { encodeChunk } from './encode-chunk.ts';
import { openSharedWorkArea } from './open-work-area.ts';
import type { AudioPlace, SharedWorkArea } from './shared-work-area.ts';
import { stitchAsset } from './stitch.ts';
import { localSourceIdentity, workFingerprint, type AudioResult, type WorkPlan } from './work-area.ts';

/** A split's report and, when it found the recording too short to cut, its plan: a worker that encodes it whole itself goes on from there. */
export interface SplitOutcome {
  done: StageDone;
  whole?: PlannedTranscode;
}

export function runSplitStage(task: SplitTask, context: StageContext): Promise<SplitOutcome> {
  return withWorkArea(task, (shared) => splitStage(task, context, shared));
}

export function runChunkStage(task: ChunkTask, context: StageContext): Promise<StageDone> {
  return withWorkArea(task, (shared) => chunkStage(task, context, shared));
}

export function runStitchStage(task: StitchTask, context: StageContext): Promise<StageDone> {
  return withWorkArea(task, (shared) => stitchStage(task, context, shared));
}

async function splitStage(task: SplitTask, context: StageContext, shared: SharedWorkArea): Promise<SplitOutcome> {
  if (context.signal.aborted) throw new CancelledError();
  const stopwatch = new Stopwatch(context.onEvent);
  const scratch = task.source.kind === 'local' ? undefined : await makeScratch(undefined, 'live2vod-source-');
  // A remote recording downloads once the instant remux has its first segment (or at once without
  // one): until then the remux and the probe have the link and the CPU to themselves.
  const remuxStarted = Promise.withResolvers<void>();
  const opened = await openSourceInput(task.source, {
    scratch: scratch ?? '', policy: task.sourceFetch, ranged: task.profile.instantRemux, signal: context.signal, emit: context.onEvent, stopwatch,
    downloadAfter: task.profile.instantRemux ? remuxStarted.promise : undefined,
  });
  try {
    const request = { ...requestFromProfile(task.profile, { outDir: task.output, binaries: context.binaries }), input: opened.input, signal: context.signal };
    // Measured, so that a recording encoded whole by this worker books its probe (and analysis) in the asset's cost.
    const { result: { plan, fallback }, cpu } = await stopwatch.step('probe', () => measureCpu(() => prepareTranscode(request)));
    context.onEvent(probedSourceEvent(plan.source));
    if (fallback) context.onEvent({ type: 'warning', message: fallback });
    const seconds = task.profile.chunkSeconds;
    const chunks = chooseChunks(plan, { parallelism: task.parallelism, ...(seconds === undefined ? {} : { seconds }) }, context.onEvent);
    if (!chunks) return { done: { type: 'done', chunks: null }, whole: { plan, ...(fallback ? { fallback } : {}), probeMs: stopwatch.timingsMs.probe ?? 0, cpu } };
    const identity = task.source.kind === 'local' ? await localSourceIdentity(task.source.path) : formatSourceLocation(task.source);
    const fingerprint = workFingerprint(identity, plan, chunks);
    const { resume } = await shared.lay({ fingerprint, plan, chunks });
    const layout: ChunkLayout = {
      count: chunks.chunks.length, seconds: chunks.seconds, plan: fingerprint,
      ranges: chunks.chunks.map(({ startSeconds, endSeconds }) => ({ startSeconds, endSeconds })),
      finished: resume ? await finishedChunks(shared, chunks.chunks.length) : [],
    };
    // The chunks start now, on other workers; this one goes on with the audio and the remux.
    context.onEvent({ type: 'chunks', ...layout });
    if (!(resume && (await shared.readAudio()))) {
      const stored = { fingerprint, plan, chunks };
      const audioInput = async (): Promise<string> => (opened.localInput ? opened.localInput() : opened.input);
      await shared.runAudio(context.onEvent, async (place) => encodeAudioWithRemux(task.profile, context, { remux: opened.input, audio: audioInput, remuxStarted: remuxStarted.resolve }, stored, place));
    }
    return { done: { type: 'done', chunks: layout } };
  } finally {
    remuxStarted.resolve();
    await opened.close();
    if (scratch) await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function chunkStage(task: ChunkTask, context: StageContext, shared: SharedWorkArea): Promise<StageDone> {
  const stored = await splitPlan(shared, task);
  const chunk = stored.chunks.chunks[task.chunk.index];
  if (!chunk || stored.chunks.chunks.length !== task.chunk.count || Math.abs(chunk.startSeconds - task.chunk.startSeconds) > 1e-6 || Math.abs(chunk.endSeconds - task.chunk.endSeconds) > 1e-6) {
    throw new UsageError(`chunk ${task.chunk.index} of ${task.chunk.count} (${task.chunk.startSeconds}–${task.chunk.endSeconds} s) is not one the split planned (${stored.chunks.chunks.length} chunks of ${stored.chunks.seconds} s): run the split stage of this attempt again`);
  }
  if (await shared.readChunk(chunk.index)) return { type: 'done' };
  return withRangedSource(task, context, async (input) => {
    const duration = chunk.endSeconds - chunk.startSeconds;
    await shared.runChunk(chunk.index, (place) => encodeChunk({
      ffmpeg: context.binaries.ffmpeg, input, plan: stored.plan, chunk, out: place.out, work: place.work, signal: context.signal,
      onProgress: (seconds) => context.onEvent({ type: 'progress', percent: Math.min(100, (seconds / duration) * 100), outTime: seconds }),
    }));
    return { type: 'done' };
  });
}

async function stitchStage(task: StitchTask, context: StageContext, shared: SharedWorkArea): Promise<StageDone> {
  const started = performance.now();
  // A stitch retried after it had finished (its pod lost before it could report) is done; the
  // work area it may not have removed yet goes.
  const complete = await shared.completedManifest();
  if (complete) {
    await shared.remove();
    return assetDone(complete);
  }
  const stored = await splitPlan(shared, task);
  const results = await Promise.all(stored.chunks.chunks.map((c) => shared.readChunk(c.index)));
  const missing = stored.chunks.chunks.filter((_, i) => !results[i]).map((c) => `chunk ${c.index}`);
  const audioResult = stored.plan.audio ? await shared.readAudio() : undefined;
  if (stored.plan.audio && !audioResult) missing.push('the audio');
  if (missing.length > 0) throw new UsageError(`the stitch found unfinished work: ${missing.join(', ')}; run those stages first`);
  const chunkResults = results.flatMap((r) => (r ? [r] : []));
  let manifest: AssetManifest | undefined;
  await shared.stitch({ chunks: chunkResults, audio: audioResult, signal: context.signal }, async (place) => {
    manifest = await stitchAsset({
      ffmpeg: context.binaries.ffmpeg, plan: stored.plan, chunks: stored.chunks, chunkResults, audioResult, out: place.out, work: place.work, publishedFiles: place.published,
      stopwatch: new Stopwatch(context.onEvent), signal: context.signal, download: task.profile.download, started,
      // Quality is sampled from a local source only: fetching a remote one whole for a few windows would cost more than it tells.
      quality: task.profile.quality, emit: context.onEvent, ...(task.source.kind === 'local' ? { input: task.source.path } : {}),
    });
    return manifest;
  });
  return assetDone(manifest);
}

/** The chunks an earlier attempt already finished in this work area: the control plane skips them. */
async function finishedChunks(shared: SharedWorkArea, count: number): Promise<number[]> {
  const results = await Promise.all(Array.from({ length: count }, (_, index) => shared.readChunk(index)));
  return results.flatMap((result, index) => (result ? [index] : []));
}

/**
 * The audio in its place, with the instant remux beside it (to the asset as players see it). The
 * remux starts first and may read a remote source by ranges; the audio then waits for its
 * download (`inputs.audio`), which `remuxStarted` lets begin once the remux has its head start.
 */
async function encodeAudioWithRemux(profile: TranscodeProfile, context: StageContext, inputs: { remux: string; audio: () => Promise<string>; remuxStarted: () => void }, stored: WorkPlan, place: AudioPlace): Promise<AudioResult | undefined> {
  const stopwatch = new Stopwatch(place.emit);
  const own = new AbortController();
  const signal = AbortSignal.any([context.signal, own.signal]);
  const remux = profile.instantRemux ? startInstantRemux({ ffmpeg: context.binaries.ffmpeg, input: inputs.remux, plan: stored.plan, out: place.asset, signal, emit: place.emit, stopwatch }) : undefined;
  void (remux ? remux.headStart : Promise.resolve()).finally(inputs.remuxStarted);
  try {
    const audio = stored.plan.audio ? await encodeAudioUnit({ ffmpeg: context.binaries.ffmpeg, input: await inputs.audio(), plan: stored.plan, out: place.out, signal, stopwatch }) : undefined;
    await remux?.done;
    return audio;
  } finally {
    own.abort();
    await remux?.done;
  }
}

/** Runs `action` with the work area of the task's output (a local directory or an s3:// prefix), closed after. */
async function withWorkArea<T>(task: TranscodeTask, action: (shared: SharedWorkArea) => Promise<T>): Promise<T> {
  const shared = await openSharedWorkArea(task.output);
  try {
    return await action(shared);
  } finally {
    await shared.close();
  }
}

/** The plan the task's split left in the work area. */
async function splitPlan(shared: SharedWorkArea, task: ChunkTask | StitchTask): Promise<WorkPlan> {
  const stored = await shared.readPlan();
  if (!stored) throw new UsageError(`no chunk plan in ${shared.location}: run the split stage of this job first`);
  if (stored.fingerprint !== task.plan) throw new UsageError(`the work area in ${shared.location} was laid out by another split (plan ${stored.fingerprint.slice(0, 12)}…, the task names ${task.plan.slice(0, 12)}…): run this job's split again`);
  return stored;
}

/**
 * Runs `action` on the source read by byte ranges through a loopback reader, so a chunk moves only
 * the part of a remote recording its encode reads; on a local path, or on a download when the
 * source cannot be read by ranges (said in a warning).
 */
async function withRangedSource<T>(task: TranscodeTask, context: StageContext, action: (input: string) => Promise<T>): Promise<T> {
  if (context.signal.aborted) throw new CancelledError();
  if (task.source.kind === 'local') return action(task.source.path);
  const reader = await openRangedInput(task.source, { policy: task.sourceFetch, signal: context.signal, emit: context.onEvent });
  if (!reader) return withLocalSource(task, context, action);
  try {
    return await action(reader.url);
  } catch (error) {
    // ffmpeg reports a failed read as a bare I/O error; the reader knows what went wrong.
    throw reader.failure ?? error;
  } finally {
    await reader.close();
  }
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
