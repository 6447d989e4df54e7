// Bridges job changes to outbound notifications: which changes are announced, with which URLs.
import { assetLinks, playableUrl, type AssetDirUrl } from '../jobs/asset-urls.ts';
import type { JobChange, JobEvents } from '../jobs/job-events.ts';
import { buildPayload, isEventType } from './events.ts';
import type { Notifier } from './notifier.ts';

export function connectNotifications(events: JobEvents, notifier: Notifier, assetDirUrl: AssetDirUrl, onError: (err: unknown) => void): () => void {
  return events.subscribe((change: JobChange) => {
    if (!isEventType(change.type)) return;
    const playable = playableUrl(change.job, assetDirUrl);
    const links = assetLinks(change.job, assetDirUrl);
    const payload = buildPayload(change.type, change.job, {
      now: new Date(change.at),
      ...(playable ? { playableUrl: playable } : {}),
      ...(links ? { asset: { master: links.master, dash: links.dash, manifest: links.manifest } } : {}),
    });
    notifier.publish(change.type, payload).catch(onError);
  });
}
