// manifest.json: the machine-readable summary of one asset, written last. Pure: built from what
// the pipeline measured.
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
  loudness?: LoudnessMeasurement;
  thumbnails?: { poster: string; posterTime: number; sprites: string[]; vtt: string; intervalSeconds: number };
  download?: { file: string; renditionId?: string; bytes: number };
  files: AssetFile[];
  timingsMs: Record<string, number>;
  createdAt: Date;
  /** How the asset was made: split into chunks encoded apart and stitched, or (absent) whole. */
  chunks?: { count: number; seconds: number };
  /** The suggested trim and the chapters, when the encode looked for them. */
  event?: EventSummary;
}

export function buildAssetManifest(input: AssetManifestInput) {
  const { plan } = input;
  const duration = Math.max(...[...input.video, ...(input.audio ? [input.audio] : [])].map((t) => t.duration), 0);
  return {
    schema: assetManifestSchemaId,
    generator: { name: 'live2vod', version: input.version },
    createdAt: input.createdAt.toISOString(),
    duration: round3(duration),
    hls: 'master.m3u8',
    dash: 'manifest.mpd',
    source: plan.source,
    encoder: { name: plan.encoder, preset: plan.encoderPreset ?? null, fallback: input.fallback ?? null },
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
    })),
    audio: input.audio
      ? {
          id: input.audio.id,
          codecs: input.audio.track.codecString,
          language: input.audio.audio?.language ?? null,
          channels: input.audio.track.channels ?? null,
          sampleRate: input.audio.track.sampleRate ?? null,
          peakBitrate: input.audio.peakBitrate,
          averageBitrate: input.audio.averageBitrate,
          bytes: input.audio.totalBytes,
          duration: round3(input.audio.duration),
          playlist: `${input.audio.dir}/${input.audio.playlistFile}`,
          loudness: plan.loudness ? { target: plan.loudness, measured: input.loudness ?? null } : null,
        }
      : null,
    thumbnails: input.thumbnails ?? null,
    download: input.download ?? null,
    chunks: input.chunks ?? null,
    suggestedTrim: input.event?.suggestedTrim ?? null,
    chapters: input.event?.chapters ?? null,
    files: input.files,
    timingsMs: input.timingsMs,
  };
}

export type AssetManifest = ReturnType<typeof buildAssetManifest>;

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
