// Split-and-stitch in one process: the chunks of one recording encode side by side (at most
// `parallelism` at once), the audio beside them once for the whole, then the stitch makes the
// asset. Chunks that already have a result in the work area (an earlier run was killed) are not
// encoded again; a chunk that fails for a retryable reason is retried alone.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CancelledError, Live2vodError } from '../../errors/index.ts';
import { buildAssetManifest, type AssetManifest } from '../../media/asset-manifest.ts';
import type { ChunkPlan, ChunkRange } from '../../media/chunk-plan.ts';
import type { TranscodePlan } from '../../media/plan.ts';
import { version } from '../../version.ts';
import type { EventSink } from '../events.ts';
import { listAssetFiles, makeDownload, writeAssetManifest } from '../finish-asset.ts';
import { writing } from '../fs-errors.ts';
import { instantRemux } from '../instant-remux.ts';
import type { OutputDir } from '../output-dir.ts';
import type { TranscodeRequest } from '../request.ts';
import type { Stopwatch } from '../stopwatch.ts';
import { encodeAudioUnit } from './encode-audio-unit.ts';
import { encodeChunk } from './encode-chunk.ts';
import { joinTrack, stitchThumbnails, stitchTracks } from './stitch.ts';
import { WorkArea, workAreaName, workFingerprint, type ChunkResult } from './work-area.ts';

/** Tries per chunk: a chunk failing for a retryable reason (ffmpeg crashed, disk hiccup) runs again alone. */
export const chunkTries = 3;

export interface ChunkedRun {
  request: TranscodeRequest;
  plan: TranscodePlan;
  fallback?: string;
  chunks: ChunkPlan;
  parallelism: number;
  out: OutputDir;
  stopwatch: Stopwatch;
  signal: AbortSignal;
  emit: EventSink;
  started: number;
  /** Work that may still write: the caller waits for it before it removes anything. */
  running: Promise<unknown>[];
}

