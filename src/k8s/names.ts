// Names and label values of the objects live2vod creates. A Job's name is deterministic from the
// job and the attempt, so a second create of the same attempt answers 409 and is adopted instead
// of running twice. Pure.
import { createHash } from 'node:crypto';
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
 * `live2vod-<job id>-a<attempt>`. A job id that is not already DNS-safe (or too long) is slugged,
 * shortened and suffixed with a hash of the original, so two ids never share a name.
 */
export function workerJobName(jobId: string, attempt: number): string {
  if (!Number.isInteger(attempt) || attempt < 1) throw new Error(`attempt must be a positive integer, got ${attempt}`);
  const prefix = 'live2vod-';
  const suffix = `-a${attempt}`;
  const room = maxNameLength - prefix.length - suffix.length;
  const plain = slug(jobId);
  const id = plain === jobId && plain.length <= room ? plain : `${plain.slice(0, room - 9).replace(/-+$/, '')}-${shortHash(jobId)}`.replace(/^-/, '');
  return `${prefix}${id}${suffix}`;
}

/** A label value that stands for `value`: itself when valid, else a slug with a hash. */
export function labelValue(value: string): string {
  if (isLabelValue(value)) return value;
  return `${slug(value).slice(0, 54).replace(/-+$/, '')}-${shortHash(value)}`.replace(/^-/, '');
}
