// The `full` stage: the whole recording in one worker, from wherever it is to wherever the asset goes.
import type { FullTask } from '../jobs/transcode-task.ts';
import { assetDone } from './asset-done.ts';
import { requestFromProfile } from './request-from-profile.ts';
import type { PlannedTranscode } from './request.ts';
import type { StageContext, StageDone } from './stage-handlers.ts';
import { transcodeAnywhere } from './transcode-anywhere.ts';

/** `planned`: the probe and plan a split of this attempt already made (see TranscodeRequest.planned). */
export async function runFullStage(task: FullTask, context: StageContext, planned?: PlannedTranscode): Promise<StageDone> {
  const request = requestFromProfile(task.profile, { outDir: task.output, binaries: context.binaries });
  const seconds = task.profile.chunkSeconds;
  const chunking = { parallelism: task.parallelism ?? 1, ...(seconds === undefined ? {} : { seconds }) };
  // A stopped worker's attempt is retried (or the job cancelled, and serve removes what is left).
  const result = await transcodeAnywhere(task.source, { ...request, chunking, keepChunksForRetry: true, signal: context.signal, onEvent: context.onEvent, ...(planned ? { planned } : {}) }, task.sourceFetch);
  return assetDone(result.manifest);
}
