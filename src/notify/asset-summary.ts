// What a media library needs of a finished asset without calling back: its duration, renditions,
// poster, thumbnails track and download, as absolute URLs. Pure: read from the asset's
// manifest.json (written last by the worker), which the control plane passes in.
import { z } from 'zod';

export interface AssetSummary {
  /** Seconds. */
  duration: number;
  renditions: { id: string; width: number | null; height: number | null; bitrate: number | null }[];
  poster?: string;
  /** The WebVTT thumbnails track (sprite tiles as media fragments). */
  thumbnails?: string;
  /** The progressive MP4. */
  download?: string;
}

const manifestSchema = z.object({
  duration: z.number(),
  renditions: z.array(z.object({
    id: z.string(),
    width: z.number().nullish(),
    height: z.number().nullish(),
    averageBitrate: z.number().nullish(),
    targetBitrate: z.number().nullish(),
  }).loose()),
  thumbnails: z.object({ poster: z.string(), vtt: z.string() }).loose().nullish(),
  download: z.object({ file: z.string() }).loose().nullish(),
}).loose();

/** Undefined when the manifest is not one this version understands: the payload goes without. */
export function summarizeAsset(manifest: unknown, assetDirUrl: string): AssetSummary | undefined {
  const parsed = manifestSchema.safeParse(manifest);
  if (!parsed.success) return undefined;
  const m = parsed.data;
  const url = (file: string) => `${assetDirUrl}/${file}`;
  return {
    duration: m.duration,
    renditions: m.renditions.map((r) => ({ id: r.id, width: r.width ?? null, height: r.height ?? null, bitrate: r.averageBitrate ?? r.targetBitrate ?? null })),
    ...(m.thumbnails ? { poster: url(m.thumbnails.poster), thumbnails: url(m.thumbnails.vtt) } : {}),
    ...(m.download ? { download: url(m.download.file) } : {}),
  };
}
