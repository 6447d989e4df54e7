// What a caller asks for when it cuts a clip of a finished job, and the checks the control plane
// can make before any worker starts: the parent has finished, and the range lies inside its asset.
import type { ClipRange, Job } from './job.ts';

/** The shortest clip a caller may ask for, in seconds (the worker's cut engine has the same floor). */
export const minClipSeconds = 1;

/** Why a clip was refused: `not_found` 404, `not_finished` 409, `bad_range` 400. */
export type ClipRefusal = 'not_found' | 'not_finished' | 'bad_range';

export class ClipRefusedError extends Error {
  readonly refusal: ClipRefusal;

  constructor(refusal: ClipRefusal, message: string) {
    super(message);
    this.name = 'ClipRefusedError';
    this.refusal = refusal;
  }
}

/** The parent must have an asset: succeeded. */
export function checkClipParent(parent: Job | undefined, id: string): Job {
  if (!parent) throw new ClipRefusedError('not_found', `no job ${id}`);
  if (parent.state !== 'succeeded') {
    // Waiting helps only a job still on its way; an ended one makes no asset unless retried.
    const next = parent.state === 'failed' || parent.state === 'cancelled' ? `retry it (POST /v1/jobs/${id}/retry) and cut the clip once it has succeeded` : 'wait until the job has succeeded';
    throw new ClipRefusedError('not_finished', `job ${id} is ${parent.state}; a clip is cut from a finished asset, so ${next}`);
  }
  return parent;
}

/** 0 ≤ start < end ≤ the parent's duration, at least minClipSeconds long; the message says what to change. */
export function checkClipRange(range: ClipRange, parentSeconds: number): void {
  const { start, end } = range;
  const problem = !(start >= 0) ? `start ${start} s is before the asset begins (0 s)`
    : !(end > start) ? `end ${end} s must be after start ${start} s`
    : end > parentSeconds + 1e-3 ? `end ${end} s is past the end of the asset (${parentSeconds} s)`
    : end - start < minClipSeconds - 1e-9 ? `the clip lasts ${+(end - start).toFixed(3)} s; a clip lasts at least ${minClipSeconds} s`
    : undefined;
  if (problem) throw new ClipRefusedError('bad_range', `${problem}: choose 0 ≤ start < end ≤ ${parentSeconds}, end − start ≥ ${minClipSeconds}`);
}

/** The duration a manifest.json states, if it does. */
export function manifestDuration(manifest: unknown): number | undefined {
  if (typeof manifest !== 'object' || manifest === null || !('duration' in manifest)) return undefined;
  return typeof manifest.duration === 'number' && manifest.duration > 0 ? manifest.duration : undefined;
}
