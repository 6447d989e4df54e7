// The contract of every intake adapter: turn one inbound request (already read, body raw) into
// zero or more job requests, or refuse it with a status and a message that says what to fix.
// Adapters are pure apart from the file-system checks some need (record directories).
import type { SourceKind } from '../jobs/job.ts';
import type { JobRequest } from '../jobs/job-request.ts';

export interface InboundRequest {
  headers: Record<string, string | string[] | undefined>;
  /** Query string parameters of the hook URL (tokens, priority overrides). */
  query: Record<string, string | undefined>;
  rawBody: Buffer;
  contentType: string;
  remoteAddress?: string;
  now: Date;
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
  /** What to answer on success; SRS, for one, expects `{"code":0}`. `ignored`: why the request asked for no job. */
  successBody(jobIds: string[], ignored?: string): unknown;
  handle(request: InboundRequest): Promise<IntakeOutcome>;
}
