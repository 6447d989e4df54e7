// One strategy per encoder behind one interface. Each returns the arguments for one output stream;
// the caller adds -map and the muxer. All must put an IDR at every GOP boundary and nowhere else,
// so every rendition's segments start at the same timestamps.
import type { EncoderName, VideoCodecFamily, VideoRendition } from '../types.ts';

export interface GopSpec {
  seconds: number;
  /** Frames per GOP at this rendition's rate, rounded up. */
  frames: number;
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
  videoArgs(rendition: VideoRendition, gop: GopSpec, settings: EncoderSettings): string[];
}

/** Keyframes on the wall-clock grid, independent of frame rate (29.97 included). */
export function forceKeyframesArgs(gop: GopSpec): string[] {
  return ['-force_key_frames', `expr:gte(t,n_forced*${gop.seconds})`];
}

export function kbps(value: number): string {
  return `${value}k`;
}
