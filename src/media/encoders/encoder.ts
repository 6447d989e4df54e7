// One strategy per encoder behind one interface. Each returns the arguments for one output stream;
// the caller adds -map and the muxer. All must put an IDR at every GOP boundary and nowhere else,
// so every rendition's segments start at the same timestamps.
import type { EncoderName, VideoCodecFamily, VideoRendition } from '../types.ts';

export interface GopSpec {
  seconds: number;
  /** Frames per GOP at this rendition's rate, rounded up. */
  frames: number;
  /**
   * Where a chunk's first frame lies on the whole recording's keyframe grid: at `seconds`, the
   * start of GOP number `gop`. A chunk then puts its keyframes where the unchunked encode would.
   */
  origin?: { seconds: number; gop: number };
}

export interface EncoderSettings {
  /** Encoder speed preset; each encoder has its own vocabulary and default. */
  preset?: string;
}

export interface EncoderStrategy {
  name: EncoderName;
  codec: VideoCodecFamily;
  /** Whether this encoder needs hardware that must be opened to be known to work. */
  needsHardware: boolean;
  /** The speed presets it takes (--preset, transcode.preset), fastest last or first as the encoder counts. */
  presets: readonly string[];
  /** The preset used when none is asked for (manifest.json records it either way). */
  defaultPreset: string;
  videoArgs(rendition: VideoRendition, gop: GopSpec, settings: EncoderSettings): string[];
}

/** Keyframes on the wall-clock grid, independent of frame rate (29.97 included). */
export function forceKeyframesArgs(gop: GopSpec): string[] {
  if (!gop.origin || (gop.origin.seconds === 0 && gop.origin.gop === 0)) return ['-force_key_frames', `expr:gte(t,n_forced*${gop.seconds})`];
  // A chunk's t starts at 0: shift it onto the recording's grid, counting GOPs from the chunk's first.
  return ['-force_key_frames', `expr:gte(t+${gop.origin.seconds.toFixed(9)},(n_forced+${gop.origin.gop})*${gop.seconds})`];
}

/** x264's and x265's speed presets, fastest first. */
export const x26xPresets = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow', 'placebo'] as const;

export function kbps(value: number): string {
  return `${value}k`;
}
