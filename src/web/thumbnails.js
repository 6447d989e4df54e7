// The WebVTT thumbnail track (thumbnails/thumbnails.vtt): each cue names a sprite image and the
// rectangle of one frame in it (`sprite-000.jpg#xywh=160,0,160,90`). Pure.

/**
 * @typedef {object} ThumbnailCue
 * @property {number} start seconds
 * @property {number} end seconds
 * @property {string} url the sprite image, absolute
 * @property {number} x
 * @property {number} y
 * @property {number} w
 * @property {number} h
 */

/**
 * "00:01:02.500" or "01:02.500" → 62.5; NaN when malformed.
 * @param {string} text
 */
export function vttTime(text) {
  const match = /^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})$/.exec(text.trim());
  if (!match) return NaN;
  const [, h, m, s, ms] = match;
  return Number(h ?? 0) * 3600 + Number(m) * 60 + Number(s) + Number(ms) / 1000;
}

/**
 * @typedef {object} SpriteFrame
 * @property {string} url the sprite image, absolute
 * @property {number} x
 * @property {number} y
 * @property {number} w
 * @property {number} h
 */

/**
 * One frame of a sprite sheet, as a thumbnail cue or a chapter names it:
 * `sprite-000.jpg#xywh=160,0,160,90`, relative to `baseUrl`; undefined when it is not one.
 * @param {string} target
 * @param {string} baseUrl
 * @returns {SpriteFrame | undefined}
 */
export function spriteFrame(target, baseUrl) {
  const rect = /^(.+)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(target);
  if (!rect) return undefined;
  const [, file, x, y, w, h] = rect;
  try {
    return { url: new URL(file ?? '', baseUrl).href, x: Number(x), y: Number(y), w: Number(w), h: Number(h) };
  } catch {
    return undefined;
  }
}

/**
 * Cues in time order. Cues that are not sprite rectangles are skipped, not fatal: a preview is a
 * nicety, never a reason for the player to fail.
 * @param {string} text the .vtt file
 * @param {string} vttUrl where it came from: sprite names are relative to it
 * @returns {ThumbnailCue[]}
 */
export function parseThumbnailTrack(text, vttUrl) {
  /** @type {ThumbnailCue[]} */
  const cues = [];
  const blocks = text.replace(/\r\n?/g, '\n').split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split('\n').filter((line) => line.trim() !== '');
    const timing = lines.findIndex((line) => line.includes('-->'));
    if (timing < 0) continue;
    const [from, to] = (lines[timing] ?? '').split('-->');
    const start = vttTime(from ?? '');
    const end = vttTime((to ?? '').trim().split(/\s+/)[0] ?? '');
    const frame = spriteFrame(lines[timing + 1]?.trim() ?? '', vttUrl);
    if (!frame || !Number.isFinite(start) || !Number.isFinite(end)) continue;
    cues.push({ start, end, ...frame });
  }
  return cues.sort((a, b) => a.start - b.start);
}

/**
 * The cue showing at `time`: the last one starting at or before it (binary search). Past the
 * end, the last cue; before the first, the first.
 * @param {readonly ThumbnailCue[]} cues
 * @param {number} time
 * @returns {ThumbnailCue | undefined}
 */
export function cueAt(cues, time) {
  let low = 0;
  let high = cues.length - 1;
  let found = cues.length > 0 ? 0 : -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if ((cues[mid]?.start ?? Infinity) <= time) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found >= 0 ? cues[found] : undefined;
}
