// Sprite/WebVTT and poster choice. Pure: the encode writes `metadata=print` logs with each picked
// frame's time and entropy; these functions read them.
import type { PosterPlan, ThumbnailPlan } from './plan.ts';
import type { SourceInfo } from './types.ts';

export interface ScoredFrame {
  index: number;
  time: number;
  entropy: number;
}

/** Parses the `metadata=mode=print` log: `frame:N pts:P pts_time:T` followed by key=value lines. */
export function parseFrameLog(text: string): ScoredFrame[] {
  const frames: ScoredFrame[] = [];
  let current: ScoredFrame | undefined;
  for (const line of text.split('\n')) {
    const head = /^frame:(\d+)\s+pts:\S+\s+pts_time:(\S+)/.exec(line);
    if (head) {
      current = { index: Number(head[1]), time: Number(head[2]), entropy: 0 };
      frames.push(current);
      continue;
    }
    const value = /^lavfi\.entropy\.normalized_entropy\.normal\.Y=(\S+)/.exec(line);
    if (value && current) current.entropy = Number(value[1]);
  }
  return frames;
}

/** The most detailed candidate: black frames, slates and fades have the lowest entropy. */
export function choosePoster(candidates: ScoredFrame[]): ScoredFrame | undefined {
  let best: ScoredFrame | undefined;
  for (const frame of candidates) if (!best || frame.entropy > best.entropy + 1e-9) best = frame;
  return best;
}

export function planThumbnails(source: SourceInfo, display: { width: number; height: number }): { thumbnails: ThumbnailPlan; poster: PosterPlan } {
  // About 200 thumbnails at most, one every 2–10 s: fine enough to scrub, few enough to load fast.
  const intervalSeconds = Math.min(10, Math.max(2, Math.ceil(source.duration / 200)));
  const thumb = fit(display, 160, 160);
  const poster = fit(display, 1280, 1280);
  return {
    thumbnails: { intervalSeconds, width: thumb.width, height: thumb.height, columns: 10, rows: 10 },
    poster: { candidates: 12, width: poster.width, height: poster.height },
  };
}

/** A WebVTT thumbnails track: one cue per thumbnail, with the sprite tile as a media fragment. */
export function writeThumbnailsVtt(frames: ScoredFrame[], plan: ThumbnailPlan, duration: number, spriteName: (sheet: number) => string): string {
  const perSheet = plan.columns * plan.rows;
  const lines = ['WEBVTT', ''];
  frames.forEach((frame, i) => {
    // The first cue starts at 0 and the last ends at the asset's end, so the track covers it all.
    const start = i === 0 ? 0 : frame.time;
    const end = i === frames.length - 1 ? duration : (frames[i + 1]?.time ?? duration);
    if (end <= start) return;
    const tile = i % perSheet;
    const x = (tile % plan.columns) * plan.width;
    const y = Math.floor(tile / plan.columns) * plan.height;
    lines.push(`${timestamp(start)} --> ${timestamp(end)}`, `${spriteName(Math.floor(i / perSheet))}#xywh=${x},${y},${plan.width},${plan.height}`, '');
  });
  return lines.join('\n');
}

function timestamp(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** Fits the display size into a box, keeping the aspect ratio, with even sides. */
export function fit(display: { width: number; height: number }, maxWidth: number, maxHeight: number): { width: number; height: number } {
  const scale = Math.min(1, maxWidth / display.width, maxHeight / display.height);
  const even = (v: number) => Math.max(2, Math.round(v / 2) * 2);
  return { width: even(display.width * scale), height: even(display.height * scale) };
}
