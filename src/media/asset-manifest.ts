// manifest.json: the machine-readable summary of one asset, written last. Pure: built from what
// the pipeline measured.
import type { AssetCost } from './asset-cost.ts';
import { encoders } from './encoders/registry.ts';
import type { EventSummary } from './event/summary.ts';
import type { LoudnessMeasurement } from './loudness.ts';
import type { TranscodePlan } from './plan.ts';
import { toNumber } from './rational.ts';
import type { PackagedTrack } from './types.ts';

export const assetManifestSchemaId = 'live2vod.asset/v1';

export interface AssetFile {
  path: string;
  bytes: number;
}

export interface AssetManifestInput {
  version: string;
  plan: TranscodePlan;
  fallback?: string;
  video: PackagedTrack[];
  audio?: PackagedTrack;
  /** The other audio tracks, listed after the default one in `audioTracks`. */
  alternateAudio?: PackagedTrack[];
  loudness?: LoudnessMeasurement;
  /** Every audio track's measurement by rendition id (the default one's is `loudness`). */
  audioLoudness?: Record<string, LoudnessMeasurement>;
  thumbnails?: { poster: string; posterTime: number; sprites: string[]; vtt: string; intervalSeconds: number };
  download?: { file: string; renditionId?: string; bytes: number };
  files: AssetFile[];
  timingsMs: Record<string, number>;
  createdAt: Date;
  /** How the asset was made: split into chunks encoded apart and stitched, or (absent) whole. */
  chunks?: { count: number; seconds: number };
  /** Sampled quality against the source scaled to each rendition; absent when turned off or not measurable. */
  quality?: {
    windows: { startSeconds: number; seconds: number }[];
    frameStep: number;
    vmaf: boolean;
    renditions: Record<string, { ssim: number | null; psnr: number | null; vmaf: number | null; frames: number }>;
  };
  cost: AssetCost;
  /** The suggested trim and the chapters, when the encode looked for them. */
  event?: EventSummary;
  /** A clip: which asset it was cut from and where (seconds on the parent's timeline; `start` is the first frame's time). */
  clip?: AssetClip;
}

export interface AssetClip {
  parentJobId: string | null;
  start: number;
  end: number;
  title: string | null;
}

export function buildAssetManifest(input: AssetManifestInput) {
  const { plan } = input;
  const duration = Math.max(...[...input.video, ...(input.audio ? [input.audio] : []), ...(input.alternateAudio ?? [])].map((t) => t.duration), 0);
  return {
    schema: assetManifestSchemaId,
    generator: { name: 'live2vod', version: input.version },
    createdAt: input.createdAt.toISOString(),
    duration: round3(duration),
    hls: 'master.m3u8',
    dash: 'manifest.mpd',
    source: plan.source,
    encoder: { name: plan.encoder, preset: plan.encoderPreset ?? encoders[plan.encoder].defaultPreset, fallback: input.fallback ?? null },
    // How the video ladder was chosen: its kind, and for a content-aware one the complexity figure.
    ladder: ladderSummary(plan),
    packaging: { container: 'cmaf', segmentSeconds: plan.segmentSeconds, gopSeconds: plan.gopSeconds },
    renditions: input.video.map((t) => ({
      id: t.id,
      type: 'video' as const,
      codecs: t.track.codecString,
      width: t.track.width ?? t.rendition?.width,
      height: t.track.height ?? t.rendition?.height,
      frameRate: t.rendition ? round3(toNumber(t.rendition.frameRate)) : null,
      targetBitrate: t.rendition ? t.rendition.bitrateKbps * 1000 : null,
      peakBitrate: t.peakBitrate,
      averageBitrate: t.averageBitrate,
      bytes: t.totalBytes,
      duration: round3(t.duration),
      segments: t.segments.length,
      init: `${t.dir}/${t.initFile}`,
      playlist: `${t.dir}/${t.playlistFile}`,
      iframePlaylist: t.iframePlaylistFile ? `${t.dir}/${t.iframePlaylistFile}` : null,
      quality: input.quality?.renditions[t.id] ?? null,
    })),
    // `audio` is the default track as it always was; `audioTracks` lists every track, that one first.
    audio: input.audio ? audioEntry(plan, input.audio, input.loudness) : null,
    audioTracks: (input.audio ? [input.audio, ...(input.alternateAudio ?? [])] : []).map((track, i) => ({
      ...audioEntry(plan, track, i === 0 ? input.loudness : input.audioLoudness?.[track.id]),
      name: track.audio?.name ?? null,
      default: i === 0,
    })),
    thumbnails: input.thumbnails ?? null,
    download: input.download ?? null,
    chunks: input.chunks ?? null,
    quality: input.quality
      ? { reference: `source, deinterlaced and at constant rate as encoded, scaled to each rendition (bicubic)${plan.toneMapper ? ', tone-mapped to SDR for each SDR rendition of this HDR source' : ''}`, vmaf: input.quality.vmaf, frameStep: input.quality.frameStep, windows: input.quality.windows.map((w) => ({ startSeconds: round3(w.startSeconds), seconds: round3(w.seconds) })) }
      : null,
    cost: input.cost,
    suggestedTrim: input.event?.suggestedTrim ?? null,
    chapters: input.event?.chapters ?? null,
    files: input.files,
    timingsMs: input.timingsMs,
    // Only a clip says so: every other asset's manifest stays as it was.
    ...(input.clip ? { clip: { ...input.clip, start: round3(input.clip.start), end: round3(input.clip.end) } } : {}),
  };
}

export type AssetManifest = ReturnType<typeof buildAssetManifest>;

function audioEntry(plan: TranscodePlan, track: PackagedTrack, measured: LoudnessMeasurement | undefined) {
  return {
    id: track.id,
    codecs: track.track.codecString,
    language: track.audio?.language ?? null,
    channels: track.track.channels ?? null,
    sampleRate: track.track.sampleRate ?? null,
    peakBitrate: track.peakBitrate,
    averageBitrate: track.averageBitrate,
    bytes: track.totalBytes,
    duration: round3(track.duration),
    playlist: `${track.dir}/${track.playlistFile}`,
    loudness: plan.loudness ? { target: plan.loudness, measured: measured ?? null } : null,
  };
}

function ladderSummary(plan: TranscodePlan) {
  const ladder = plan.ladder;
  const analysis = ladder?.analysis;
  return {
    kind: ladder?.kind ?? 'fixed',
    note: ladder?.note ?? null,
    complexity: analysis ? { bitsPerPixel: analysis.bitsPerPixel, sizeExponent: analysis.sizeExponent, crf: analysis.crf, windows: analysis.windows.length, windowSeconds: analysis.windows[0]?.seconds ?? 0 } : null,
    dropped: ladder?.rungs?.filter((r) => !r.kept).map((r) => r.rung) ?? [],
  };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
