// An ObjectStore on S3 (or any S3-compatible service) under `s3://bucket/prefix`.
//
// Keys are used literally (no decoding, no normalisation): `a b/c+d/%2F` is stored as exactly those
// characters. Every put stores Content-Type and Cache-Control. Buffers up to one part go up in a
// single PutObject; streams and larger buffers go through lib-storage's Upload (multipart, 8 MiB
// parts, 4 at a time; a body that fits one part still becomes one PutObject).
//
// Errors are classified once, in mapS3Error: the SDK has already retried what it considers
// retryable by then; the classification decides what the job layer does next.
import { Readable, PassThrough } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { CancelledError, InputError, Live2vodError } from '../errors/index.ts';
import type { ObjectInfo, ObjectStore, PutOptions } from './object-store.ts';
import { s3Defaults } from './s3-config.ts';
import { StorageError, transientErrnoCodes, type StorageErrorReason } from './storage-error.ts';
import { encodeKeyForUrl, formatS3Uri } from './uri.ts';

export interface S3StoreOptions {
  /** URL (a CDN) under which the store's root `s3://bucket/prefix` is publicly readable: url() gives `<base>/<key>`. */
  publicBaseUrl?: string;
  /** Lifetime of presigned URLs, seconds (default 3600, at most 604800). */
  presignSeconds?: number;
  /** Multipart part size, bytes (default 8 MiB, at least 5 MiB). */
  partBytes?: number;
  /** Parts uploaded at once per object (default 4). */
  queueSize?: number;
  /** Keys per ListObjectsV2 page (default 1000, S3's maximum). */
  listPageSize?: number;
  /** The endpoint and region in use, for error messages. */
  endpoint?: string;
  region?: string;
  /** close() destroys the client (set when the store created it). */
  ownsClient?: boolean;
}

export const defaultPartBytes = 8 * 1024 * 1024;
export const defaultQueueSize = 4;
const minPartBytes = 5 * 1024 * 1024;
const maxPresignSeconds = 7 * 24 * 3600;
const deleteBatch = 1000;

export interface S3ErrorContext {
  /** What was being done, e.g. `upload`, `read`, `list`. */
  operation: string;
  bucket: string;
  key?: string;
  endpoint?: string;
  region?: string;
}

interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  Code?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

const noSuchBucketCodes = new Set(['NoSuchBucket']);
const notFoundCodes = new Set(['NoSuchKey', 'NotFound', 'NoSuchVersion']);
const accessCodes = new Set(['AccessDenied', 'Forbidden', 'AllAccessDisabled', 'AccountProblem', 'InvalidPayer', 'NotSignedUp']);
const credentialCodes = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'CredentialsProviderError', 'MissingSecurityHeader', 'InvalidSecurity']);
const regionCodes = new Set(['PermanentRedirect', 'AuthorizationHeaderMalformed', 'IllegalLocationConstraintException', 'Redirect']);
const transientCodes = new Set([
  'SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestThrottled', 'RequestLimitExceeded',
  'RequestTimeout', 'RequestTimeTooSkewed', 'InternalError', 'ServiceUnavailable', 'BadDigest', 'IncompleteBody',
  'ExpiredToken', 'TimeoutError', 'OperationAborted', 'NoSuchUpload',
]);

/**
 * Classifies an error from the S3 client (after its own retries) as a StorageError saying what to
 * check: permanent (non-retryable) for a missing bucket, denied access, bad credentials, a wrong
 * region or an invalid request; retryable for throttling, 5xx and network failures. An abort
 * becomes a CancelledError; a Live2vodError passes through.
 */
