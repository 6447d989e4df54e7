// A job that ends without an asset leaves no partial one behind (an interrupted chunked attempt
// keeps its chunks for the next, but there is no next after a cancel or the last failure).
import path from 'node:path';
import type { JobEvents } from '../jobs/job-events.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { Store } from '../store/store.ts';
import { removeIncompleteAsset } from './output-dir.ts';
import { removeIncompleteStoredAsset } from './remove-incomplete-stored-asset.ts';

export interface UnfinishedAssetRemoval {
  events: JobEvents;
  store: Pick<Store, 'getJob'>;
  /** Local media root, used when there is no asset store. */
  mediaRoot: string;
  assetStore?: ObjectStore | undefined;
  onError: (jobId: string, error: unknown) => void;
}

/** Subscribes; returns the unsubscribe. */
export function removeUnfinishedAssets(options: UnfinishedAssetRemoval): () => void {
  const { events, store, mediaRoot, assetStore, onError } = options;
  return events.subscribe((change) => {
    if (change.type !== 'job.cancelled' && change.type !== 'job.failed') return;
    void (async () => {
      // Not when a retry by hand has already queued the job again: its next attempt may use the chunks.
      const now = await store.getJob(change.job.id);
      if (now?.state !== 'cancelled' && now?.state !== 'failed') return;
      if (assetStore) await removeIncompleteStoredAsset(assetStore, change.job.outputPrefix);
      else await removeIncompleteAsset(path.join(mediaRoot, change.job.outputPrefix));
    })().catch((error: unknown) => onError(change.job.id, error));
  });
}
