// One transcode, start to finish: probe → plan → encode (video ∥ audio), packaged into segments
// while it runs → playlists → thumbnails → download → manifest.json last. On any failure the
// scratch directory and everything written to the output are removed, so a manifest.json always
// means a complete asset.
//
// Packaging reads each rendition's fragmented MP4 while ffmpeg writes it, so segments exist (and
// reach `onSegment`) during the encode and little packaging is left once it ends. In
// manifest.json, `timingsMs.package` is that remainder: from the end of the encodes to the
// playlists written (the wall time packaging adds to the run); `timingsMs.packageWall` is the
// whole span from starting the packagers with the encodes, overlapping them.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { CancelledError, Live2vodError } from '../errors/index.ts';
import { buildAssetManifest, type AssetManifest } from '../media/asset-manifest.ts';
import { audioRenditions, type TranscodePlan } from '../media/plan.ts';
import { cpuSoFar, measureCpu, sumCpu } from '../ffmpeg/process-cpu.ts';
import { assetCost } from '../media/asset-cost.ts';
import { defaultQualitySampling } from '../media/quality-command.ts';
import { version } from '../version.ts';
import { chooseChunks } from './chunked/choose-chunks.ts';
import { transcodeChunked } from './chunked/transcode-chunked.ts';
import { startEncodes, type EncodeResult, type StartedEncodes } from './encode.ts';
import { startInstantRemux } from './instant-remux.ts';
import type { EventSink } from './events.ts';
import { finishThumbnails } from './finish-thumbnails.ts';
import { finishEvent } from './event/finish-event.ts';
import { readSilences, readVideoDetections } from './event/read-detections.ts';
import { listAssetFiles, makeDownload, writeAssetManifest } from './finish-asset.ts';
import { OutputDir } from './output-dir.ts';
import { WriterFailedError } from './growing-file.ts';
import { packageAsset, type PackagedAsset } from './package-asset.ts';
import { measureQuality } from './measure-quality.ts';
import { prepareTranscode, probedSourceEvent } from './prepare.ts';
import type { TranscodeRequest } from './request.ts';
import { makeScratch } from './scratch.ts';
import { Stopwatch } from './stopwatch.ts';

export interface TranscodeResult {
  outDir: string;
  manifest: AssetManifest;
}

export async function transcode(request: TranscodeRequest): Promise<TranscodeResult> {
  // Every process the job starts is tallied: manifest.json's cost.
  return (await measureCpu(() => runTranscode(request))).result;
}