export async function transcodeChunked(run: ChunkedRun): Promise<AssetManifest> {
  const { request, plan, out, stopwatch, emit, signal } = run;
  const work = new WorkArea(out.root);
  const fingerprint = await workFingerprint(request.input, plan, run.chunks);
  const resume = (await work.readPlan().catch(() => undefined))?.fingerprint === fingerprint;
  await out.prepare(resume ? { keep: ['video', 'audio', workAreaName] } : {});
  if (!resume) await work.writePlan({ fingerprint, plan, chunks: run.chunks });

  const remuxed = request.instantRemux ? instantRemux({ ffmpeg: request.binaries.ffmpeg, input: request.input, plan, out, signal, emit, stopwatch }) : Promise.resolve();
  run.running.push(remuxed);
  const audio = plan.audio ? (resume ? await work.readAudio() : undefined) ?? encodeAudioUnit({ ffmpeg: request.binaries.ffmpeg, input: request.input, plan, out, work, ...scratchRoot(request), signal }) : undefined;
  if (audio instanceof Promise) run.running.push(audio);

  const encoded = stopwatch.step('encode', () => encodeAllChunks(run, work, resume));
  run.running.push(encoded);
  const [chunkResults, audioResult] = await Promise.all([encoded, audio]);
  if (signal.aborted) throw new CancelledError();
  await remuxed;

  const packaged = await stopwatch.step('package', () => stitchTracks(plan, chunkResults, audioResult, out, work));
  const scratch = await writing('the scratch directory', async () => {
    const root = request.scratchRoot ?? os.tmpdir();
    await mkdir(root, { recursive: true });
    return mkdtemp(path.join(root, 'live2vod-stitch-'));
  });
  try {
    const thumbnails = await stopwatch.step('thumbnails', () => stitchThumbnails(request.binaries.ffmpeg, plan, chunkResults, out, work, scratch, packaged.duration, signal));
    const download = request.download
      ? await stopwatch.step('download', async () => {
          // The download is remuxed from whole files: each track's segments joined again.
          for (const track of [...packaged.video.filter((t) => t.id === plan.downloadRenditionId), ...(packaged.audio ? [packaged.audio] : [])]) {
            await joinTrack(out, track, path.join(scratch, track.kind === 'audio' ? 'audio.mp4' : `video-${track.id}.mp4`));
          }
          return makeDownload(request.binaries.ffmpeg, plan, out, (name) => path.join(scratch, name), signal);
        })
      : undefined;
    return await stopwatch.step('manifest', async () => {
      await work.remove();
      const files = await listAssetFiles(out.root);
      const built = buildAssetManifest({
        version, plan, video: packaged.video, files, createdAt: new Date(),
        timingsMs: { ...stopwatch.timingsMs, total: Math.round(performance.now() - run.started) },
        chunks: { count: run.chunks.chunks.length, seconds: run.chunks.seconds },
        ...(run.fallback ? { fallback: run.fallback } : {}),
        ...(packaged.audio ? { audio: packaged.audio } : {}),
        ...(audioResult?.loudness ? { loudness: audioResult.loudness } : {}),
        ...(thumbnails ? { thumbnails } : {}),
        ...(download ? { download } : {}),
      });
      await writeAssetManifest(out, built);
      return built;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Runs every chunk without a result, `parallelism` at a time, retrying retryable failures; reports
 * progress as the encoded share of the whole recording. Rejects with the first final failure,
 * after stopping the chunks still running.
 */
async function encodeAllChunks(run: ChunkedRun, work: WorkArea, resume: boolean): Promise<ChunkResult[]> {
  const { request, plan, chunks } = run;
  const total = chunks.chunks.reduce((sum, c) => sum + (c.endSeconds - c.startSeconds), 0);
  const encodedSeconds = new Map<number, number>();
  const results: ChunkResult[] = [];
  const waiting: ChunkRange[] = [];
  for (const chunk of chunks.chunks) {
    const stored = resume ? await work.readChunk(chunk.index) : undefined;
    if (stored) {
      results.push(stored);
      encodedSeconds.set(chunk.index, chunk.endSeconds - chunk.startSeconds);
    } else waiting.push(chunk);
  }
  if (results.length > 0) run.emit({ type: 'warning', message: `resuming: ${results.length} of ${chunks.chunks.length} chunks were already encoded` });

  const stop = new AbortController();
  const onAbort = (): void => stop.abort(run.signal.reason);
  if (run.signal.aborted) onAbort();
  else run.signal.addEventListener('abort', onAbort, { once: true });
  const startedAt = performance.now();
  const report = (): void => {
    const done = [...encodedSeconds.values()].reduce((a, b) => a + b, 0);
    const elapsed = (performance.now() - startedAt) / 1000;
    const speed = elapsed > 0.5 ? done / elapsed : undefined;
    run.emit({ type: 'progress', percent: total > 0 ? Math.min(100, (done / total) * 100) : 0, outTime: done, ...(speed ? { speed, etaSeconds: Math.max(0, (total - done) / speed) } : {}) });
  };

  let failure: { error: unknown } | undefined;
  const next = async (): Promise<void> => {
    for (let chunk = waiting.shift(); chunk && !failure && !stop.signal.aborted; chunk = waiting.shift()) {
      for (let attempt = 1; ; attempt++) {
        try {
          results.push(await encodeChunk({
            ffmpeg: request.binaries.ffmpeg, input: request.input, plan, chunk, out: run.out, work, ...scratchRoot(request), signal: stop.signal,
            onProgress: (seconds) => {
              encodedSeconds.set(chunk.index, seconds);
              report();
            },
          }));
          encodedSeconds.set(chunk.index, chunk.endSeconds - chunk.startSeconds);
          report();
          break;
        } catch (error) {
          const retryable = !(error instanceof Live2vodError) || error.retryable;
          if (stop.signal.aborted || !retryable || attempt >= chunkTries) {
            failure ??= { error };
            stop.abort();
            return;
          }
          encodedSeconds.set(chunk.index, 0);
          run.emit({ type: 'warning', message: `chunk ${chunk.index + 1} of ${chunks.chunks.length} failed (${(error as Error).message.split('\n')[0]}); trying it again (${attempt + 1} of ${chunkTries})` });
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(run.parallelism, waiting.length)) }, () => next()));
  } finally {
    run.signal.removeEventListener('abort', onAbort);
  }
  if (failure) throw failure.error;
  if (run.signal.aborted) throw new CancelledError();
  return results.sort((a, b) => a.index - b.index);
}

function scratchRoot(request: TranscodeRequest): { scratchRoot?: string } {
  return request.scratchRoot ? { scratchRoot: request.scratchRoot } : {};
}
