// What a finished job's row shows from its asset — the poster and the encoded duration — read
// once per job from /v1/assets/<id> and kept for the page's life: a finished asset never changes.
import { getAsset } from './api.js';
import { assetFileUrl } from './asset-panel.js';

/** @typedef {import('./types.js').ApiJob} ApiJob */
/** @typedef {{ durationSeconds: number | undefined, poster: string | undefined }} AssetSummary */

/** null: asked and failed (a deleted asset, a refused link); the row shows what the job knows. */
const summaries = /** @type {Map<string, AssetSummary | null>} */ (new Map());

/** @param {string} jobId */
export function assetSummary(jobId) {
  return summaries.get(jobId) ?? undefined;
}

/**
 * Reads the summaries the list lacks; resolves true when any arrived (the rows should be drawn
 * again). Failures are remembered, not retried: the row is still useful without a poster.
 * @param {readonly ApiJob[]} jobs
 */
export async function loadAssetSummaries(jobs) {
  const missing = jobs.filter((job) => job.state === 'succeeded' && !summaries.has(job.id));
  const results = await Promise.all(missing.map(async (job) => {
    try {
      const asset = await getAsset(job.id);
      const thumbs = asset.manifest.thumbnails;
      summaries.set(job.id, { durationSeconds: asset.manifest.duration, poster: thumbs ? assetFileUrl(asset, thumbs.poster) : undefined });
      return true;
    } catch {
      summaries.set(job.id, null);
      return false;
    }
  }));
  return results.some(Boolean);
}
