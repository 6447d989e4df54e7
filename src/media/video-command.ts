// Builds the one ffmpeg command that decodes the source once and makes every video rendition,
// the sprite thumbnails and the poster candidates from it.
import type { ChunkRange } from './chunk-plan.ts';
import { encoders } from './encoders/registry.ts';
import { videoDetectChain } from './event/detect-filters.ts';
import type { EncoderSettings, GopSpec } from './encoders/encoder.ts';
import { colourArgs, pictureFormat } from './hdr.ts';
import { commonArgs, progressArgs, videoFmp4Args } from './fmp4-output.ts';
import { guardedInput } from './input-args.ts';
import { scratchNames, type TranscodePlan } from './plan.ts';
import { formatRational, toNumber } from './rational.ts';
import type { EncoderName, Rational, VideoRendition } from './types.ts';

/**
 * With `chunk`, the command encodes only that time range of the recording: it starts exactly on
 * the chunk's first frame and puts keyframes where the whole encode would, see chunk-plan.ts.
 *
 * Each sprite thumbnail and poster candidate is written as its own picture, the first at the
 * first frame, never tiled here. ffmpeg prints no `-progress` block until every output file has
 * written its header, and an output writes it with its first picture: a tile sheet comes out only
 * when full (100 thumbnails, over 200 s) or at the end, and `fps=1/n` holds back its first
 * picture half an interval, so either kept progress at 0 % for most of the encode.
 */
export function buildVideoCommand(ffmpeg: string, sourcePath: string, plan: TranscodePlan, chunk?: ChunkRange): string[] {
  const video = plan.source.video;
  if (!video || plan.video.length === 0) throw new Error('buildVideoCommand needs a video source and renditions');
  const outputs: string[] = [];
  const origin = chunk ? { origin: { seconds: chunk.startSeconds, gop: chunk.firstGop } } : {};
  for (const [i, rendition] of plan.video.entries()) {
    const encoder = encoders[rendition.encoder ?? plan.encoder];
    outputs.push(
      '-map', `[v${i}]`,
      ...encoder.videoArgs(rendition, { ...gopFor(rendition, plan.gopSeconds), ...origin }, presetFor(encoder.name, plan)),
      ...colourArgs(rendition, video),
      '-map_metadata', '-1',
      ...videoFmp4Args,
      scratchNames.video(rendition.id),
    );
  }
  outputs.push(...pictureOutputs(plan));

  return [
    ffmpeg,
    ...commonArgs,
    ...progressArgs,
    ...(chunk ? chunkInputArgs(chunk, video.frameRate) : []),
    ...guardedInput(sourcePath),
    '-filter_complex', buildVideoFilterGraph(plan, chunk),
    ...outputs,
  ];
}

/** The sprite thumbnails and poster candidates of buildVideoFilterGraph's `[thumbs]` and `[poster]`, one picture each. */
export function pictureOutputs(plan: Pick<TranscodePlan, 'thumbnails' | 'poster'>): string[] {
  // Pictures keep their own timestamps (passthrough: the image2 muxer would otherwise repeat each
  // one at the video's rate); the sprite sheets are tiled from them after the encode.
  const pictures = ['-fps_mode', 'passthrough'];
  return [
    ...(plan.thumbnails ? ['-map', '[thumbs]', '-c:v', 'mjpeg', '-q:v', '2', ...pictures, '-f', 'image2', '-start_number', '0', scratchNames.thumbPattern] : []),
    ...(plan.poster ? ['-map', '[poster]', '-c:v', 'mjpeg', '-q:v', '2', ...pictures, '-f', 'image2', '-start_number', '0', scratchNames.posterPattern] : []),
  ];
}

/**
 * The plan's preset applies to its own encoder, and to libx265 beside libx264 (x265 takes x264's
 * preset names); another encoder keeps its default rather than get a name it does not know.
 */
function presetFor(name: EncoderName, plan: TranscodePlan): EncoderSettings {
  if (plan.encoderPreset === undefined) return {};
  return name === plan.encoder || encoders[name].presets.includes(plan.encoderPreset) ? { preset: plan.encoderPreset } : {};
}

/**
 * How a chunk reads its frames. The cut is made on the constant-rate timeline that fps= makes, not
 * on the source's timestamps: fps= fills each grid point with the nearest source frame, which may
 * lie before it (a late video start, jitter, a variable rate). So the chunk seeks to a grid point
 * about a second earlier (`-ss` before `-i`: decode from the keyframe before, drop frames until
 * then), lets fps= build the same grid from there, keeps its own frames, and restarts its
 * timestamps at 0.
 */
