// Names and label values of the objects live2vod creates. A Job's name is deterministic from the
// job, the attempt and the unit (the stage of a chunked attempt), so a second create of the same
// unit answers 409 and is adopted instead of running twice. Pure.
import { createHash } from 'node:crypto';
import type { TranscodeTask } from '../jobs/transcode-task.ts';
import { isLabelValue, maxDnsLabel } from './syntax.ts';

/** Kubernetes allows 63; the Job controller copies the name into a label, so it must fit there too. */
const maxNameLength = maxDnsLabel;

function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8);
}

/** Lower case, invalid characters as "-", no leading/trailing/double "-". */
function slug(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/**
 * `live2vod-<job id>-a<attempt>[-<part>]`, at most `maxLength`. A job id that is not already
 * DNS-safe (or too long) is slugged, shortened and suffixed with a hash of the original, so two ids
 * never share a name.
 */
export function workerJobName(jobId: string, attempt: number, part = '', maxLength = maxNameLength): string {
  if (!Number.isInteger(attempt) || attempt < 1) throw new Error(`attempt must be a positive integer, got ${attempt}`);
  const prefix = 'live2vod-';
  const suffix = `-a${attempt}${part ? `-${part}` : ''}`;
  const room = maxLength - prefix.length - suffix.length;
  const plain = slug(jobId);
  const id = plain === jobId && plain.length <= room ? plain : `${plain.slice(0, room - 9).replace(/-+$/, '')}-${shortHash(jobId)}`.replace(/^-/, '');
  return `${prefix}${id}${suffix}`;
}

/** The Job of one unit of an attempt. A whole-recording attempt keeps the name it always had. */
export function unitJobName(task: TranscodeTask): string {
  switch (task.stage) {
    case 'full': return workerJobName(task.jobId, task.attempt);
    case 'chunk': return workerJobName(task.jobId, task.attempt, `chunk${task.chunk.index}`);
    default: return workerJobName(task.jobId, task.attempt, task.stage);
  }
}

/**
 * An Indexed Job's pods are named `<job name>-<index>-<random>` and get the hostname
 * `<job name>-<index>`, which must be a DNS label too: room for "-" and a 5-digit index
 * (completions stay below 10^5 with backoffLimitPerIndex).
 */
export const maxIndexedJobName = maxNameLength - 6;

/** The Indexed Job that runs every chunk of one attempt. */
export function chunkGroupJobName(jobId: string, attempt: number): string {
  return workerJobName(jobId, attempt, 'chunks', maxIndexedJobName);
}

/** A label value that stands for `value`: itself when valid, else a slug with a hash. */
export function labelValue(value: string): string {
  if (isLabelValue(value)) return value;
  return `${slug(value).slice(0, 54).replace(/-+$/, '')}-${shortHash(value)}`.replace(/^-/, '');
}
