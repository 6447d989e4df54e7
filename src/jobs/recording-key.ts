// The idempotency key that makes one recording one job, whichever way it arrives: the watch
// folder, the API and the recorder hooks (nginx-rtmp, SRS, MediaMTX) all name a local file by
// this key, so the second to report it gets the first's job. A file rewritten in place (new size
// or modification time) is a new recording.

import type { LocalFile } from './local-source.ts';

export function localRecordingKey(file: LocalFile): string {
  // Whole milliseconds: intakes that round differently must still agree.
  return `file:${file.path}:${file.size}:${Math.trunc(file.mtimeMs)}`;
}

/**
 * The key of a job the caller asked for with its own Idempotency-Key: that job and no other,
 * apart from the recording's.
 */
export function callerKey(given: string): string {
  return `api:${given}`;
}
