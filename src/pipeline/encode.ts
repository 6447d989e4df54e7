// Runs the encodes: one ffmpeg for all video renditions (plus sprite and poster candidates) and,
// beside it, the audio measure + encode, which are cheap next to video. `startEncodes` hands back
// when each output is finished, so that packaging can read the outputs while they are written.
import { runProcess } from '../ffmpeg/run-process.ts';
import type { FfmpegProgress } from '../ffmpeg/progress.ts';
import { buildAudioEncodeCommand, buildLoudnessMeasureCommand } from '../media/audio-command.ts';
import { parseLoudnessReport, type LoudnessMeasurement } from '../media/loudness.ts';
import { audioRenditions, type TranscodePlan } from '../media/plan.ts';
import { buildVideoCommand } from '../media/video-command.ts';
import type { EventSink } from './events.ts';
import type { Stopwatch } from './stopwatch.ts';

export interface EncodeContext {
  ffmpeg: string;
  input: string;
  plan: TranscodePlan;
  scratch: string;
  signal: AbortSignal;
  emit: EventSink;
  stopwatch: Stopwatch;
}

export interface EncodeResult {
  /** The default audio track's measurement. */
  loudness?: LoudnessMeasurement;
  /** Every audio track's, by rendition id. */
  audioLoudness?: AudioLoudness;
}

/** Loudness measured per audio rendition id. */
export type AudioLoudness = Record<string, LoudnessMeasurement>;

/** The encodes, started: when each one's output is finished, and the whole. */
export interface StartedEncodes {
  /**
   * Settles when the video ffmpeg, which writes every video rendition, exits: fulfilled when it
   * succeeded, rejected with its error. Absent without video renditions.
   */
  video?: Promise<void>;
  /** The same for the audio encodes (every track); a failed loudness pass before them rejects it too. Absent without audio. */
  audio?: Promise<void>;
  /** Both encodes; rejects with the first failure (the other goes on until the run's signal aborts). */
  done: Promise<EncodeResult>;
  /** Settles once every ffmpeg started here has exited, however it went. */
  settled: Promise<void>;
}

/**
 * Starts the encodes and returns at once: the video ffmpeg is running when this returns, the
 * audio one after its loudness pass. Their outputs can be read while they grow (see
 * growing-file.ts), with `video` and `audio` saying when each is complete.
 */
export function startEncodes(ctx: EncodeContext): StartedEncodes {
  const { plan } = ctx;
  const onProgress = progressReporter(plan.source.duration, ctx.emit, ctx.signal);
  const videoDone = plan.video.length > 0
    ? ctx.stopwatch.step('encode', () => runProcess({ command: buildVideoCommand(ctx.ffmpeg, ctx.input, plan), stage: 'encode', cwd: ctx.scratch, signal: ctx.signal, onProgress }))
    : undefined;
  const audioDone = plan.audio ? encodeAudio(ctx, plan.video.length === 0 ? onProgress : undefined) : undefined;
  const done = Promise.all([videoDone, audioDone]).then(([, measured]): EncodeResult => {
    const main = plan.audio && measured?.[plan.audio.id];
    return { ...(main ? { loudness: main } : {}), ...(measured && Object.keys(measured).length > 0 ? { audioLoudness: measured } : {}) };
  });
  const settled = Promise.allSettled([videoDone, audioDone]).then(() => undefined);
  // Handled here so that a failure no reader was waiting on is not an unhandled rejection.
  const finished = (p: Promise<unknown>): Promise<void> => {
    const writer = p.then(() => undefined);
    writer.catch(() => undefined);
    return writer;
  };
  return {
    ...(videoDone ? { video: finished(videoDone) } : {}),
    ...(audioDone ? { audio: finished(audioDone) } : {}),
    done,
    settled,
  };
}

/**
 * Measures every audio track, then encodes each with its own gain: one `loudness` and one `audio`
 * step for all of them, side by side (audio is cheap next to video). Only the default track's
 * encode reports progress, which drives the bar when there is no video.
 */
export async function encodeAudio(ctx: EncodeContext, onProgress: ((p: FfmpegProgress) => void) | undefined): Promise<AudioLoudness> {
  const { plan } = ctx;
  const renditions = audioRenditions(plan);
  const measured: AudioLoudness = {};
  if (plan.loudness) {
    await ctx.stopwatch.step('loudness', () => Promise.all(renditions.map(async (rendition) => {
      const { stderr } = await runProcess({ command: buildLoudnessMeasureCommand(ctx.ffmpeg, ctx.input, plan, rendition), stage: 'encode', cwd: ctx.scratch, signal: ctx.signal });
      measured[rendition.id] = parseLoudnessReport(stderr);
    })));
  }
  await ctx.stopwatch.step('audio', () => Promise.all(renditions.map((rendition) => {
    const progress = rendition === plan.audio ? onProgress : undefined;
    return runProcess({
      command: buildAudioEncodeCommand(ctx.ffmpeg, ctx.input, plan, measured[rendition.id], progress !== undefined, rendition),
      stage: 'encode',
      cwd: ctx.scratch,
      signal: ctx.signal,
      ...(progress ? { onProgress: progress } : {}),
    });
  })));
  return measured;
}

/**
 * Percent, fps, speed and ETA from ffmpeg's progress, against the source duration. ffmpeg's last
 * block (`progress=end`) is 100 %, but not when it was stopped: a SIGTERMed ffmpeg writes one too,
 * and a cancelled job showed 100 % when that report beat the cancel (seen on the dashboard).
 */
export function progressReporter(duration: number, emit: EventSink, signal?: AbortSignal): (p: FfmpegProgress) => void {
  return (p) => {
    // An output may end past the source's end (a picture's duration, rounding): ffmpeg's out_time
    // and speed then overshoot, so position is capped and speed dropped beyond the end.
    const beyondEnd = p.outTime > duration + 0.5;
    const outTime = Math.min(p.outTime, duration);
    const percent = duration > 0 ? Math.min(100, Math.max(0, (outTime / duration) * 100)) : 0;
    const event: Extract<Parameters<EventSink>[0], { type: 'progress' }> = { type: 'progress', percent: p.done && !signal?.aborted ? 100 : percent, outTime };
    if (p.fps !== undefined) event.fps = p.fps;
    if (p.speed !== undefined && p.speed > 0 && !beyondEnd) {
      event.speed = p.speed;
      event.etaSeconds = Math.max(0, (duration - p.outTime) / p.speed);
    }
    emit(event);
  };
}
