// Plans the renditions for one source: never above the source's size, portrait sources get
// portrait rungs, frame rates capped per rung. Pure.
import { capFrameRate } from './rational.ts';
import type { RungSpec, SourceVideo, VideoCodecFamily, VideoRendition } from './types.ts';

export interface LadderOptions {
  codec: VideoCodecFamily;
  rungs: readonly RungSpec[];
}

export function planLadder(video: SourceVideo, options: LadderOptions): VideoRendition[] {
  const portrait = video.displayHeight > video.displayWidth;
  const planned: VideoRendition[] = [];
  for (const rung of [...options.rungs].sort((a, b) => a.bitrateKbps - b.bitrateKbps)) {
    const box = portrait ? { w: rung.height, h: rung.width } : { w: rung.width, h: rung.height };
    const scale = Math.min(box.w / video.displayWidth, box.h / video.displayHeight);
    // A rung whose box is larger than the source in both directions would upscale: skip it.
    if (scale > 1 + 1e-6) continue;
    const width = even(video.displayWidth * scale, video.displayWidth);
    const height = even(video.displayHeight * scale, video.displayHeight);
    const bitrateKbps = scaledBitrate(rung.bitrateKbps, (width * height) / (box.w * box.h));
    planned.push(rendition(options.codec, width, height, bitrateKbps, rung, video));
  }
  if (planned.length > 0) return dedupeRenditions(planned);

  // Smaller than the smallest rung: one rendition at the source's own (even) size.
  const smallest = [...options.rungs].sort((a, b) => a.width * a.height - b.width * b.height)[0];
  if (!smallest) throw new Error('the ladder has no rungs');
  const width = even(video.displayWidth, video.displayWidth);
  const height = even(video.displayHeight, video.displayHeight);
  const bitrateKbps = scaledBitrate(smallest.bitrateKbps, (width * height) / (smallest.width * smallest.height));
  return [rendition(options.codec, width, height, bitrateKbps, smallest, video)];
}

/** `1080p-7800k`: the shorter side and the cap; names the rendition's directory. */
export function renditionId(width: number, height: number, bitrateKbps: number): string {
  return `${Math.min(width, height)}p-${bitrateKbps}k`;
}

function rendition(codec: VideoCodecFamily, width: number, height: number, bitrateKbps: number, rung: RungSpec, video: SourceVideo): VideoRendition {
  return {
    id: renditionId(width, height, bitrateKbps),
    codec,
    width,
    height,
    frameRate: capFrameRate(video.frameRate, rung.maxFrameRate),
    bitrateKbps,
    maxrateKbps: bitrateKbps,
    // Two seconds of buffer at the cap: smooth enough for capped CRF, tight enough for players.
    bufsizeKbps: bitrateKbps * 2,
    crf: rung.crf ?? 23,
  };
}

/** Rungs scaled to a narrower aspect get proportionally fewer bits, but never under 40 %. */
function scaledBitrate(kbps: number, areaRatio: number): number {
  return Math.max(50, Math.round((kbps * Math.max(0.4, Math.min(1, areaRatio))) / 5) * 5);
}

/** Nearest even size (encoders need even dimensions for 4:2:0), never above `limit`. */
function even(value: number, limit: number): number {
  return Math.max(2, Math.min(Math.round(value / 2) * 2, Math.floor(limit / 2) * 2));
}

/**
 * Two rungs that end up identical (size, rate and bitrate) are one rendition; two that differ only
 * in frame rate keep distinct ids, since the id names the rendition's directory.
 */
export function dedupeRenditions(renditions: VideoRendition[]): VideoRendition[] {
  const seen = new Set<string>();
  const ids = new Set<string>();
  const out: VideoRendition[] = [];
  for (const r of renditions) {
    const key = `${r.width}x${r.height}@${r.frameRate.num}/${r.frameRate.den}:${r.bitrateKbps}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const id = ids.has(r.id) ? `${r.id}-${Math.round(r.frameRate.num / r.frameRate.den)}fps` : r.id;
    ids.add(id);
    out.push({ ...r, id });
  }
  return out;
}