export function mapS3Error(error: unknown, context: S3ErrorContext): Live2vodError {
  if (error instanceof Live2vodError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name : undefined;
  if (name === 'AbortError') return new CancelledError(`${context.operation} of ${formatS3Uri(context.bucket, context.key ?? '')} was cancelled`);
  const status = e.$metadata?.httpStatusCode;
  const code = (typeof e.Code === 'string' ? e.Code : undefined) ?? (typeof e.code === 'string' ? e.code : undefined) ?? name ?? (status !== undefined ? String(status) : undefined);
  const sdkMessage = typeof e.message === 'string' && e.message !== '' && e.message !== 'UnknownError' ? e.message : undefined;

  const target = context.key !== undefined ? formatS3Uri(context.bucket, context.key) : `s3://${context.bucket}`;
  const where = context.endpoint !== undefined ? ` at ${context.endpoint}` : context.region !== undefined ? ` in ${context.region}` : '';
  const detail = `${code ?? 'error'}${status !== undefined ? `, HTTP ${status}` : ''}${sdkMessage !== undefined && sdkMessage !== code ? `: ${sdkMessage}` : ''}`;
  const endpointHint = context.endpoint !== undefined ? `the endpoint (${context.endpoint})` : 'the endpoint (AWS_ENDPOINT_URL_S3, unset: AWS)';

  const make = (reason: StorageErrorReason, retryable: boolean, message: string): StorageError =>
    new StorageError(message, { reason, retryable, bucket: context.bucket, ...(code !== undefined ? { code } : {}), ...(context.key !== undefined ? { key: context.key } : {}), cause: error });

  if (code !== undefined && noSuchBucketCodes.has(code)) {
    return make('no-such-bucket', false, `S3 bucket "${context.bucket}" does not exist${where} (${detail}) during ${context.operation} of ${target}: check the bucket name, ${endpointHint} and the region`);
  }
  if (code !== undefined && credentialCodes.has(code)) {
    return make('bad-credentials', false, `S3 rejected the credentials${where} (${detail}) during ${context.operation} of ${target}: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the service account's role (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE), and that ${endpointHint} is the service the credentials belong to`);
  }
  if ((code !== undefined && accessCodes.has(code)) || status === 403) {
    return make('access-denied', false, `S3 denied access${where} (${detail}) during ${context.operation} of ${target}: check that the credentials may ${context.operation === 'list' ? 's3:ListBucket' : 's3:GetObject/PutObject/DeleteObject'} on bucket "${context.bucket}" (the bucket policy, the role's policy, KMS key access), and the bucket name`);
  }
  if (code !== undefined && regionCodes.has(code)) {
    return make('wrong-region', false, `S3 bucket "${context.bucket}" is not in the configured region${where} (${detail}) during ${context.operation} of ${target}: set AWS_REGION to the bucket's region`);
  }
  if ((code !== undefined && notFoundCodes.has(code)) || status === 404) {
    return make('not-found', false, `${target} does not exist${where} (${detail}) during ${context.operation}: check the key and the bucket`);
  }
  const throttled = typeof e.$retryable === 'object' && e.$retryable !== null;
  if (
    throttled ||
    (code !== undefined && (transientCodes.has(code) || transientErrnoCodes.has(code))) ||
    (status !== undefined && (status >= 500 || status === 429 || status === 408))
  ) {
    return make('transient', true, `S3 ${context.operation} of ${target} failed${where} after the client's retries (${detail}): a temporary problem (throttling, server error or network); retry later`);
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return make('invalid-request', false, `S3 refused the ${context.operation} of ${target}${where} (${detail})`);
  }
  return make('unknown', true, `S3 ${context.operation} of ${target} failed${where} (${detail})`);
}

function stripQuotes(etag: string | undefined): string | undefined {
  return etag?.replace(/^"|"$/g, '');
}

export class S3ObjectStore implements ObjectStore {
  readonly uri: string;
  readonly client: S3Client;
  readonly bucket: string;
  /** The root prefix, `''` or ending in `/`. */
  readonly prefix: string;
  readonly #options: S3StoreOptions;
  readonly #partBytes: number;
  readonly #queueSize: number;
  readonly #publicBaseUrl: string | undefined;
  readonly #presignSeconds: number;
  #bucketSeen = false;

  constructor(client: S3Client, bucket: string, prefix: string, options: S3StoreOptions = {}) {
    this.client = client;
    this.bucket = bucket;
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.uri = formatS3Uri(bucket, this.prefix);
    this.#options = options;
    this.#partBytes = options.partBytes ?? defaultPartBytes;
    if (this.#partBytes < minPartBytes) throw new InputError(`the S3 part size must be at least 5 MiB, not ${this.#partBytes} bytes`);
    this.#queueSize = options.queueSize ?? defaultQueueSize;
    this.#publicBaseUrl = options.publicBaseUrl?.replace(/\/+$/, '');
    this.#presignSeconds = options.presignSeconds ?? s3Defaults.presignSeconds;
    if (!Number.isInteger(this.#presignSeconds) || this.#presignSeconds < 1 || this.#presignSeconds > maxPresignSeconds) {
      throw new InputError(`presigned URLs can live 1 s to 7 days (604800 s), not ${this.#presignSeconds}`);
    }
  }

  #fullKey(key: string): string {
    if (key.length === 0) throw new InputError('an empty object key was given');
    const full = this.prefix + key;
    if (Buffer.byteLength(full, 'utf8') > 1024) throw new InputError(`the S3 key ${JSON.stringify(full)} is longer than S3's 1024 bytes`);
    return full;
  }

  #error(error: unknown, operation: string, key?: string): Live2vodError {
    return mapS3Error(error, {
      operation,
      bucket: this.bucket,
      ...(key !== undefined ? { key } : {}),
      ...(this.#options.endpoint !== undefined ? { endpoint: this.#options.endpoint } : {}),
      ...(this.#options.region !== undefined ? { region: this.#options.region } : {}),
    });
  }

  async get(key: string, range?: { start: number; end: number }): Promise<Readable> {
    const fullKey = this.#fullKey(key);
    if (range !== undefined && (!Number.isInteger(range.start) || !Number.isInteger(range.end) || range.start < 0 || range.end < range.start)) {
      throw new InputError(`invalid byte range ${range.start}-${range.end} for ${formatS3Uri(this.bucket, fullKey)}`);
    }
    let body: unknown;
    try {
      const response = await this.client.send(new GetObjectCommand({
        Bucket: this.bucket,
        Key: fullKey,
        ...(range !== undefined ? { Range: `bytes=${range.start}-${range.end}` } : {}),
      }));
      body = response.Body;
    } catch (error) {
      throw this.#error(error, 'read', fullKey);
    }
    if (!(body instanceof Readable)) throw this.#error(new Error('the response has no readable body'), 'read', fullKey);
    // Errors while the body streams (a reset connection) are classified like the request's.
    const out = new PassThrough();
    body.on('error', (error) => out.destroy(this.#error(error, 'read', fullKey)));
    out.on('close', () => {
      if (!body.readableEnded) body.destroy();
    });
    body.pipe(out);
    return out;
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const fullKey = this.#fullKey(key);
    try {
      const response = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: fullKey }));
      this.#bucketSeen = true;
      const info: ObjectInfo = { key, size: response.ContentLength ?? 0 };
      const etag = stripQuotes(response.ETag);
      if (etag !== undefined) info.etag = etag;
      if (response.LastModified !== undefined) info.lastModified = response.LastModified;
      return info;
    } catch (error) {
      const status = (error as SdkErrorShape).$metadata?.httpStatusCode;
      const mapped = this.#error(error, 'head', fullKey);
      if (mapped instanceof StorageError && mapped.reason === 'not-found') {
        // A HEAD 404 has no body: it may be the bucket that is missing.
        await this.#checkBucket();
        return undefined;
      }
      if (status === 403 && mapped instanceof StorageError) {
        throw new StorageError(`${mapped.message} (S3 also answers 403 for a missing key when the credentials lack s3:ListBucket)`, {
          reason: mapped.reason, retryable: mapped.retryable, bucket: this.bucket, key: fullKey, ...(mapped.code !== undefined ? { code: mapped.code } : {}), cause: error,
        });
      }
      throw mapped;
    }
  }

  /** Throws a no-such-bucket StorageError when the bucket does not exist (checked once per store). */
  async #checkBucket(): Promise<void> {
    if (this.#bucketSeen) return;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      this.#bucketSeen = true;
    } catch (error) {
      const status = (error as SdkErrorShape).$metadata?.httpStatusCode;
      if (status === 404) throw this.#error({ name: 'NoSuchBucket', Code: 'NoSuchBucket', message: 'The specified bucket does not exist', $metadata: { httpStatusCode: 404 } }, 'head');
      // 403 here may just mean no s3:ListBucket: the object HEAD said 404, so the bucket is readable.
      if (status === 403) return;
      throw this.#error(error, 'head');
    }
  }

  async put(key: string, body: Readable | Buffer | string, options: PutOptions): Promise<void> {
    const fullKey = this.#fullKey(key);
    const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const params = { Bucket: this.bucket, Key: fullKey, ContentType: options.contentType, CacheControl: options.cacheControl };
    try {
      if (Buffer.isBuffer(data) && data.length <= this.#partBytes) {
        await this.client.send(new PutObjectCommand({ ...params, Body: data, ContentLength: data.length }));
      } else {
        const upload = new Upload({
          client: this.client,
          params: { ...params, Body: data },
          partSize: this.#partBytes,
          queueSize: this.#queueSize,
          leavePartsOnError: false,
        });
        await upload.done();
      }
      this.#bucketSeen = true;
    } catch (error) {
      // A failing source stream is the source's problem, not the store's.
      if (data instanceof Readable && data.errored !== null && !('$metadata' in data.errored)) throw data.errored;
      throw this.#error(error, 'upload', fullKey);
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const fullPrefix = this.prefix + prefix;
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.client.send(new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: fullPrefix,
          ...(this.#options.listPageSize !== undefined ? { MaxKeys: this.#options.listPageSize } : {}),
          ...(token !== undefined ? { ContinuationToken: token } : {}),
        }));
      } catch (error) {
        throw this.#error(error, 'list', fullPrefix);
      }
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined || !item.Key.startsWith(this.prefix)) continue;
        const key = item.Key.slice(this.prefix.length);
        if (key === '' || key.endsWith('/')) continue; // folder markers
        const info: ObjectInfo = { key, size: item.Size ?? 0 };
        const etag = stripQuotes(item.ETag);
        if (etag !== undefined) info.etag = etag;
        if (item.LastModified !== undefined) info.lastModified = item.LastModified;
        out.push(info);
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    this.#bucketSeen = true;
    return out;
  }

  async delete(keys: readonly string[]): Promise<void> {
    const fullKeys = keys.map((key) => this.#fullKey(key));
    for (let i = 0; i < fullKeys.length; i += deleteBatch) {
      const batch = fullKeys.slice(i, i + deleteBatch);
      let response;
      try {
        response = await this.client.send(new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }));
      } catch (error) {
        throw this.#error(error, 'delete', batch.length === 1 ? batch[0] : `${batch[0]} (and ${batch.length - 1} more)`);
      }
      const failed = response.Errors?.[0];
      if (failed !== undefined) {
        const more = (response.Errors?.length ?? 1) - 1;
        throw this.#error(
          Object.assign(new Error(failed.Message ?? 'delete failed'), { name: failed.Code ?? 'DeleteFailed', Code: failed.Code }),
          'delete',
          `${failed.Key ?? '?'}${more > 0 ? ` (and ${more} more failed)` : ''}`,
        );
      }
    }
  }

  /** The absolute `s3://bucket/<prefix><key>` of a key, as a job source or for another store to open. */
  objectUri(key: string): string {
    return formatS3Uri(this.bucket, this.#fullKey(key));
  }

  async url(key: string): Promise<string> {
    const fullKey = this.#fullKey(key);
    if (this.#publicBaseUrl !== undefined) return `${this.#publicBaseUrl}/${encodeKeyForUrl(key)}`;
    try {
      return await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: fullKey }), { expiresIn: this.#presignSeconds });
    } catch (error) {
      throw this.#error(error, 'presign', fullKey);
    }
  }

  /** Releases the client's sockets when this store created the client. */
  async close(): Promise<void> {
    if (this.#options.ownsClient === true) this.client.destroy();
  }
}
