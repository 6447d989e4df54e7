// Split-and-stitch in one process: the chunks of one recording encode side by side (at most
// `parallelism` at once), the audio beside them once for the whole, then the stitch makes the
// asset. Chunks that already have a result in the work area (an earlier run was killed) are not
// encoded again; a chunk that fails for a retryable reason is retried alone.
import { CancelledError, Live2vodError } from '../../errors/index.ts';
import { equalJitter, type Backoff } from '../../retry/backoff.ts';
import { retry } from '../../retry/retry.ts';
import type { AssetManifest } from '../../media/asset-manifest.ts';
import type { ChunkState } from '../../jobs/worker-report.ts';
import type { ChunkPlan, ChunkRange } from '../../media/chunk-plan.ts';
import type { TranscodePlan } from '../../media/plan.ts';
import type { EventSink } from '../events.ts';
import { startInstantRemux } from '../instant-remux.ts';
import type { OutputDir } from '../output-dir.ts';
import type { TranscodeRequest } from '../request.ts';
import type { Stopwatch } from '../stopwatch.ts';
import { encodeAudioUnit } from './encode-audio-unit.ts';
import { encodeChunk } from './encode-chunk.ts';
import { stitchAsset } from './stitch.ts';
import { prepareWorkArea, type WorkArea, type ChunkResult } from './work-area.ts';

/** Tries per chunk: a chunk failing for a retryable reason (ffmpeg crashed, disk hiccup) runs again alone. */
export const chunkTries = 3;
/** A short pause before a chunk's next try: long enough for a disk or memory hiccup to pass. */
const chunkRetryBackoff: Backoff = { baseMs: 200, maxMs: 1_000, jitter: equalJitter };

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
  const { work, resume } = await prepareWorkArea(out, request.input, plan, run.chunks);

  const remux = request.instantRemux ? startInstantRemux({ ffmpeg: request.binaries.ffmpeg, input: request.input, plan, out, signal, emit, stopwatch }) : undefined;
  if (remux) {
    run.running.push(remux.done);
    await remux.headStart;
  }
  const stored = plan.audio && resume ? await work.readAudio() : undefined;
  const audio = plan.audio && !stored
    ? encodeAudioUnit({ ffmpeg: request.binaries.ffmpeg, input: request.input, plan, out, ...scratchRoot(request), signal, stopwatch }).then(async (result) => {
        await work.writeAudio(result);
        return result;
      })
    : stored;
  if (audio instanceof Promise) run.running.push(audio);

  const encoded = stopwatch.step('encode', () => encodeAllChunks(run, work, resume));
  run.running.push(encoded);
  const [chunkResults, audioResult] = await Promise.all([encoded, audio]);
  if (signal.aborted) throw new CancelledError();
  await remux?.done;

  return stitchAsset({
    ffmpeg: request.binaries.ffmpeg, plan, chunks: run.chunks, chunkResults, audioResult, out, work, stopwatch, signal, download: request.download,
    started: run.started, ...scratchRoot(request), ...(run.fallback ? { fallback: run.fallback } : {}),
    input: request.input, emit: run.emit, ...(request.quality === undefined ? {} : { quality: request.quality }),
  });
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
  const count = chunks.chunks.length;
  const state = (chunk: ChunkRange, to: ChunkState): void => run.emit({ type: 'chunk', index: chunk.index, count, state: to, startSeconds: chunk.startSeconds, endSeconds: chunk.endSeconds });
  for (const chunk of chunks.chunks) {
    const stored = resume ? await work.readChunk(chunk.index) : undefined;
    if (stored) {
      results.push(stored);
      encodedSeconds.set(chunk.index, chunk.endSeconds - chunk.startSeconds);
      state(chunk, 'done');
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
      try {
        const result = await retry(async () => {
          state(chunk, 'running');
          const encoded = await encodeChunk({
            ffmpeg: request.binaries.ffmpeg, input: request.input, plan, chunk, out: run.out, work, ...scratchRoot(request), signal: stop.signal,
            onProgress: (seconds) => {
              encodedSeconds.set(chunk.index, seconds);
              report();
            },
          });
          // Last, after every file it lists: a chunk with a result is done.
          await work.writeChunk(encoded);
          return encoded;
        }, {
          attempts: chunkTries,
          backoff: chunkRetryBackoff,
          retryable: (error) => !(error instanceof Live2vodError) || error.retryable,
          signal: stop.signal,
          onRetry: (error, attempt) => {
            encodedSeconds.set(chunk.index, 0);
            state(chunk, 'retrying');
            run.emit({ type: 'warning', message: `chunk ${chunk.index + 1} of ${chunks.chunks.length} failed (${(error as Error).message.split('\n')[0]}); trying it again (${attempt + 1} of ${chunkTries})` });
          },
        });
        results.push(result);
        encodedSeconds.set(chunk.index, chunk.endSeconds - chunk.startSeconds);
        state(chunk, 'done');
        report();
      } catch (error) {
        if (!stop.signal.aborted) state(chunk, 'failed');
        failure ??= { error };
        stop.abort();
        return;
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
