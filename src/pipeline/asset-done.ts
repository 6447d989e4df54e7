// The report that ends a stage which wrote the asset (full, stitch, clip): where its manifest is, and
// what it found of the event inside the recording, for the job's view.
import type { AssetManifest } from '../media/asset-manifest.ts';
import { eventSummaryOf } from '../jobs/event-summary.ts';
import { manifestName } from './output-dir.ts';
import type { StageDone } from './stage-handlers.ts';

export function assetDone(manifest: AssetManifest | undefined): StageDone {
  const event = manifest ? eventSummaryOf(manifest) : undefined;
  return { type: 'done', manifest: manifestName, ...(event ? { event } : {}) };
}
