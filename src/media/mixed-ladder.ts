// The mixed ladder: H.264 rungs up to 1080p that every device plays, plus HEVC rungs (libx265,
// hvc1) up to the source's own size, 4K included, for the TVs and Apple devices that decode HEVC,
// in one multivariant playlist and one MPD. A layer over whatever planned the H.264 ladder: it
// trims that ladder and adds the HEVC one, so the H.264 rung choice stays in ladder.ts. Pure.
import { hdrTransferOf } from './hdr.ts';
import { planLadder } from './ladder.ts';
import { hevcRungsFrom } from './ladder-presets.ts';
import type { RungSpec, SourceVideo, VideoRendition } from './types.ts';

/** H.264 stops here (the short side): above it every HEVC-capable TV and phone takes HEVC. */
export const maxH264ShortSide = 1080;

/**
 * `h264` is the planned H.264 ladder, `rungs` the ladder it was planned from (a preset or a ladder
 * file); the HEVC rungs are the same rungs at Apple's HEVC rates (ladder-presets.ts), planned to
 * the source, never upscaled. An HDR source keeps its HDR in the HEVC rungs only; the H.264 ones
 * are tone-mapped to SDR by the filter graph.
 */
export function mixLadder(h264: readonly VideoRendition[], video: SourceVideo, rungs: readonly RungSpec[]): VideoRendition[] {
  const upTo1080 = h264.filter((r) => Math.min(r.width, r.height) <= maxH264ShortSide);
  // A ladder with only rungs above 1080p still leaves every device something: its smallest H.264 rung.
  const universal = upTo1080.length > 0 ? upTo1080 : h264.slice(0, 1);
  const hdr = hdrTransferOf(video);
  const hevc = planLadder(video, { codec: 'hevc', rungs: hevcRungsFrom(rungs) }).map((r): VideoRendition => ({
    ...r,
    // The id names the rendition's directory: unique beside an H.264 rung of the same size and rate.
    id: `hevc-${r.id}`,
    encoder: 'libx265',
    ...(hdr ? { hdr } : {}),
  }));
  return [...universal, ...hevc];
}
