// The audio of a chunked job: measured and encoded once for the whole recording (AAC per chunk
// would put encoder priming, an audible gap, at every seam), packaged into its final segments
// while it is written, the result kept in the work area.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { scratchNames, type TranscodePlan } from '../../media/plan.ts';
import { encodeAudio } from '../encode.ts';
import { writing } from '../fs-errors.ts';
import type { OutputDir } from '../output-dir.ts';
import { packageTrack } from '../package-track.ts';
import { Stopwatch } from '../stopwatch.ts';
import type { AudioResult, WorkArea } from './work-area.ts';

export interface EncodeAudioUnitContext {
  ffmpeg: string;
  input: string;
  plan: TranscodePlan;
  out: OutputDir;
  work: WorkArea;
  scratchRoot?: string;
  signal: AbortSignal;
}

export async function encodeAudioUnit(ctx: EncodeAudioUnitContext): Promise<AudioResult> {
  const rendition = ctx.plan.audio;
  if (!rendition) throw new Error('encodeAudioUnit: the plan has no audio');
  const scratch = await writing('the scratch directory', async () => {
    const root = ctx.scratchRoot ?? os.tmpdir();
    await mkdir(root, { recursive: true });
    return mkdtemp(path.join(root, 'live2vod-audio-'));
  });
  const abort = new AbortController();
  const onOuterAbort = (): void => abort.abort(ctx.signal.reason);
  if (ctx.signal.aborted) onOuterAbort();
  else ctx.signal.addEventListener('abort', onOuterAbort, { once: true });
  try {
    const encoded = encodeAudio({ ffmpeg: ctx.ffmpeg, input: ctx.input, plan: ctx.plan, scratch, signal: abort.signal, emit: () => undefined, stopwatch: new Stopwatch(() => undefined) }, undefined);
    const writerDone = encoded.then(() => undefined);
    writerDone.catch(() => undefined);
    const relDir = `audio/${rendition.id}`;
    const packaged = packageTrack({
      fmp4Path: path.join(scratch, scratchNames.audio), outDir: ctx.out.path(relDir), relDir, id: rendition.id, kind: 'audio',
      segmentSeconds: ctx.plan.segmentSeconds, audio: rendition, growing: { writerDone, signal: abort.signal },
    });
    packaged.catch(() => abort.abort());
    const [loudness, track] = await Promise.all([encoded, packaged]);
    const result: AudioResult = { track, ...(loudness ? { loudness } : {}) };
    await ctx.work.writeAudio(result);
    return result;
  } finally {
    abort.abort();
    ctx.signal.removeEventListener('abort', onOuterAbort);
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}
