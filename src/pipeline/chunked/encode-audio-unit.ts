// The audio of a chunked job: every track measured and encoded once for the whole recording (AAC
// per chunk would put encoder priming, an audible gap, at every seam), packaged into its final
// segments while it is written.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { measureCpu } from '../../ffmpeg/process-cpu.ts';
import { audioRenditions, audioScratchName, type TranscodePlan } from '../../media/plan.ts';
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
  // Its own tally, kept in its result for the stitch's sum of the job's cost.
  const { result, cpu } = await measureCpu(() => encodeAudioMeasured(ctx));
  return { ...result, cpu };
}

async function encodeAudioMeasured(ctx: EncodeAudioUnitContext): Promise<AudioResult> {
  const renditions = audioRenditions(ctx.plan);
  if (renditions.length === 0) throw new Error('encodeAudioUnit: the plan has no audio');
  const scratch = await makeScratch(ctx.scratchRoot, 'live2vod-audio-');
  const own = new AbortController();
  const signal = AbortSignal.any([ctx.signal, own.signal]);
  try {
    const encoded = encodeAudio({ ffmpeg: ctx.ffmpeg, input: ctx.input, plan: ctx.plan, scratch, signal, emit: () => undefined, stopwatch: ctx.stopwatch }, undefined);
    const writerDone = encoded.then(() => undefined);
    writerDone.catch(() => undefined);
    const packagers = renditions.map((rendition) => {
      const relDir = `audio/${rendition.id}`;
      const packaged = packageTrack({
        fmp4Path: path.join(scratch, audioScratchName(ctx.plan, rendition)), outDir: ctx.out.path(relDir), relDir, id: rendition.id, kind: 'audio',
        segmentSeconds: ctx.plan.segmentSeconds, audio: rendition, growing: { writerDone, signal },
      });
      packaged.catch(() => own.abort());
      return packaged;
    });
    // Every packager settles (not just the first to fail) before scratch goes: nothing may still write when this returns or throws.
    const packaged = Promise.allSettled(packagers).then((settled) => settled.map((s) => {
      if (s.status === 'rejected') throw s.reason;
      return s.value;
    }));
    const [loudness, tracks] = await Promise.allSettled([encoded, packaged]);
    if (tracks.status === 'rejected' && !(tracks.reason instanceof WriterFailedError) && !ctx.signal.aborted) throw tracks.reason;
    if (loudness.status === 'rejected') throw loudness.reason;
    if (tracks.status === 'rejected') throw tracks.reason;
    const [track, ...alternateTracks] = tracks.value;
    if (!track) throw new Error('encodeAudioUnit: no audio track was packaged');
    const main = loudness.value[track.id];
    const silences = await readSilences(ctx.plan, scratch);
    return {
      track,
      ...(main ? { loudness: main } : {}),
      ...(alternateTracks.length > 0 ? { alternateTracks } : {}),
      ...(Object.keys(loudness.value).length > 0 ? { audioLoudness: loudness.value } : {}),
      ...(silences ? { silences } : {}),
    };
  } finally {
    own.abort();
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}
