// One chunk: encodes every video rendition of its time range in one ffmpeg and packages each into
// the asset's final segment files while ffmpeg writes them (numbered and timed for the whole
// recording) and keeps its init files, sprite pictures and poster candidates in the work area; the
// caller keeps its result there last (WorkArea.writeChunk, or a SharedWorkArea). Audio is not a
// chunk's business: it is encoded once, for the whole.
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { cpuSoFar, measureCpu } from '../../ffmpeg/process-cpu.ts';
import { runProcess } from '../../ffmpeg/run-process.ts';
import type { FfmpegProgress } from '../../ffmpeg/progress.ts';
import type { ChunkRange } from '../../media/chunk-plan.ts';
import { scratchNames, type TranscodePlan } from '../../media/plan.ts';
import { parseFrameLog, type ScoredFrame } from '../../media/thumbnails.ts';
import { buildVideoCommand } from '../../media/video-command.ts';
import { writing } from '../fs-errors.ts';
import { WriterFailedError } from '../growing-file.ts';
import type { OutputDir } from '../output-dir.ts';
import { readVideoDetections } from '../event/read-detections.ts';
import { makeScratch } from '../scratch.ts';
import { packageTrack } from '../package-track.ts';
import type { ChunkRendition, ChunkResult, WorkArea } from './work-area.ts';

export interface EncodeChunkContext {
  ffmpeg: string;
  input: string;
  plan: TranscodePlan;
  chunk: ChunkRange;
  out: OutputDir;
  work: WorkArea;
  scratchRoot?: string;
  signal: AbortSignal;
  /** Seconds of this chunk encoded so far. */
  onProgress?: (encodedSeconds: number) => void;
}

export async function encodeChunk(ctx: EncodeChunkContext): Promise<ChunkResult> {
  // Its own tally, kept in its result: the stitch, maybe in another worker, sums the chunks' cost.
  return (await measureCpu(() => encodeChunkMeasured(ctx))).result;
}

async function encodeChunkMeasured(ctx: EncodeChunkContext): Promise<ChunkResult> {
  const { plan, chunk } = ctx;
  const started = performance.now();
  const scratch = await makeScratch(ctx.scratchRoot, `live2vod-chunk${chunk.index}-`);
  // A failed rendition stops the encode; a failed encode stops the packagers at their next read.
  const own = new AbortController();
  const signal = AbortSignal.any([ctx.signal, own.signal]);
  const chunkDir = ctx.work.chunkDir(chunk.index);
  try {
    const onProgress = ctx.onProgress;
    const encode = runProcess({
      command: buildVideoCommand(ctx.ffmpeg, ctx.input, plan, chunk),
      stage: 'encode',
      cwd: scratch,
      signal,
      ...(onProgress ? { onProgress: (p: FfmpegProgress) => onProgress(Math.min(p.outTime, chunk.endSeconds - chunk.startSeconds)) } : {}),
    });
    const writerDone = encode.then(() => undefined);
    writerDone.catch(() => undefined);
    const packaged = plan.video.map(async (rendition): Promise<ChunkRendition> => {
      const relDir = `video/${rendition.id}`;
      const init = `init/${rendition.id}.mp4`;
      const track = await packageTrack({
        fmp4Path: path.join(scratch, scratchNames.video(rendition.id)),
        outDir: ctx.out.path(relDir),
        relDir,
        id: rendition.id,
        kind: 'video',
        segmentSeconds: plan.segmentSeconds,
        rendition,
        growing: { writerDone, signal },
        timeline: { startSeconds: chunk.startSeconds, sequence: chunk.firstGop, firstSegment: chunk.firstSegment },
        initPath: path.join(chunkDir, init),
      });
      return { id: rendition.id, track: track.track, segments: track.segments, init };
    });
    for (const p of packaged) p.catch(() => own.abort());
    const [encoded, ...renditions] = await Promise.allSettled([encode, ...packaged]);
    // A packager's own failure (disk full, a bad fragment) stopped ffmpeg: it is the error, not
    // the cancel ffmpeg then reports; unless the chunk was stopped from outside.
    const failed = renditions.find((r) => r.status === 'rejected' && !(r.reason instanceof WriterFailedError));
    if (failed?.status === 'rejected' && !ctx.signal.aborted) throw failed.reason;
    if (encoded?.status === 'rejected') throw encoded.reason;
    if (failed?.status === 'rejected') throw failed.reason;
    const pictures = await keepPictures(plan, chunk, scratch, chunkDir);
    // The first chunk keeps the recording's timestamps; the others restart at 0 (see chunkWindow).
    const detections = await readVideoDetections(plan, scratch, { offset: chunk.index === 0 ? 0 : chunk.startSeconds, from: chunk.startSeconds, to: chunk.endSeconds });
    const result: ChunkResult = {
      index: chunk.index,
      renditions: renditions.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
      ...pictures,
      encodeMs: Math.round(performance.now() - started),
      cpu: cpuSoFar(),
      ...(detections ? { detections } : {}),
    };
    return result;
  } finally {
    own.abort();
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Moves the sprite pictures and poster candidates into the work area, with their times on the whole recording. */
async function keepPictures(plan: TranscodePlan, chunk: ChunkRange, scratch: string, chunkDir: string): Promise<{ thumbnails: ScoredFrame[]; posters: ScoredFrame[] }> {
  if (!plan.thumbnails || !plan.poster) return { thumbnails: [], posters: [] };
  const shifted = (frames: ScoredFrame[]) => frames.map((f) => ({ ...f, time: f.time + chunk.startSeconds }));
  const thumbnails = shifted(parseFrameLog(await readFile(path.join(scratch, scratchNames.spriteScores), 'utf8')));
  const posters = shifted(parseFrameLog(await readFile(path.join(scratch, scratchNames.posterScores), 'utf8')));
  await writing('the chunk work area', async () => {
    await mkdir(chunkDir, { recursive: true });
    for (const frame of thumbnails) await copyFile(path.join(scratch, scratchNames.thumb(frame.index)), path.join(chunkDir, scratchNames.thumb(frame.index)));
    for (const frame of posters) await copyFile(path.join(scratch, scratchNames.poster(frame.index)), path.join(chunkDir, scratchNames.poster(frame.index)));
  });
  return { thumbnails, posters };
}
