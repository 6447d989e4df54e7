// The cost a finished asset's manifest.json states (CPU-seconds per source second): the metrics
// observe it when an asset is ready. The worker's done report does not carry it; the manifest is
// the one record of what the job cost.
import type { Job } from '../jobs/job.ts';
import type { ReadAssetManifest } from '../storage/read-asset-manifest.ts';

export type CostReader = (job: Job) => Promise<number | undefined>;

export function manifestCostReader(readManifest: ReadAssetManifest): CostReader {
  return async (job) => costPerSourceSecond(await readManifest(job));
}

/** The figure from a parsed manifest; undefined when it was not measured (or an older manifest). */
export function costPerSourceSecond(manifest: unknown): number | undefined {
  if (typeof manifest !== 'object' || manifest === null || !('cost' in manifest)) return undefined;
  const cost = manifest.cost;
  if (typeof cost !== 'object' || cost === null || !('cpuSecondsPerSourceSecond' in cost)) return undefined;
  return typeof cost.cpuSecondsPerSourceSecond === 'number' ? cost.cpuSecondsPerSourceSecond : undefined;
}
