// What an intake (webhook adapter, watch folder, API) asks the jobs service for: one job of one
// source. Here, beside the service that takes it, so that jobs/ does not depend on ingest/.
import type { Priority } from './job.ts';
import type { SourceFacts } from './source-facts.ts';
import type { SourceLocation } from './source-location.ts';
import type { TrimRequest } from './trim-request.ts';

export interface JobRequest {
  /** Parsed by the adapter, which knows what it was given (a recorded file, an S3 object, a URI). */
  source: SourceLocation;
  /** What the adapter knows about the recording (size, duration, codecs); absent: nothing. */
  facts?: SourceFacts;
  idempotencyKey: string;
  /**
   * When the key's job is over (succeeded, failed, cancelled), make a new one: for a source whose
   * content may have changed since (a URL, an S3 key without its ETag).
   */
  newAfterEnd?: boolean;
  /** Absent: the source kind's configured default. */
  priority?: Priority;
  metadata: Record<string, string>;
  /** Absent: the service's default (config `jobs.trim`). */
  trim?: TrimRequest | undefined;
}
