// The units one attempt runs as. A whole-recording attempt is one unit (its key is the job id); a
// chunked attempt runs a split, then every chunk and the audio, then a stitch, each a unit of its
// own — or, on an executor that runs indexed batches (Kubernetes Indexed Jobs), all its chunks as
// one group. Executors know their workers by these keys; the scheduler maps them back to jobs.
import type { TranscodeTask } from './transcode-task.ts';

export function unitKey(task: TranscodeTask): string {
  switch (task.stage) {
    case 'full':
      return task.jobId;
    case 'chunk':
      return `${task.jobId}/chunk-${task.chunk.index}`;
    default:
      return `${task.jobId}/${task.stage}`;
  }
}

/** The key of all of a job's chunks run as one indexed group. */
export function chunkGroupKey(jobId: string): string {
  return `${jobId}/chunks`;
}

/** The job a unit key belongs to (job ids are UUIDs: no slash). */
export function jobOfUnit(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? key : key.slice(0, slash);
}
