// The content-aware ladder: the fixed ladder's renditions for this source (planLadder), priced by
// the complexity analysis, less the renditions that add nothing a player could use, and with rate
// caps that fit what the recording needs. Pure and deterministic: the same analysis gives the
// same ladder. Each rung says why it was kept, merged or dropped.
import { predictBitrate, type ComplexityAnalysis } from './complexity.ts';
import { dedupeRenditions, renditionId } from './ladder.ts';
import { toNumber } from './rational.ts';
import type { SourceVideo, VideoRendition } from './types.ts';

/** Two renditions whose expected bitrates are within this factor of each other are one too many. */
export const neighbourFactor = 1.2;
/** A lowered cap leaves this much room over the busiest analysed window, so it binds only where the analysis saw nothing like it. */
export const capHeadroom = 4;
/** The model's error margin: the richer of two rungs of one size replaces the leaner only with this much room under its cap. */
export const mergeMargin = 1.5;
/**
 * A cap is never lowered under this share of the fixed rung's cap: a slide change the windows
 * missed still gets the bits (a 25 % floor cost a 432p talk rendition 0.0002 SSIM on the bench).
 */
const capFloorShare = 0.5;

export interface RungDecision {
  /** The fixed ladder's rendition id. */
  rung: string;
  width: number;
  height: number;
  crf: number;
  capKbps: number;
  /** The predicted bitrate of this rung's CRF without a cap, mean over the analysed windows. */
  predictedKbps: number;
  kept: boolean;
  /** The id it has in the chosen ladder (when kept). */
  as?: string;
  reason: string;
}

export interface ContentLadder {
  video: VideoRendition[];
  rungs: RungDecision[];
}

interface Candidate {
  fixed: VideoRendition;
  crf: number;
  cap: number;
  meanKbps: number;
  peakKbps: number;
  dropped?: string;
  notes: string[];
}

export function chooseContentLadder(fixed: readonly VideoRendition[], analysis: ComplexityAnalysis): ContentLadder {
  const candidates: Candidate[] = fixed.map((r) => ({ fixed: r, crf: r.crf, cap: r.maxrateKbps, ...predict(analysis, r, r.crf), notes: [] }));
  // A rung at the source's own size that was not measured: its lower bound came within the margin of its cap.
  const unmeasured = analysis.sizes.some((z) => z.native) ? undefined : (analysis.unscaled ?? undefined);
  for (const c of candidates) {
    if (!unmeasured || !isNative(c.fixed, unmeasured)) continue;
    c.meanKbps = Math.max(c.meanKbps, c.cap + 1);
    c.peakKbps = Math.max(c.peakKbps, c.meanKbps);
    c.notes.push(`taken as capped: at the source's size it needs at least ~${predict(analysis, c.fixed, c.crf).meanKbps} kb/s (from the downscaled sizes), and more for the detail a downscale hides`);
  }
  mergeSameSize(candidates, analysis);
  dropNeighbours(candidates);
  const kept = candidates.filter((c) => !c.dropped);
  for (const c of kept) fitCap(c);
  kept.sort((a, b) => a.cap - b.cap || pixels(a) - pixels(b));
  // Kept rungs never coincide (two of one size stay only when both caps bind, and they differ), so
  // dedupe changes nothing but, at most, an id: the ids are read back by position.
  const video = dedupeRenditions(kept.map(rendition));
  const ids = new Map(kept.map((c, i) => [c, video[i]?.id ?? rendition(c).id]));
  // A kept rung whose cap came down is renamed (540p-2000k → 540p-1000k): the reasons name it so,
  // or they would point at a rung the ladder does not list.
  // One pass over all of them: a new id may be another rung's old one.
  const renamed = new Map(kept.flatMap((c) => { const id = ids.get(c); return id !== undefined && id !== c.fixed.id ? [[c.fixed.id, id] as const] : []; }));
  const oldIds = new RegExp(`(?<![\\w.-])(${[...renamed.keys()].map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![\\w.-])`, 'g');
  const named = (text: string): string => (renamed.size === 0 ? text : text.replace(oldIds, (id) => renamed.get(id) ?? id));
  const rungs = candidates.map((c): RungDecision => ({
    rung: c.fixed.id, width: c.fixed.width, height: c.fixed.height, crf: c.fixed.crf, capKbps: c.fixed.maxrateKbps, predictedKbps: predict(analysis, c.fixed, c.fixed.crf).meanKbps,
    kept: !c.dropped,
    ...(c.dropped ? {} : { as: ids.get(c) ?? rendition(c).id }),
    reason: named(c.dropped ?? (c.notes.length > 0 ? c.notes.join('; ') : 'kept as it is')),
  }));
  return { video, rungs };
}

/**
 * Whether the source's own size must be measured: a rung is encoded at it, unscaled (grain and the
 * finest detail, which no downscale shows: the downscaled sizes give a lower bound for it), and
 * that lower bound leaves room under its cap. Where every such rung's lower bound reaches its cap
 * within the model's margin, the rung is taken as capped (chooseContentLadder) without the
 * measurement, which would cost as much as the rest of the analysis together.
 */
