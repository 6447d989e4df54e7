// What one transcode is asked to do. Built by the CLI (and later the worker) from validated input.
import type { FfmpegBinaries } from '../ffmpeg/binaries.ts';
import type { CpuMeasurement } from '../media/asset-cost.ts';
import type { LadderKind, LoudnessTarget, TranscodePlan } from '../media/plan.ts';
import type { QualitySampling } from '../media/quality-command.ts';
import type { EncoderName, RungSpec, Segment, VideoCodecFamily } from '../media/types.ts';
import type { EventSink } from './events.ts';

export interface TranscodeRequest {
  /** A local file, or a loopback reader's URL of a remote source (then see `localInput`). */
  input: string;
  /**
   * When `input` is a remote source read by ranges while it also downloads: the downloaded file,
   * once there. The probe and the instant remux read `input` at once, so playback does not wait
   * for the download; the encodes, which read everything, wait for it and read the local copy.
   */
  localInput?: () => Promise<string>;
  outDir: string;
  /** Parent of the per-run scratch directory; the system temp dir by default. */
  scratchRoot?: string;
  codec: VideoCodecFamily;
  /** The encoder to try first; the codec's default when absent. */
  encoder?: EncoderName;
  encoderPreset?: string;
  /** The ladder; the codec's preset when absent. */
  rungs?: readonly RungSpec[];
  /** H.264 up to 1080p plus HEVC rungs up to the source's size (src/media/mixed-ladder.ts). */
  mixedHevc?: boolean;
  /** `content-aware`: analyse the source and thin and fit the rungs to it; absent or `fixed`: the rungs as they are. */
  ladderKind?: LadderKind;
  defaultLanguage: string;
  loudness: LoudnessTarget | false;
  audioBitrateKbps: number;
  gopSeconds: number;
  segmentSeconds: number;
  thumbnails: boolean;
  download: boolean;
  /** Copy an H.264/AAC source into instant/ first, so it plays before the ladder is done. */
  instantRemux: boolean;
  /**
   * Split-and-stitch: `seconds` forces the chunk length (a multiple of the segment duration; 0
   * never chunks), absent chooses it from the recording's length; `parallelism` is how many chunks
   * encode at once. Absent: the recording is encoded whole.
   */
  chunking?: { seconds?: number; parallelism: number };
  /**
   * The probe and plan an earlier step of this job made from the same input and profile (a split
   * that found the recording too short to cut, in the worker that now encodes it whole): used as
   * they are, instead of probing, planning and, for a content-aware ladder, analysing again.
   */
  planned?: PlannedTranscode;
  /**
   * When a chunked run is stopped by `signal` or fails for a retryable reason, leave the asset
   * directory (marked incomplete) with its finished chunks, so that the next attempt encodes only
   * the rest. Whoever retries or gives up owns it then (serve removes it when the job ends without
   * an asset).
   */
  keepChunksForRetry?: boolean;
  /** Sampled SSIM/PSNR(/VMAF) per rendition in manifest.json: how, or false for none; absent, the default sampling. */
  quality?: QualitySampling | false;
  binaries: FfmpegBinaries;
  signal?: AbortSignal;
  onEvent?: EventSink;
  /**
   * Called with each CMAF segment as soon as its file is written, while the encode still runs
   * (the track's init.mp4 is written before its first segment), e.g. to upload it. Per track, in
   * order, one call at a time: the track waits for a returned promise, and the run fails with its
   * error if it rejects. A failed run removes the files again, so what was published must be too.
   */
  onSegment?: (track: { id: string; kind: 'video' | 'audio'; relDir: string }, segment: Segment, absPath: string) => Promise<void> | void;
}

/** What prepareTranscode decided, as a later step of the same job takes it over. */
export interface PlannedTranscode {
  plan: TranscodePlan;
  /** Why the requested encoder was replaced, or what else could not be done as asked; already warned about. */
  fallback?: string;
  /** How long the probe and plan took, for the manifest's timings. */
  probeMs: number;
  /** The CPU of the probe and plan (a content-aware ladder's analysis too), for the manifest's cost. */
  cpu: CpuMeasurement;
}

