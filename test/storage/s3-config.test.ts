import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError, ExitCode, UsageError } from '../../src/errors/index.ts';
import { resolveS3Settings, s3ClientConfig } from '../../src/storage/s3-config.ts';
import { mapS3Error } from '../../src/storage/s3-store.ts';
import { StorageError, isRetryableError } from '../../src/storage/storage-error.ts';

describe('resolveS3Settings', () => {
  it('defaults to us-east-1, AWS endpoints, virtual-hosted addressing, 5 adaptive attempts', () => {
    const s = resolveS3Settings({}, {});
    assert.equal(s.region, 'us-east-1');
    assert.equal(s.endpoint, undefined);
    assert.equal(s.forcePathStyle, false);
    assert.equal(s.maxAttempts, 5);
    assert.equal(s.retryMode, 'adaptive');
  });

  it('reads the region from AWS_REGION, then AWS_DEFAULT_REGION', () => {
    assert.equal(resolveS3Settings({}, { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'us-west-2' }).region, 'eu-west-1');
    assert.equal(resolveS3Settings({}, { AWS_DEFAULT_REGION: 'us-west-2' }).region, 'us-west-2');
    assert.equal(resolveS3Settings({ region: 'ap-south-1' }, { AWS_REGION: 'eu-west-1' }).region, 'ap-south-1');
  });

  it('takes AWS_ENDPOINT_URL_S3 over AWS_ENDPOINT_URL and then uses path-style addressing', () => {
    const s = resolveS3Settings({}, { AWS_ENDPOINT_URL_S3: 'http://minio:9000/', AWS_ENDPOINT_URL: 'http://other:1' });
    assert.equal(s.endpoint, 'http://minio:9000');
    assert.equal(s.forcePathStyle, true);
    assert.equal(resolveS3Settings({}, { AWS_ENDPOINT_URL: 'http://other:1' }).endpoint, 'http://other:1');
  });

  it('lets LIVE2VOD_S3_FORCE_PATH_STYLE=false keep virtual-hosted addressing with an endpoint', () => {
    assert.equal(resolveS3Settings({}, { AWS_ENDPOINT_URL_S3: 'https://s3.example.com', LIVE2VOD_S3_FORCE_PATH_STYLE: 'false' }).forcePathStyle, false);
    assert.equal(resolveS3Settings({ forcePathStyle: true }, { AWS_ENDPOINT_URL_S3: 'https://s3.example.com', LIVE2VOD_S3_FORCE_PATH_STYLE: 'false' }).forcePathStyle, true);
    assert.throws(() => resolveS3Settings({}, { LIVE2VOD_S3_FORCE_PATH_STYLE: 'maybe' }), UsageError);
  });

  it('refuses endpoints that are not http(s) URLs', () => {
    assert.throws(() => resolveS3Settings({}, { AWS_ENDPOINT_URL_S3: 'minio:9000' }), (e: unknown) => e instanceof UsageError && /AWS_ENDPOINT_URL_S3/.test(e.message));
    assert.throws(() => resolveS3Settings({ endpoint: 'not a url' }, {}), UsageError);
  });

  it('honours AWS_MAX_ATTEMPTS and AWS_RETRY_MODE unless options say otherwise', () => {
    const s = resolveS3Settings({}, { AWS_MAX_ATTEMPTS: '3', AWS_RETRY_MODE: 'standard' });
    assert.equal(s.maxAttempts, 3);
    assert.equal(s.retryMode, 'standard');
    assert.equal(resolveS3Settings({ maxAttempts: 2 }, { AWS_MAX_ATTEMPTS: '3' }).maxAttempts, 2);
    assert.throws(() => resolveS3Settings({}, { AWS_MAX_ATTEMPTS: 'zero' }), UsageError);
    assert.throws(() => resolveS3Settings({}, { AWS_RETRY_MODE: 'legacy' }), UsageError);
  });

  it('passes credentials only when given, so the default provider chain applies otherwise', () => {
    assert.equal('credentials' in s3ClientConfig({}, {}), false);
    const creds = { accessKeyId: 'a', secretAccessKey: 'b' };
    assert.equal(s3ClientConfig({ credentials: creds }, {}).credentials, creds);
    const config = s3ClientConfig({}, { AWS_ENDPOINT_URL_S3: 'http://minio:9000' });
    assert.equal(config.endpoint, 'http://minio:9000');
    assert.equal(config.forcePathStyle, true);
    assert.equal(config.followRegionRedirects, true);
  });
});