async function runTranscode(request: TranscodeRequest): Promise<TranscodeResult> {
  const emit: EventSink = request.onEvent ?? (() => undefined);
  const stopwatch = new Stopwatch(emit);
  // A split that planned already counts from its own start.
  const started = performance.now() - (request.planned?.probeMs ?? 0);
  const out = new OutputDir(request.outDir);
  // One controller for the run: the caller's cancel, or a failure in one encode, stops the rest.
  // Its reason is what a packager stopped by it rejects with: a cancel, unless a failure wins.
  const abort = new AbortController();
  const onCallerAbort = (): void => abort.abort(new CancelledError());
  if (request.signal?.aborted) onCallerAbort();
  else request.signal?.addEventListener('abort', onCallerAbort, { once: true });
  let scratch: string | undefined;
  let chunked = false;
  // Work that may still write to the output or scratch: waited for before either is removed.
  const running: Promise<unknown>[] = [];
  try {
    const { plan, fallback } = request.planned ?? (await stopwatch.step('probe', () => prepareTranscode({ ...request, signal: abort.signal })));
    // A split that planned already reported the source, and said why it does not cut.
    if (request.planned) stopwatch.timingsMs.probe = request.planned.probeMs;
    else emit(probedSourceEvent(plan.source));
    const chunks = chooseChunks(plan, request.chunking, request.planned ? () => undefined : emit);
    emit({
      type: 'plan', renditions: plan.video.map((r) => r.id).concat(audioRenditions(plan).map((r) => r.id)), encoder: plan.encoder,
      ...(fallback ? { fallback } : {}),
      ...(chunks && request.chunking ? { chunks: { count: chunks.chunks.length, seconds: chunks.seconds, parallelism: request.chunking.parallelism } } : {}),
    });
    if (fallback && !request.planned) emit({ type: 'warning', message: fallback });

    if (chunks && request.chunking) {
      chunked = true;
      // Chunks resume by the source file's identity, so they start from the local copy (and so does their remux, for now).
      const local = request.localInput ? { ...request, input: await request.localInput() } : request;
      const manifest = await transcodeChunked({ request: local, plan, chunks, parallelism: request.chunking.parallelism, out, stopwatch, signal: abort.signal, emit, started, running, ...(fallback ? { fallback } : {}) });
      return { outDir: out.root, manifest };
    }

    await out.prepare();
    scratch = await makeScratch(request.scratchRoot, 'live2vod-');
    const scratchDir = scratch;

    const remux = request.instantRemux ? startInstantRemux({ ffmpeg: request.binaries.ffmpeg, input: request.input, plan, out, signal: abort.signal, emit, stopwatch }) : undefined;
    if (remux) {
      running.push(remux.done);
      await remux.headStart;
    }
    const input = request.localInput ? await request.localInput() : request.input;
    // Packaging follows the encodes from their start: the clock starts before they are spawned, as
    // the encode's does (spawning two ffmpeg takes tens of ms on a loaded machine).
    const packageStarted = performance.now();
    const encodes = startEncodes({ ffmpeg: request.binaries.ffmpeg, input, plan, scratch: scratchDir, signal: abort.signal, emit, stopwatch });
    running.push(encodes.settled);
    const packaging = packageWhileEncoding(request, plan, scratchDir, out, encodes, abort);
    running.push(packaging.result);
    let encoded: EncodeResult;
    try {
      encoded = await encodes.done;
    } catch (error) {
      // The encode's error, unless it failed only because packaging had failed and stopped it.
      throw packaging.failure() ?? error;
    }
    const packaged = await stopwatch.step('package', () => packaging.result);
    stopwatch.timingsMs.packageWall = Math.round(performance.now() - packageStarted);
    // A cancel after the encodes may have found packaging with nothing left to read.
    if (abort.signal.aborted) throw new CancelledError();
    await remux?.done;
    const thumbnails = await stopwatch.step('thumbnails', () => finishThumbnails(request.binaries.ffmpeg, plan, scratchDir, out, packaged.duration, abort.signal));

    const download = request.download
      ? await stopwatch.step('download', () => makeDownload(request.binaries.ffmpeg, plan, out, (name) => path.join(scratchDir, name), abort.signal))
      : undefined;

    const sampling = request.quality ?? defaultQualitySampling;
    const quality = sampling
      ? await stopwatch.step('quality', () => measureQuality({ ffmpeg: request.binaries.ffmpeg, input, plan, video: packaged.video, out, sampling, signal: abort.signal, emit, ...(request.scratchRoot ? { scratchRoot: request.scratchRoot } : {}) }))
      : undefined;

    const manifest = await stopwatch.step('manifest', async () => {
      // The chapter documents are small summaries like manifest.json: timed with it, before the file list.
      const event = await finishEvent(plan, out, await readVideoDetections(plan, scratchDir, { offset: 0, from: 0, to: packaged.duration }), await readSilences(plan, scratchDir), packaged.duration);
      const files = await listAssetFiles(out.root);
      const timingsMs = { ...stopwatch.timingsMs, total: Math.round(performance.now() - started) };
      const built = buildAssetManifest({
        version, plan, video: packaged.video, files, timingsMs, createdAt: new Date(),
        cost: assetCost(request.planned ? sumCpu([request.planned.cpu, cpuSoFar()]) : cpuSoFar(), plan.source.duration),
        ...(quality ? { quality } : {}),
        ...(fallback ? { fallback } : {}),
        ...(packaged.audio ? { audio: packaged.audio } : {}),
        ...(packaged.alternateAudio ? { alternateAudio: packaged.alternateAudio } : {}),
        ...(encoded.loudness ? { loudness: encoded.loudness } : {}),
        ...(encoded.audioLoudness ? { audioLoudness: encoded.audioLoudness } : {}),
        ...(thumbnails ? { thumbnails } : {}),
        ...(download ? { download } : {}),
        ...(event ? { event } : {}),
      });
      await writeAssetManifest(out, built);
      return built;
    });
    await out.markComplete();
    return { outDir: out.root, manifest };
  } catch (error) {
    abort.abort(new CancelledError());
    // Stopped by the abort: ffmpeg is killed, packagers stop at their next read.
    await Promise.allSettled(running);
    // A chunked run that will be tried again (its worker was stopped, or the failure is retryable)
    // keeps its finished chunks for the next attempt; the directory still says it is incomplete.
    const retried = request.signal?.aborted || !(error instanceof Live2vodError) || error.retryable;
    if (!(chunked && request.keepChunksForRetry && retried)) await out.discard();
    throw error;
  } finally {
    request.signal?.removeEventListener('abort', onCallerAbort);
    if (scratch) await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Starts packaging every track beside its encode. A failure of packaging itself (not one caused by
 * a failed or cancelled encode) stops the encodes, and is then the run's error.
 */
function packageWhileEncoding(
  request: TranscodeRequest,
  plan: TranscodePlan,
  scratch: string,
  out: OutputDir,
  encodes: StartedEncodes,
  abort: AbortController,
): { result: Promise<PackagedAsset>; failure: () => unknown } {
  let failure: unknown;
  const result = packageAsset(plan, scratch, out, {
    writers: { ...(encodes.video ? { video: encodes.video } : {}), ...(encodes.audio ? { audio: encodes.audio } : {}) },
    signal: abort.signal,
    ...(request.onSegment ? { onSegment: request.onSegment } : {}),
  });
  result.catch((error: unknown) => {
    if (abort.signal.aborted || error instanceof WriterFailedError) return;
    failure = error;
    abort.abort(new CancelledError());
  });
  return { result, failure: () => failure };
}
