// The audio of a chunked job: measured and encoded once for the whole recording (AAC per chunk
// would put encoder priming, an audible gap, at every seam), packaged into its final segments
// while it is written.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { scratchNames, type TranscodePlan } from '../../media/plan.ts';
import { encodeAudio } from '../encode.ts';
import { WriterFailedError } from '../growing-file.ts';
import type { OutputDir } from '../output-dir.ts';
import { packageTrack } from '../package-track.ts';
import { readSilences } from '../event/read-detections.ts';
import { makeScratch } from '../scratch.ts';
import type { Stopwatch } from '../stopwatch.ts';
import type { AudioResult } from './work-area.ts';

export interface EncodeAudioUnitContext {
  ffmpeg: string;
  input: string;
  plan: TranscodePlan;
  out: OutputDir;
  scratchRoot?: string;
  signal: AbortSignal;
  /** Times the loudness measure and the encode (`loudness`, `audio` in manifest.json). */
  stopwatch: Stopwatch;
}

/** Encodes and packages the audio; the caller keeps the result (see WorkArea.writeAudio) once it is final. */
export async function encodeAudioUnit(ctx: EncodeAudioUnitContext): Promise<AudioResult> {
  const rendition = ctx.plan.audio;
  if (!rendition) throw new Error('encodeAudioUnit: the plan has no audio');
  const scratch = await makeScratch(ctx.scratchRoot, 'live2vod-audio-');
  const own = new AbortController();
  const signal = AbortSignal.any([ctx.signal, own.signal]);
  try {
    const encoded = encodeAudio({ ffmpeg: ctx.ffmpeg, input: ctx.input, plan: ctx.plan, scratch, signal, emit: () => undefined, stopwatch: ctx.stopwatch }, undefined);
    const writerDone = encoded.then(() => undefined);
    writerDone.catch(() => undefined);
    const relDir = `audio/${rendition.id}`;
    const packaged = packageTrack({
      fmp4Path: path.join(scratch, scratchNames.audio), outDir: ctx.out.path(relDir), relDir, id: rendition.id, kind: 'audio',
      segmentSeconds: ctx.plan.segmentSeconds, audio: rendition, growing: { writerDone, signal },
    });
    packaged.catch(() => own.abort());
    // Both settle before scratch goes: nothing may still write when this returns or throws.
    const [loudness, track] = await Promise.allSettled([encoded, packaged]);
    if (track.status === 'rejected' && !(track.reason instanceof WriterFailedError) && !ctx.signal.aborted) throw track.reason;
    if (loudness.status === 'rejected') throw loudness.reason;
    if (track.status === 'rejected') throw track.reason;
    const silences = await readSilences(ctx.plan, scratch);
    return { track: track.value, ...(loudness.value ? { loudness: loudness.value } : {}), ...(silences ? { silences } : {}) };
  } finally {
    own.abort();
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}