export function needsNativeMeasurement(fixed: readonly VideoRendition[], downscaled: ComplexityAnalysis, video: SourceVideo): boolean {
  if (video.width !== video.displayWidth || video.height !== video.displayHeight) return false;
  return fixed.some((r) => isNative(r, video) && predict(downscaled, r, r.crf).meanKbps * mergeMargin < r.maxrateKbps);
}

const isNative = (r: VideoRendition, size: { width: number; height: number }): boolean => r.width === size.width && r.height === size.height;

function predict(analysis: ComplexityAnalysis, r: VideoRendition, crf: number): { meanKbps: number; peakKbps: number } {
  return predictBitrate(analysis, { width: r.width, height: r.height, crf, frameRate: toNumber(r.frameRate) });
}

const expected = (c: Candidate): number => Math.min(c.cap, c.meanKbps);
const capBound = (c: Candidate): boolean => c.meanKbps > c.cap;
const pixels = (c: Candidate): number => c.fixed.width * c.fixed.height;
const sameSize = (a: Candidate, b: Candidate): boolean => a.fixed.width === b.fixed.width && a.fixed.height === b.fixed.height && toNumber(a.fixed.frameRate) === toNumber(b.fixed.frameRate);

/**
 * Two rungs of one size differ in CRF and cap. When the richer one (lower CRF) would fit under the
 * leaner one's cap (with the model's margin, and its busiest window too), the lean one is only a worse copy at the same bandwidth: one rung at the richer
 * CRF under the lower cap serves both. When both caps bind, their outputs differ: both stay.
 */
function mergeSameSize(candidates: Candidate[], analysis: ComplexityAnalysis): void {
  for (const rich of [...candidates].sort((a, b) => a.crf - b.crf || b.cap - a.cap)) {
    if (rich.dropped) continue;
    for (const lean of candidates) {
      if (lean === rich || lean.dropped || !sameSize(lean, rich) || lean.crf < rich.crf) continue;
      if (Math.max(rich.meanKbps * mergeMargin, rich.peakKbps) > lean.cap) continue;
      lean.dropped = `same size as ${rich.fixed.id}: at crf ${rich.crf} that rung would take ~${rich.meanKbps} kb/s, under this rung's ${lean.cap} kb/s cap, so this one would only be a lower-quality copy at the same bandwidth; merged into it`;
      rich.notes.push(`takes the place of ${lean.fixed.id} (crf ${rich.crf}, cap ≤ ${lean.cap} kb/s)`);
      rich.cap = Math.min(rich.cap, lean.cap);
      Object.assign(rich, predict(analysis, rich.fixed, rich.crf));
    }
  }
}

/**
 * Neighbours (by expected bitrate) within 20 % of each other: the larger picture stays, unless its
 * cap binds — then it would get no more bits than the smaller one and look no better, so it goes.
 */
function dropNeighbours(candidates: Candidate[]): void {
  for (;;) {
    const kept = candidates.filter((c) => !c.dropped).sort((a, b) => expected(a) - expected(b) || pixels(a) - pixels(b) || b.crf - a.crf);
    let changed = false;
    for (let i = 0; i + 1 < kept.length && !changed; i++) {
      const [a, b] = [kept[i], kept[i + 1]];
      if (!a || !b || expected(b) > expected(a) * neighbourFactor) continue;
      const [small, big] = pixels(a) < pixels(b) || (pixels(a) === pixels(b) && a.crf > b.crf) ? [a, b] : [b, a];
      if (capBound(big) && pixels(big) > pixels(small)) {
        big.dropped = `would get ~${expected(big)} kb/s (its cap; crf ${big.crf} needs ~${big.meanKbps}), within 20 % of ${small.fixed.id}'s ~${expected(small)} kb/s: a larger picture at that bitrate looks no better`;
      } else {
        small.dropped = `its ~${expected(small)} kb/s is within 20 % of ${big.fixed.id}'s ~${expected(big)} kb/s, which gives ${pixels(big) > pixels(small) ? 'a larger picture' : 'better quality'} for about the same bits`;
      }
      changed = true;
    }
    if (!changed) return;
  }
}

/** An uncapped rung's cap comes down to what the recording needs, with room over its busiest window. */
function fitCap(c: Candidate): void {
  if (capBound(c)) return;
  const fitted = Math.min(c.cap, Math.max(Math.ceil((c.peakKbps * capHeadroom) / 50) * 50, Math.round((c.fixed.maxrateKbps * capFloorShare) / 5) * 5, 50));
  if (fitted < c.cap) c.notes.push(`cap ${c.cap} → ${fitted} kb/s (${capHeadroom}× the busiest window's ~${c.peakKbps} kb/s)`);
  c.cap = fitted;
}

function rendition(c: Candidate): VideoRendition {
  return {
    ...c.fixed,
    id: renditionId(c.fixed.width, c.fixed.height, c.cap),
    crf: c.crf,
    bitrateKbps: c.cap,
    maxrateKbps: c.cap,
    bufsizeKbps: c.cap * 2,
  };
}
