// Which job a POST /v1/jobs asks for: the key it is stored under, and what is known of the file.
//
// - With an Idempotency-Key the caller names its own job: the same key is the same job (a retry),
//   a new key a new job, even for a recording another intake already has.
// - Without one, a local file is keyed as every intake keys it (src/jobs/recording-key.ts), so
//   the API, the watch folder and the recorder hooks make one job of one file.
// - A remote source (s3://, https://) without one is keyed by its location while its job is not
//   over; once that job ended, the same location may hold a new recording, so a new job is made.
import type { LocalFile } from '../jobs/local-source.ts';
import { knownFacts, type SourceFacts } from '../jobs/source-facts.ts';
import { formatSourceLocation, type SourceLocation } from '../jobs/source-location.ts';
import { callerKey, localRecordingKey } from '../jobs/recording-key.ts';

export interface JobRequestKey {
  key: string;
  facts: SourceFacts;
  /** The caller's own key: reusing it with a different body is a conflict. */
  callerGiven: boolean;
  /** A remote source without the caller's key: a new job once the last one ended. */
  newAfterEnd: boolean;
}

/** `file`: a local source as the intake checked it (real path, a non-empty regular file), with or without the caller's key. */
export function jobRequestKey(source: SourceLocation, file: LocalFile | undefined, header: string | string[] | undefined): JobRequestKey | { error: string } {
  const given = Array.isArray(header) ? header[0] : header;
  if (given !== undefined && given.length > 200) return { error: 'Idempotency-Key is longer than 200 characters' };
  const callerGiven = given !== undefined && given !== '';
  if (!file) {
    return { key: callerGiven ? callerKey(given) : `api:${formatSourceLocation(source)}`, facts: {}, callerGiven, newAfterEnd: !callerGiven };
  }
  const key = callerGiven ? callerKey(given) : localRecordingKey(file);
  return { key, facts: knownFacts({ bytes: file.size }), callerGiven, newAfterEnd: false };
}
