// The `clip` stage: a new asset cut from a finished one (make-clip.ts), from wherever the parent
// lies to wherever the clip goes.
import type { ClipTask } from '../../jobs/transcode-task.ts';
import { assetDone } from '../asset-done.ts';
import type { StageContext, StageDone } from '../stage-handlers.ts';
import { makeClip } from './make-clip.ts';

export async function runClipStage(task: ClipTask, context: StageContext): Promise<StageDone> {
  const { clip } = task;
  const manifest = await makeClip({
    ffmpeg: context.binaries.ffmpeg,
    parent: clip.parent,
    output: task.output,
    startSeconds: clip.startSeconds,
    endSeconds: clip.endSeconds,
    title: clip.title,
    parentJobId: clip.parentJobId,
    profile: task.profile,
    signal: context.signal,
    onEvent: context.onEvent,
  });
  // As any stage that wrote an asset: the job's view gets the clip's chapter count.
  return assetDone(manifest);
}
