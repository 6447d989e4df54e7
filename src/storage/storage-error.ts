// Failures of an object store (S3 or a local directory), classified once so that the job layer
// knows whether another attempt can help. Exit code 4 (output) either way; `retryable` decides.
import { ExitCode, Live2vodError } from '../errors/index.ts';

/**
 * Why a storage operation failed.
 * - `not-found`: the object does not exist (never retryable).
 * - `no-such-bucket`, `access-denied`, `bad-credentials`, `wrong-region`, `invalid-request`:
 *   configuration or request problems another attempt will not fix.
 * - `transient`: throttling, 5xx, timeouts, reset or refused connections: worth another attempt.
 * - `unknown`: none of the above; treated as transient.
 */
export type StorageErrorReason =
  | 'not-found'
  | 'no-such-bucket'
  | 'access-denied'
  | 'bad-credentials'
  | 'wrong-region'
  | 'invalid-request'
  | 'transient'
  | 'unknown';

export interface StorageErrorOptions {
  reason: StorageErrorReason;
  retryable: boolean;
  /** The S3 error code (`NoSuchBucket`, `SlowDown`), the errno code (`ECONNRESET`), or the HTTP status. */
  code?: string;
  bucket?: string;
  key?: string;
  cause?: unknown;
}

/** An object store failed. `retryable` is false for problems another attempt cannot fix. */
export class StorageError extends Live2vodError {
  readonly reason: StorageErrorReason;
  readonly code: string | undefined;
  readonly bucket: string | undefined;
  readonly key: string | undefined;

  constructor(message: string, options: StorageErrorOptions) {
    super(message, { exitCode: ExitCode.output, retryable: options.retryable, cause: options.cause });
    this.reason = options.reason;
    this.code = options.code;
    this.bucket = options.bucket;
    this.key = options.key;
  }
}

/** Network-level errno codes after which a new connection may well work. */
export const transientErrnoCodes: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** True when another attempt at the same operation may succeed. */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof Live2vodError) return error.retryable;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && transientErrnoCodes.has(code)) return true;
  const name = (error as { name?: unknown } | undefined)?.name;
  return name === 'TimeoutError';
}