describe('mapS3Error', () => {
  const context = { operation: 'upload', bucket: 'vod', key: 'a/b.m4s', endpoint: 'http://minio:9000' };
  const sdkError = (name: string, status: number | undefined, extra: Record<string, unknown> = {}): Error =>
    Object.assign(new Error(`${name} message`), { name, Code: name, $fault: 'client', $metadata: status === undefined ? {} : { httpStatusCode: status }, ...extra });

  for (const [name, status, reason] of [
    ['NoSuchBucket', 404, 'no-such-bucket'],
    ['AccessDenied', 403, 'access-denied'],
    ['InvalidAccessKeyId', 403, 'bad-credentials'],
    ['SignatureDoesNotMatch', 403, 'bad-credentials'],
    ['PermanentRedirect', 301, 'wrong-region'],
    ['NoSuchKey', 404, 'not-found'],
    ['InvalidArgument', 400, 'invalid-request'],
  ] as const) {
    it(`${name} is permanent (${reason})`, () => {
      const mapped = mapS3Error(sdkError(name, status), context);
      assert.ok(mapped instanceof StorageError);
      assert.equal(mapped.retryable, false);
      assert.equal(mapped.reason, reason);
      assert.equal(mapped.exitCode, ExitCode.output);
      assert.equal(mapped.bucket, 'vod');
      assert.match(mapped.message, /vod/);
    });
  }

  it('names the bucket and what to check for NoSuchBucket', () => {
    const mapped = mapS3Error(sdkError('NoSuchBucket', 404), context);
    assert.match(mapped.message, /bucket "vod" does not exist at http:\/\/minio:9000/);
    assert.match(mapped.message, /check the bucket name/);
  });

  it('treats a bare 403 (a HEAD without a body) as access denied', () => {
    const mapped = mapS3Error(Object.assign(new Error('UnknownError'), { name: 'Forbidden', $metadata: { httpStatusCode: 403 } }), context);
    assert.ok(mapped instanceof StorageError);
    assert.equal(mapped.reason, 'access-denied');
    assert.equal(mapped.retryable, false);
    assert.match(mapped.message, /credentials may/);
  });

  for (const [name, status] of [['SlowDown', 503], ['InternalError', 500], ['ServiceUnavailable', 503], ['RequestTimeout', 400], ['Whatever', 502], ['TooManyRequests', 429]] as const) {
    it(`${name} (${status}) is retryable`, () => {
      const mapped = mapS3Error(sdkError(name, status), context);
      assert.equal(mapped.retryable, true);
      assert.equal((mapped as StorageError).reason, 'transient');
    });
  }

  for (const code of ['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE']) {
    it(`a ${code} socket error is retryable`, () => {
      const mapped = mapS3Error(Object.assign(new Error(`connect ${code}`), { code }), context);
      assert.equal(mapped.retryable, true);
      assert.equal((mapped as StorageError).code, code);
    });
  }

  it('a request timeout from the HTTP handler is retryable', () => {
    assert.equal(mapS3Error(Object.assign(new Error('timed out'), { name: 'TimeoutError' }), context).retryable, true);
  });

  it('missing credentials are permanent and say where credentials come from', () => {
    const mapped = mapS3Error(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), context);
    assert.equal(mapped.retryable, false);
    assert.match(mapped.message, /AWS_ACCESS_KEY_ID/);
    assert.match(mapped.message, /AWS_WEB_IDENTITY_TOKEN_FILE/);
  });

  it('an abort becomes a CancelledError', () => {
    assert.ok(mapS3Error(Object.assign(new Error('aborted'), { name: 'AbortError' }), context) instanceof CancelledError);
  });

  it('isRetryableError follows the flag, errno codes and timeouts', () => {
    assert.equal(isRetryableError(mapS3Error(sdkError('AccessDenied', 403), context)), false);
    assert.equal(isRetryableError(Object.assign(new Error('x'), { code: 'ECONNRESET' })), true);
    assert.equal(isRetryableError(new Error('x')), false);
  });
});
