// The ffmpeg commands of a clip: the GOPs that straddle a cut re-encoded from the parent's own
// rendition with that rendition's settings, and the sprite thumbnails and poster candidates taken
// from one rendition of the parent over the clip's range. (The audio is copied: no command.)
import { encoders } from './encoders/registry.ts';
import { commonArgs, videoFmp4Args } from './fmp4-output.ts';
import { guardedInput } from './input-args.ts';
import type { TranscodePlan } from './plan.ts';
import type { Rational, VideoRendition } from './types.ts';
import { buildVideoFilterGraph, gopFor, pictureOutputs } from './video-command.ts';

export interface EdgeEncode {
  rendition: VideoRendition;
  /** The parent's init segment and the one fragment (GOP) this edge cuts, joined. */
  input: string;
  /** Frames [fromFrame, toFrame) of that GOP. */
  fromFrame: number;
  toFrame: number;
  /** The parent track's timescale, kept so the clip's pieces share one init. */
  timescale: number;
  output: string;
}

/**
 * One ffmpeg for every edge of one cut (each rendition's straddling GOP): decode, keep the frames
 * in range, encode as the transcode did (same encoder, preset, CRF, rate cap and GOP), so the
 * piece's stream headers equal the parent's and it plays under the parent's init segment.
 */
export function buildEdgeCommand(ffmpeg: string, plan: Pick<TranscodePlan, 'encoder' | 'encoderPreset' | 'gopSeconds'>, edges: readonly EdgeEncode[]): string[] {
  const encoder = encoders[plan.encoder];
  const inputs = edges.flatMap((e) => guardedInput(e.input));
  // trim counts frames from the GOP's IDR: exact whatever the timestamps say.
  const graph = edges.map((e, i) => `[${i}:v]trim=start_frame=${e.fromFrame}:end_frame=${e.toFrame},setpts=PTS-STARTPTS[e${i}]`).join(';');
  const outputs = edges.flatMap((e, i) => [
    '-map', `[e${i}]`,
    ...encoder.videoArgs(e.rendition, gopFor(e.rendition, plan.gopSeconds), plan.encoderPreset === undefined ? {} : { preset: plan.encoderPreset }),
    '-map_metadata', '-1',
    '-video_track_timescale', String(e.timescale),
    ...videoFmp4Args,
    e.output,
  ]);
  return [ffmpeg, ...commonArgs, ...inputs, '-filter_complex', graph, ...outputs];
}

/**
 * Sprite pictures and poster candidates of a clip, from one rendition's file that holds it from
 * `offsetSeconds` on (the transcode's own picture branches, over a source that is that rendition;
 * the input seek decodes from the keyframe before and drops what lies before, so the clip's time 0
 * is exact).
 */
export function buildClipPicturesCommand(ffmpeg: string, plan: TranscodePlan, input: string, rate: Rational, range: { offsetSeconds: number; durationSeconds: number }): string[] {
  const { durationSeconds } = range;
  const video = plan.source.video;
  if (!video || (!plan.thumbnails && !plan.poster)) throw new Error('buildClipPicturesCommand needs a plan with pictures');
  const { deinterlace: _d, detectEvent: _e, ...rest } = plan;
  const picturesOnly: TranscodePlan = { ...rest, deinterlace: false, video: [], source: { ...plan.source, duration: durationSeconds, video: { ...video, index: 0, frameRate: rate } } };
  const window = ['-ss', range.offsetSeconds.toFixed(6), '-t', durationSeconds.toFixed(6)];
  return [ffmpeg, ...commonArgs, ...window, ...guardedInput(input), '-filter_complex', buildVideoFilterGraph(picturesOnly), ...pictureOutputs(picturesOnly)];
}
