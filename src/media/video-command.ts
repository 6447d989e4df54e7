// Builds the one ffmpeg command that decodes the source once and makes every video rendition,
// the sprite thumbnails and the poster candidates from it.
import { encoders } from './encoders/registry.ts';
import type { GopSpec } from './encoders/encoder.ts';
import { commonArgs, progressArgs, videoFmp4Args } from './fmp4-output.ts';
import { guardedInput } from './input-args.ts';
import { scratchNames, type TranscodePlan } from './plan.ts';
import { formatRational, toNumber } from './rational.ts';
import type { VideoRendition } from './types.ts';

export function buildVideoCommand(ffmpeg: string, sourcePath: string, plan: TranscodePlan): string[] {
  const video = plan.source.video;
  if (!video || plan.video.length === 0) throw new Error('buildVideoCommand needs a video source and renditions');
  const encoder = encoders[plan.encoder];
  const outputs: string[] = [];
  for (const [i, rendition] of plan.video.entries()) {
    outputs.push(
      '-map', `[v${i}]`,
      ...encoder.videoArgs(rendition, gopFor(rendition, plan.gopSeconds), plan.encoderPreset === undefined ? {} : { preset: plan.encoderPreset }),
      '-map_metadata', '-1',
      ...videoFmp4Args,
      scratchNames.video(rendition.id),
    );
  }
  if (plan.thumbnails) outputs.push('-map', '[thumbs]', '-c:v', 'mjpeg', '-q:v', '4', '-f', 'image2', '-start_number', '0', scratchNames.spritePattern);
  if (plan.poster) outputs.push('-map', '[poster]', '-c:v', 'mjpeg', '-q:v', '2', '-f', 'image2', '-start_number', '0', scratchNames.posterPattern);

  return [
    ffmpeg,
    ...commonArgs,
    ...progressArgs,
    ...guardedInput(sourcePath),
    '-filter_complex', buildVideoFilterGraph(plan),
    ...outputs,
  ];
}

export function gopFor(rendition: VideoRendition, gopSeconds: number): GopSpec {
  return { seconds: gopSeconds, frames: Math.ceil(gopSeconds * toNumber(rendition.frameRate) - 1e-6) };
}

/**
 * [0:v] → (deinterlace) → constant frame rate at the source's nominal rate → split into one branch
 * per distinct picture (own rate cap, scale to square pixels; rungs that differ only in bitrate
 * share one scale and split after it), plus sprite and poster branches that pick a few frames
 * before scaling, so they cost next to nothing.
 */
export function buildVideoFilterGraph(plan: TranscodePlan): string {
  const video = plan.source.video;
  if (!video) throw new Error('no video stream');
  const pictures = new Map<string, number[]>();
  plan.video.forEach((r, i) => {
    const rateCap = toNumber(r.frameRate) < toNumber(video.frameRate) - 1e-6 ? `fps=${formatRational(r.frameRate)},` : '';
    const chain = `${rateCap}scale=${r.width}:${r.height}:flags=bicubic,setsar=1,format=yuv420p`;
    pictures.set(chain, [...(pictures.get(chain) ?? []), i]);
  });
  const branches = pictures.size + (plan.thumbnails ? 1 : 0) + (plan.poster ? 1 : 0);
  const head = [
    ...(plan.deinterlace ? ['bwdif=mode=send_frame:parity=auto:deint=interlaced'] : []),
    `fps=${formatRational(video.frameRate)}`,
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
    chains.push(`[s${next++}]fps=1/${t.intervalSeconds},scale=${t.width}:${t.height},setsar=1,entropy,metadata=mode=print:file=${scratchNames.spriteScores},tile=${t.columns}x${t.rows}[thumbs]`);
  }
  if (plan.poster) {
    const p = plan.poster;
    const rate = Math.max(p.candidates / Math.max(plan.source.duration, 1), 0.001).toFixed(6);
    // The entropy of each candidate decides the poster: black and slate frames score lowest.
    chains.push(`[s${next}]fps=${rate},scale=${p.width}:${p.height},setsar=1,entropy,metadata=mode=print:file=${scratchNames.posterScores}[poster]`);
  }
  return chains.join(';');
}

