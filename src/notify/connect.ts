// Bridges job changes to outbound notifications: which changes are announced, with which URLs.
import type { JobChange, JobEvents } from '../jobs/job-events.ts';
import { buildPayload, isEventType } from './events.ts';
import type { Notifier } from './notifier.ts';

export function connectNotifications(events: JobEvents, notifier: Notifier, mediaBaseUrl: () => string, onError: (err: unknown) => void): () => void {
  return events.subscribe((change: JobChange) => {
    if (!isEventType(change.type)) return;
    const base = `${mediaBaseUrl()}/${change.job.outputPrefix}`;
    const payload = buildPayload(change.type, change.job, {
      now: new Date(change.at),
      ...(change.job.playableAt ? { playableUrl: `${base}/master.m3u8` } : {}),
      ...(change.type === 'asset.ready' ? { asset: { master: `${base}/master.m3u8`, dash: `${base}/manifest.mpd`, manifest: `${base}/manifest.json` } } : {}),
    });
    notifier.publish(change.type, payload).catch(onError);
  });
}
