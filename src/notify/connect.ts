// Bridges job changes to outbound notifications: which changes are announced, with which URLs.
import { assetLinks, playableUrl, type AssetDirUrl } from '../jobs/asset-urls.ts';
import type { Job } from '../jobs/job.ts';
import type { JobChange, JobEvents } from '../jobs/job-events.ts';
import { summarizeAsset } from './asset-summary.ts';
import { buildPayload, isEventType } from './events.ts';
import type { Notifier } from './notifier.ts';
import type { ReadAssetManifest } from '../storage/read-asset-manifest.ts';

export function connectNotifications(events: JobEvents, notifier: Notifier, assetDirUrl: AssetDirUrl, onError: (err: unknown) => void, readManifest?: ReadAssetManifest): () => void {
  return events.subscribe((change: JobChange) => {
    if (!isEventType(change.type)) return;
    const type = change.type;
    void (async () => {
      const playable = playableUrl(change.job, assetDirUrl);
      const links = assetLinks(change.job, assetDirUrl);
      // asset.ready says what was made, so the media library need not fetch manifest.json itself.
      const summary = type === 'asset.ready' && readManifest ? summarizeAsset(await readManifest(change.job).catch(() => undefined), assetDirUrl(change.job)) : undefined;
      const payload = buildPayload(type, change.job, {
        now: new Date(change.at),
        ...(playable ? { playableUrl: playable } : {}),
        ...(links ? { asset: { master: links.master, dash: links.dash, manifest: links.manifest } } : {}),
        ...(summary ? { summary } : {}),
      });
      await notifier.publish(type, payload);
    })().catch(onError);
  });
}
