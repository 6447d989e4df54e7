// Where a job's asset can be played: the instant remux once playable, the ladder once ready.
// The asset directory's URL depends on where assets live: under live2vod's /media/ (local
// output), under a public base URL (a CDN in front of the bucket), or under a signed /media/s/
// path that live2vod serves from a private bucket (presigned playback).
import { instantPlaylist } from '../media/remux-command.ts';
import type { Job } from './job.ts';
import { signMediaPath } from './media-token.ts';

export interface AssetLinks {
  master: string;
  dash: string;
  manifest: string;
}

/** The URL of a job's asset directory, without a trailing slash. */
export type AssetDirUrl = (job: Pick<Job, 'outputPrefix'>) => string;

export type AssetUrlMode =
  | { kind: 'public'; baseUrl: string }
  | { kind: 'signed'; mediaBaseUrl: string; key: Buffer; ttlSeconds: number; now?: () => number };

/** Signed URLs expire on a 5-minute grid, so repeated API reads give the same (cacheable) URL. */
const expiryGridSeconds = 300;

export function assetDirUrl(mode: AssetUrlMode): AssetDirUrl {
  if (mode.kind === 'public') {
    const base = mode.baseUrl.replace(/\/+$/, '');
    return (job) => `${base}/${job.outputPrefix}`;
  }
  const base = mode.mediaBaseUrl.replace(/\/+$/, '');
  const now = mode.now ?? Date.now;
  return (job) => {
    const expiresAt = Math.ceil((now() / 1000 + mode.ttlSeconds) / expiryGridSeconds) * expiryGridSeconds;
    return `${base}/s/${signMediaPath(mode.key, job.outputPrefix, expiresAt)}/${job.outputPrefix}`;
  };
}

export function playableUrl(job: Job, dirUrl: AssetDirUrl): string | null {
  if (job.state === 'succeeded') return `${dirUrl(job)}/master.m3u8`;
  return job.playableAt ? `${dirUrl(job)}/${instantPlaylist}` : null;
}

export function assetLinks(job: Job, dirUrl: AssetDirUrl): AssetLinks | null {
  if (job.state !== 'succeeded') return null;
  const base = dirUrl(job);
  return { master: `${base}/master.m3u8`, dash: `${base}/manifest.mpd`, manifest: `${base}/manifest.json` };
}
