// Which job a POST /v1/jobs asks for: the key it is stored under, and what is known of the file.
//
// - With an Idempotency-Key the caller names its own job: the same key is the same job (a retry),
//   a new key a new job, even for a recording another intake already has.
// - Without one, a local file is keyed as every intake keys it (src/jobs/recording-key.ts), so
//   the API, the watch folder and the recorder hooks make one job of one file.
// - A remote source (s3://, https://) without one is keyed by its location while its job is not
//   over; once that job ended, the same location may hold a new recording, so a new job is made.
import { realpath, stat } from 'node:fs/promises';
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

export async function jobRequestKey(source: SourceLocation, header: string | string[] | undefined): Promise<JobRequestKey | { error: string }> {
  const given = Array.isArray(header) ? header[0] : header;
  if (given !== undefined && given.length > 200) return { error: 'Idempotency-Key is longer than 200 characters' };
  const callerGiven = given !== undefined && given !== '';
  if (source.kind !== 'local') {
    return { key: callerGiven ? callerKey(given) : `api:${formatSourceLocation(source)}`, facts: {}, callerGiven, newAfterEnd: !callerGiven };
  }
  // The file is checked with or without the caller's key: a job that can only fail is refused now.
  const canonical = await realpath(source.path).catch(() => undefined);
  const info = canonical === undefined ? undefined : await stat(canonical).catch(() => undefined);
  if (!canonical || !info) return { error: `${source.path} does not exist or cannot be read` };
  if (!info.isFile()) return { error: `${source.path} is not a file` };
  if (info.size === 0) return { error: `${source.path} is empty` };
  const key = callerGiven ? callerKey(given) : localRecordingKey({ path: canonical, size: info.size, mtimeMs: info.mtimeMs });
  return { key, facts: knownFacts({ bytes: info.size }), callerGiven, newAfterEnd: false };
}
