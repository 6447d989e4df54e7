// Ladders are data. The H.264 ladder follows Apple's HLS Authoring Specification (16:9 rungs,
// bitrates in kb/s); rungs above 1080p serve higher sources. Lower rungs stay at ≤ 30 fps; from
// 540p up the source rate is kept up to 60. Two rungs of one size differ in CRF so capped-CRF
// encoding does not produce the same stream twice.
import type { RungSpec, VideoCodecFamily } from './types.ts';

const h264: RungSpec[] = [
  { width: 640, height: 360, bitrateKbps: 365, maxFrameRate: 30, crf: 23 },
  { width: 768, height: 432, bitrateKbps: 730, maxFrameRate: 30, crf: 23 },
  { width: 960, height: 540, bitrateKbps: 2000, maxFrameRate: 60, crf: 23 },
  { width: 1280, height: 720, bitrateKbps: 3000, maxFrameRate: 60, crf: 23 },
  { width: 1280, height: 720, bitrateKbps: 4500, maxFrameRate: 60, crf: 21 },
  { width: 1920, height: 1080, bitrateKbps: 6000, maxFrameRate: 60, crf: 23 },
  { width: 1920, height: 1080, bitrateKbps: 7800, maxFrameRate: 60, crf: 21 },
  { width: 2560, height: 1440, bitrateKbps: 12000, maxFrameRate: 60, crf: 21 },
  { width: 3840, height: 2160, bitrateKbps: 20000, maxFrameRate: 60, crf: 21 },
];

/** Apple's HEVC rungs at the same sizes: roughly 35 % fewer bits for the same quality. */
export function hevcRungsFrom(rungs: readonly RungSpec[]): RungSpec[] {
  return rungs.map((r) => ({ ...r, bitrateKbps: Math.round((r.bitrateKbps * 0.65) / 5) * 5, crf: (r.crf ?? 23) + 3 }));
}

const hevc: RungSpec[] = hevcRungsFrom(h264);

/** SVT-AV1's CRF scale runs higher than x264's for similar quality. */
const av1: RungSpec[] = h264.map((r) => ({ ...r, bitrateKbps: Math.round((r.bitrateKbps * 0.55) / 5) * 5, crf: (r.crf ?? 23) + 12 }));

export const ladderPresets: Record<VideoCodecFamily, readonly RungSpec[]> = { h264, hevc, av1 };
