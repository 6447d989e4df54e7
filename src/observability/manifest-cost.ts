// The cost a finished asset's manifest.json states (CPU-seconds per source second), read where
// the control plane keeps assets: the metrics observe it when an asset is ready. The worker's
// done report does not carry it; the manifest is the one record of what the job cost.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Job } from '../jobs/job.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { readObjectText } from '../storage/read-object-text.ts';

export type CostReader = (job: Job) => Promise<number | undefined>;

export function manifestCostReader(where: { assetStore?: ObjectStore; mediaRoot: string }): CostReader {
  return async (job) => {
    const key = `${job.outputPrefix}/manifest.json`;
    const text = where.assetStore ? await readObjectText(where.assetStore, key) : await readFile(path.join(where.mediaRoot, key), 'utf8');
    return costPerSourceSecond(JSON.parse(text));
  };
}

/** The figure from a parsed manifest; undefined when it was not measured (or an older manifest). */
export function costPerSourceSecond(manifest: unknown): number | undefined {
  if (typeof manifest !== 'object' || manifest === null || !('cost' in manifest)) return undefined;
  const cost = manifest.cost;
  if (typeof cost !== 'object' || cost === null || !('cpuSecondsPerSourceSecond' in cost)) return undefined;
  return typeof cost.cpuSecondsPerSourceSecond === 'number' ? cost.cpuSecondsPerSourceSecond : undefined;
}
