// Encoder choice is data: each codec has a priority list, and an unavailable encoder falls back
// down it (ending at libx264) with a message that says so.
import { EnvironmentError } from '../../errors/index.ts';
import type { EncoderName, VideoCodecFamily } from '../types.ts';
import type { EncoderStrategy } from './encoder.ts';
import { h264Nvenc } from './h264-nvenc.ts';
import { libsvtav1 } from './libsvtav1.ts';
import { libx264 } from './libx264.ts';
import { libx265 } from './libx265.ts';

export const encoders: Record<EncoderName, EncoderStrategy> = {
  libx264,
  libx265,
  libsvtav1,
  h264_nvenc: h264Nvenc,
};

export const encoderNames = ['libx264', 'libx265', 'libsvtav1', 'h264_nvenc'] as const satisfies readonly EncoderName[];

/** The encoder a codec is made with when none is named. */
export const defaultEncoderFor: Record<VideoCodecFamily, EncoderName> = {
  h264: 'libx264',
  hevc: 'libx265',
  av1: 'libsvtav1',
};

/** Why `preset` cannot be used with the encoder a codec (or a named encoder) means; undefined when it can. */
export function presetProblem(preset: string, codec: VideoCodecFamily, encoder: EncoderName | undefined): string | undefined {
  const strategy = encoders[encoder ?? defaultEncoderFor[codec]];
  return strategy.presets.includes(preset) ? undefined : `${preset} is not a preset of ${strategy.name}: use one of ${strategy.presets.join(', ')}`;
}

export interface EncoderChoice {
  encoder: EncoderStrategy;
  /** Set when the requested encoder could not be used. */
  fallback?: { requested: EncoderName; reason: string };
}

/** `usable` answers whether this machine can run an encoder (listed, and opened for hardware). */
export function chooseEncoder(requested: EncoderName, usable: (name: EncoderName) => boolean): EncoderChoice {
  if (usable(requested)) return { encoder: encoders[requested] };
  if (!usable('libx264')) {
    const what = requested === 'libx264' ? 'libx264 is' : `neither ${requested} nor the fallback libx264 is`;
    throw new EnvironmentError(`${what} available in this ffmpeg build; install an ffmpeg with libx264`);
  }
  const why = encoders[requested].needsHardware
    ? `${requested} could not be opened (no supported GPU or driver on this machine)`
    : `${requested} is not compiled into this ffmpeg`;
  return { encoder: libx264, fallback: { requested, reason: `${why}; falling back to libx264` } };
}
