// The units one attempt runs as. A whole-recording attempt is one unit (its key is the job id); a
// chunked attempt runs a split (which goes on with the audio while the chunks encode), every
// chunk, then a stitch, each a unit of its own — or, on an executor that runs indexed batches (Kubernetes Indexed Jobs), all its chunks as
// one group. Executors know their workers by these keys; the scheduler maps them back to jobs; a
// worker names its unit in its reports (`?unit=` on its callback URL).
import type { TranscodeTask } from './transcode-task.ts';

/**
 * `full`, `split`, `stitch` or `chunk-<index>`. A clip is its job's one worker, as a
 * whole-recording one is: the same name, so the same key (the job id) and report URL.
 */
export function unitName(task: TranscodeTask): string {
  if (task.stage === 'clip') return 'full';
  return task.stage === 'chunk' ? `chunk-${task.chunk.index}` : task.stage;
}

const unitNamePattern = /^(?:full|split|stitch|chunk-\d{1,6})$/;

export function isUnitName(value: string): boolean {
  return unitNamePattern.test(value);
}

/** The key of a job's unit by its name: the job id itself for the whole-recording worker. */
export function unitKeyOf(jobId: string, name: string): string {
  return name === 'full' ? jobId : `${jobId}/${name}`;
}

export function unitKey(task: TranscodeTask): string {
  return unitKeyOf(task.jobId, unitName(task));
}

/** The key of all of a job's chunks run as one indexed group. */
export function chunkGroupKey(jobId: string): string {
  return `${jobId}/chunks`;
}

/** The URL a worker reports to: the task's callback URL, naming the unit unless it is the whole recording. */
export function reportUrl(task: TranscodeTask & { callback: { url: string } }): string {
  const name = unitName(task);
  if (name === 'full') return task.callback.url;
  const url = new URL(task.callback.url);
  url.searchParams.set('unit', name);
  return url.toString();
}
