// The contract of every intake adapter: turn one inbound request (already read, body raw) into
// zero or more job requests, or refuse it with a status and a message that says what to fix.
// Adapters are pure apart from the file-system checks some need (record directories).
import type { Priority, SourceKind } from '../jobs/job.ts';
import type { SourceFacts } from '../jobs/source-facts.ts';
import type { SourceLocation } from '../jobs/source-location.ts';

export interface InboundRequest {
  headers: Record<string, string | string[] | undefined>;
  /** Query string parameters of the hook URL (tokens, priority overrides). */
  query: Record<string, string | undefined>;
  rawBody: Buffer;
  contentType: string;
  remoteAddress?: string;
  now: Date;
}

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
}

export interface IntakeOutcome {
  jobs: JobRequest[];
  /** Set when the request was understood but asks for nothing (S3 test events, deletes). */
  ignored?: string;
}

/** A refusal: `status` is the HTTP answer (400 malformed, 401 auth, 403 forbidden path, 422 unusable). */
export class IntakeError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'IntakeError';
    this.status = status;
  }
}

export interface IngestAdapter {
  kind: Exclude<SourceKind, 'api' | 'watch'>;
  /** What to answer on success; SRS, for one, expects `{"code":0}`. */
  successBody(jobIds: string[]): unknown;
  handle(request: InboundRequest): Promise<IntakeOutcome>;
}