export function chunkWindow(chunk: ChunkRange, rate: Rational): { seek: number; readFor?: number; trim: string } {
  const frame = toNumber({ num: rate.den, den: rate.num });
  const lead = chunk.index === 0 ? 0 : Math.min(chunk.startFrame, Math.ceil(toNumber(rate)));
  const first = chunk.startFrame - lead;
  // After fps= a timestamp counts frames on the grid (its time base is 1/rate), so trim cuts at
  // whole frames: exact, whatever the rate.
  const bounds = [...(lead > 0 ? [`start_pts=${lead}`] : []), ...(chunk.endFrame === undefined ? [] : [`end_pts=${chunk.endFrame - first}`])];
  return {
    seek: first * frame,
    // A second past the end is read, so fps= has the source frames around the last grid point.
    ...(chunk.endFrame === undefined ? {} : { readFor: (chunk.endFrame - first + 0.5) * frame + 1 }),
    // The first chunk keeps its timestamps, as the whole encode does (a late video start stays late);
    // the others restart at 0 on their first frame, and the packager moves them to their place.
    trim: [...(bounds.length > 0 ? [`trim=${bounds.join(':')}`] : []), ...(lead > 0 ? ['setpts=PTS-STARTPTS'] : [])].join(','),
  };
}

function chunkInputArgs(chunk: ChunkRange, rate: Rational): string[] {
  const window = chunkWindow(chunk, rate);
  return [
    ...(window.seek > 0 ? ['-ss', window.seek.toFixed(6)] : []),
    ...(window.readFor === undefined ? [] : ['-t', window.readFor.toFixed(6)]),
  ];
}

export function gopFor(rendition: VideoRendition, gopSeconds: number): GopSpec {
  return { seconds: gopSeconds, frames: Math.ceil(gopSeconds * toNumber(rendition.frameRate) - 1e-6) };
}

/**
 * Picks the first frame at or after each multiple of `interval` seconds of the recording, on a
 * chunk's timeline that starts at `offset`: the same pictures whichever chunk holds them.
 */
function everyInterval(interval: number, offset: number, rate: Rational): string {
  const frame = toNumber({ num: rate.den, den: rate.num });
  // Shifted by a quarter frame so a frame exactly on a multiple is not lost to rounding.
  return `select='lt(mod(t+${(offset + frame / 4).toFixed(6)},${interval.toFixed(6)}),${frame.toFixed(6)})'`;
}

/**
 * [0:v] → (deinterlace) → constant frame rate at the source's nominal rate → split into one branch
 * per distinct picture (own rate cap, scale to square pixels; rungs that differ only in bitrate
 * share one scale and split after it), plus sprite and poster branches that pick a few frames
 * before scaling, so they cost next to nothing.
 */
export function buildVideoFilterGraph(plan: TranscodePlan, chunk?: ChunkRange): string {
  const video = plan.source.video;
  if (!video) throw new Error('no video stream');
  const pictures = new Map<string, number[]>();
  plan.video.forEach((r, i) => {
    const rateCap = toNumber(r.frameRate) < toNumber(video.frameRate) - 1e-6 ? `fps=${formatRational(r.frameRate)},` : '';
    const chain = `${rateCap}scale=${r.width}:${r.height}:flags=bicubic,setsar=1,${pictureFormat(r, video, plan.toneMapper)}`;
    pictures.set(chain, [...(pictures.get(chain) ?? []), i]);
  });
  const branches = pictures.size + (plan.thumbnails ? 1 : 0) + (plan.poster ? 1 : 0) + (plan.detectEvent ? 1 : 0);
  const head = [
    ...(plan.deinterlace ? ['bwdif=mode=send_frame:parity=auto:deint=interlaced'] : []),
    `fps=${formatRational(video.frameRate)}`,
    ...(chunk ? [chunkWindow(chunk, video.frameRate).trim].filter(Boolean) : []),
    `split=${branches}${Array.from({ length: branches }, (_, i) => `[s${i}]`).join('')}`,
  ];
  // The absolute stream index: cover art may come before the real video stream.
  const chains = [`[0:${video.index}]${head.join(',')}`];
  let next = 0;
  for (const [chain, renditions] of pictures) {
    const labels = renditions.map((i) => `[v${i}]`).join('');
    chains.push(`[s${next++}]${chain}${renditions.length > 1 ? `,split=${renditions.length}` : ''}${labels}`);
  }
  if (plan.thumbnails) {
    const t = plan.thumbnails;
    // entropy + metadata print records each thumbnail's timestamp, so the WebVTT matches what was made.
    const pick = everyInterval(t.intervalSeconds, chunk?.startSeconds ?? 0, video.frameRate);
    chains.push(`[s${next++}]${pick},scale=${t.width}:${t.height},setsar=1,entropy,metadata=mode=print:file=${scratchNames.spriteScores}[thumbs]`);
  }
  if (plan.poster) {
    const p = plan.poster;
    const rate = Math.max(p.candidates / Math.max(plan.source.duration, 1), 0.001);
    const pick = everyInterval(1 / rate, chunk?.startSeconds ?? 0, video.frameRate);
    // The entropy of each candidate decides the poster: black and slate frames score lowest.
    chains.push(`[s${next++}]${pick},scale=${p.width}:${p.height},setsar=1,entropy,metadata=mode=print:file=${scratchNames.posterScores}[poster]`);
  }
  if (plan.detectEvent) chains.push(videoDetectChain(`[s${next}]`));
  return chains.join(';');
}

