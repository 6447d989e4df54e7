// The domain model shared by the pure media functions: what a source is, what the ladder plans,
// and what packaging produced. Plain data only, so it serialises into manifest.json unchanged.

export type VideoCodecFamily = 'h264' | 'hevc' | 'av1';
export type EncoderName = 'libx264' | 'libx265' | 'libsvtav1' | 'h264_nvenc';
export type Rotation = 0 | 90 | 180 | 270;
/** HDR transfer of a stream: PQ (SMPTE ST 2084, HDR10) or HLG (ARIB STD-B67); absent means SDR. */
export type HdrTransfer = 'pq' | 'hlg';

export interface Rational {
  num: number;
  den: number;
}

export interface SourceVideo {
  index: number;
  codec: string;
  profile?: string;
  pixelFormat?: string;
  /** ffprobe's colour tags (e.g. `smpte2084`, `bt2020`, `bt2020nc`); absent when untagged. */
  colorTransfer?: string;
  colorPrimaries?: string;
  colorSpace?: string;
  /** Coded size as stored in the file. */
  width: number;
  height: number;
  sampleAspectRatio: Rational;
  rotation: Rotation;
  /** Size as it is meant to be seen: square pixels, rotation applied, not yet made even. */
  displayWidth: number;
  displayHeight: number;
  /** Nominal frame rate (r_frame_rate when sane, else avg_frame_rate). */
  frameRate: Rational;
  variableFrameRate: boolean;
  interlaced: boolean;
  bitRate?: number;
  startTime: number;
  duration?: number;
}

export interface SourceAudio {
  index: number;
  codec: string;
  channels: number;
  channelLayout?: string;
  sampleRate: number;
  bitRate?: number;
  language?: string;
  /** The stream's title tag (e.g. `Interpretation`), the rendition's NAME when present. */
  title?: string;
  startTime: number;
  duration?: number;
}

export interface SourceInfo {
  formatName: string;
  /** Seconds; the longest of container and streams. */
  duration: number;
  sizeBytes: number;
  bitRate?: number;
  video?: SourceVideo;
  /** The default audio stream (disposition default, else the first). */
  audio?: SourceAudio;
  /**
   * Every usable audio stream in source order, `audio` among them; only when there is more than
   * one, so a one-track source describes itself as it always did.
   */
  audioStreams?: SourceAudio[];
}

/** One rung of a ladder preset: a bounding box for landscape sources (swapped for portrait). */
export interface RungSpec {
  width: number;
  height: number;
  bitrateKbps: number;
  /** Highest frame rate this rung may carry; sources above it are divided down. */
  maxFrameRate: number;
  /** Constant-rate factor; a lower value for the richer of two rungs of the same size. */
  crf?: number | undefined;
}

export interface VideoRendition {
  /** Stable, path-safe name, e.g. `1080p-7800k`. */
  id: string;
  codec: VideoCodecFamily;
  width: number;
  height: number;
  frameRate: Rational;
  bitrateKbps: number;
  maxrateKbps: number;
  bufsizeKbps: number;
  crf: number;
  /**
   * Set when this rendition keeps the source's HDR (10-bit, BT.2020, PQ or HLG); absent, it is
   * SDR (BT.709, tone-mapped when the source is HDR).
   */
  hdr?: HdrTransfer;
  /** The encoder for this rendition when it is not the plan's (the HEVC rungs of a mixed ladder). */
  encoder?: EncoderName;
}

export interface AudioRendition {
  id: string;
  /** The source stream it is encoded from (ffprobe's stream index). */
  sourceIndex: number;
  bitrateKbps: number;
  sampleRate: number;
  channels: number;
  language: string;
  name: string;
}

/** One fragment (moof + mdat) of a fragmented MP4 track, as found in the file. */
export interface Fragment {
  /** Byte offset of the moof box in the file it was parsed from. */
  offset: number;
  /** Bytes of moof + mdat (and any boxes between them). */
  size: number;
  /** tfdt baseMediaDecodeTime, in the track timescale. */
  decodeTime: number;
  /** Sum of sample durations, in the track timescale. */
  duration: number;
  sampleCount: number;
  /** Whether the first sample is a sync sample (an IDR for video). */
  startsWithKeyframe: boolean;
  /** Bytes from the moof start to the end of the first sample's data: the I-frame byte range. */
  firstSampleEnd: number;
}

/** What an init segment (ftyp + moov) says about its single track. */
export interface TrackInfo {
  kind: 'video' | 'audio';
  timescale: number;
  /** RFC 6381 codec string, e.g. `avc1.640028`, `hvc1.1.6.L120.90`, `av01.0.08M.08`, `mp4a.40.2`. */
  codecString: string;
  width?: number | undefined;
  height?: number | undefined;
  channels?: number;
  sampleRate?: number;
}

/** A packaged CMAF segment: one file holding one or more whole fragments. */
export interface Segment {
  /** 1-based sequence number, used in the file name and the DASH $Number$ template. */
  number: number;
  file: string;
  /** Seconds. */
  start: number;
  duration: number;
  /** In the track timescale, for the DASH SegmentTimeline. */
  decodeTime: number;
  durationTicks: number;
  bytes: number;
  /** I-frames inside this file, as byte ranges relative to its start. */
  keyframes: { offset: number; length: number; time: number; duration: number }[];
}

/** One packaged rendition: its init file, segments, playlists and measured figures. */
export interface PackagedTrack {
  id: string;
  kind: 'video' | 'audio';
  /** Directory relative to the asset root, e.g. `video/1080p-7800k`. */
  dir: string;
  initFile: string;
  playlistFile: string;
  iframePlaylistFile?: string;
  track: TrackInfo;
  segments: Segment[];
  duration: number;
  /** Measured bits per second: peak over segments and average over the whole track. */
  peakBitrate: number;
  averageBitrate: number;
  iframePeakBitrate?: number;
  iframeAverageBitrate?: number;
  totalBytes: number;
  /** Set for video tracks: what was asked for. */
  rendition?: VideoRendition;
  audio?: AudioRendition;
}
