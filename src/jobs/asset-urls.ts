// Where a job's asset can be played: the instant remux once playable, the ladder once ready.
import { instantPlaylist } from '../media/remux-command.ts';
import type { Job } from './job.ts';

export interface AssetLinks {
  master: string;
  dash: string;
  manifest: string;
}

export function playableUrl(job: Job, mediaBaseUrl: string): string | null {
  const base = `${mediaBaseUrl}/${job.outputPrefix}`;
  if (job.state === 'succeeded') return `${base}/master.m3u8`;
  return job.playableAt ? `${base}/${instantPlaylist}` : null;
}

export function assetLinks(job: Job, mediaBaseUrl: string): AssetLinks | null {
  if (job.state !== 'succeeded') return null;
  const base = `${mediaBaseUrl}/${job.outputPrefix}`;
  return { master: `${base}/master.m3u8`, dash: `${base}/manifest.mpd`, manifest: `${base}/manifest.json` };
}
