// What one transcode is asked to do. Built by the CLI (and later the worker) from validated input.
import type { FfmpegBinaries } from '../ffmpeg/binaries.ts';
import type { LoudnessTarget } from '../media/plan.ts';
import type { EncoderName, RungSpec, VideoCodecFamily } from '../media/types.ts';
import type { EventSink } from './events.ts';

export interface TranscodeRequest {
  input: string;
  outDir: string;
  /** Parent of the per-run scratch directory; the system temp dir by default. */
  scratchRoot?: string;
  codec: VideoCodecFamily;
  /** The encoder to try first; the codec's default when absent. */
  encoder?: EncoderName;
  encoderPreset?: string;
  /** The ladder; the codec's preset when absent. */
  rungs?: readonly RungSpec[];
  defaultLanguage: string;
  loudness: LoudnessTarget | false;
  audioBitrateKbps: number;
  gopSeconds: number;
  segmentSeconds: number;
  thumbnails: boolean;
  download: boolean;
  /** Copy an H.264/AAC source into instant/ first, so it plays before the ladder is done. */
  instantRemux: boolean;
  binaries: FfmpegBinaries;
  signal?: AbortSignal;
  onEvent?: EventSink;
}

export const defaultEncoderFor: Record<VideoCodecFamily, EncoderName> = {
  h264: 'libx264',
  hevc: 'libx265',
  av1: 'libsvtav1',
};
