// S3 client configuration from the standard AWS environment, with explicit overrides.
//
// - Region: options.region, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1. Requests to
//   a bucket in another AWS region are redirected (followRegionRedirects), so a wrong default costs
//   one extra round trip, not a failure.
// - Endpoint (MinIO, Ceph, R2, s3rver…): options.endpoint, else AWS_ENDPOINT_URL_S3, else
//   AWS_ENDPOINT_URL. With a custom endpoint, path-style addressing (`http://host/bucket/key`) is used
//   unless LIVE2VOD_S3_FORCE_PATH_STYLE=false (or options.forcePathStyle says otherwise).
// - Credentials: options.credentials when given, else the SDK's default provider chain: environment
//   (AWS_ACCESS_KEY_ID…), shared files (AWS_PROFILE, ~/.aws), web identity (Kubernetes IRSA / EKS Pod
//   Identity: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, container credentials), then IMDS.
// - Retries: the SDK retries throttling (SlowDown, 503), 5xx and network errors itself:
//   maxAttempts (options, AWS_MAX_ATTEMPTS, default 5) in `adaptive` mode (options, AWS_RETRY_MODE),
//   which also slows the client down under throttling. What happens after that is the job layer's
//   call, driven by StorageError.retryable.
// - Timeouts: 5 s to connect; 120 s for a request up to its response headers (an 8 MiB part on a slow
//   link); 60 s of socket inactivity (covers a stalled response body). Keep-alive agents with
//   64 sockets: multipart uploads (4 parts at a time per object) of several renditions at once
//   plus parallel ranged downloads.
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { UsageError } from '../errors/index.ts';

// From process.getBuiltinModule, not an ESM import: see src/pipeline/post-json.ts.
const { Agent: HttpAgent } = process.getBuiltinModule('node:http');
const { Agent: HttpsAgent } = process.getBuiltinModule('node:https');

export interface S3Options {
  /** `http(s)://host:port` of an S3-compatible service. */
  endpoint?: string;
  region?: string;
  /** Path-style (`host/bucket/key`) rather than virtual-hosted (`bucket.host/key`) addressing. */
  forcePathStyle?: boolean;
  /** URL (a CDN) under which the store's root (`s3://bucket/prefix`) is publicly readable. */
  publicBaseUrl?: string;
  /** Lifetime of presigned URLs, seconds (default 3600, at most 7 days). */
  presignSeconds?: number;
  /** Explicit credentials; absent: the SDK's default provider chain. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** SDK attempts per request, first included (default 5, or AWS_MAX_ATTEMPTS). */
  maxAttempts?: number;
  retryMode?: 'standard' | 'adaptive';
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  socketTimeoutMs?: number;
  maxSockets?: number;
}

export interface ResolvedS3Settings {
  region: string;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  maxAttempts: number;
  retryMode: 'standard' | 'adaptive';
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
  socketTimeoutMs: number;
  maxSockets: number;
}

export const s3Defaults = {
  region: 'us-east-1',
  maxAttempts: 5,
  retryMode: 'adaptive',
  connectionTimeoutMs: 5_000,
  requestTimeoutMs: 120_000,
  socketTimeoutMs: 60_000,
  maxSockets: 64,
  presignSeconds: 3600,
} as const;

type Env = Readonly<Record<string, string | undefined>>;

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function parseBoolean(name: string, value: string | undefined): boolean | undefined {
  const v = nonEmpty(value)?.toLowerCase();
  if (v === undefined) return undefined;
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw new UsageError(`${name}=${value} is not a boolean: use true or false`);
}

function parseEndpoint(from: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${from} ${JSON.stringify(value)} is not a URL: write e.g. http://minio:9000 or https://s3.example.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${from} ${JSON.stringify(value)} must be an http:// or https:// URL`);
  }
  return value.replace(/\/+$/, '');
}

/** The client settings that options and the environment give, defaults filled in. */
export function resolveS3Settings(options: S3Options = {}, env: Env = process.env): ResolvedS3Settings {
  const region = nonEmpty(options.region) ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION) ?? s3Defaults.region;

  let endpoint: string | undefined;
  if (nonEmpty(options.endpoint) !== undefined) endpoint = parseEndpoint('the S3 endpoint', options.endpoint!.trim());
  else if (nonEmpty(env.AWS_ENDPOINT_URL_S3) !== undefined) endpoint = parseEndpoint('AWS_ENDPOINT_URL_S3', env.AWS_ENDPOINT_URL_S3!.trim());
  else if (nonEmpty(env.AWS_ENDPOINT_URL) !== undefined) endpoint = parseEndpoint('AWS_ENDPOINT_URL', env.AWS_ENDPOINT_URL!.trim());

  const forcePathStyleEnv = parseBoolean('LIVE2VOD_S3_FORCE_PATH_STYLE', env.LIVE2VOD_S3_FORCE_PATH_STYLE);
  const forcePathStyle = options.forcePathStyle ?? (endpoint !== undefined ? forcePathStyleEnv !== false : forcePathStyleEnv === true);

  let maxAttempts: number = s3Defaults.maxAttempts;
  if (options.maxAttempts !== undefined) maxAttempts = options.maxAttempts;
  else if (nonEmpty(env.AWS_MAX_ATTEMPTS) !== undefined) maxAttempts = Number(env.AWS_MAX_ATTEMPTS);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw new UsageError(`S3 maxAttempts (AWS_MAX_ATTEMPTS) must be a whole number ≥ 1, not ${maxAttempts}`);

  const retryModeValue = options.retryMode ?? nonEmpty(env.AWS_RETRY_MODE) ?? s3Defaults.retryMode;
  if (retryModeValue !== 'standard' && retryModeValue !== 'adaptive') {
    throw new UsageError(`AWS_RETRY_MODE=${retryModeValue} is not supported: use standard or adaptive`);
  }

  return {
    region,
    endpoint,
    forcePathStyle,
    maxAttempts,
    retryMode: retryModeValue,
    connectionTimeoutMs: options.connectionTimeoutMs ?? s3Defaults.connectionTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs ?? s3Defaults.requestTimeoutMs,
    socketTimeoutMs: options.socketTimeoutMs ?? s3Defaults.socketTimeoutMs,
    maxSockets: options.maxSockets ?? s3Defaults.maxSockets,
  };
}

/** The S3Client constructor configuration for these options and this environment. */
export function s3ClientConfig(options: S3Options = {}, env: Env = process.env): S3ClientConfig {
  const s = resolveS3Settings(options, env);
  const agentOptions = { keepAlive: true, maxSockets: s.maxSockets, keepAliveMsecs: 1_000 };
  const config: S3ClientConfig = {
    region: s.region,
    forcePathStyle: s.forcePathStyle,
    followRegionRedirects: true,
    maxAttempts: s.maxAttempts,
    retryMode: s.retryMode,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: s.connectionTimeoutMs,
      requestTimeout: s.requestTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: s.socketTimeoutMs,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
  };
  if (s.endpoint !== undefined) config.endpoint = s.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  return config;
}

/** A new S3 client; call `client.destroy()` when done with it to close its sockets. */
export function createS3Client(options: S3Options = {}, env: Env = process.env): S3Client {
  return new S3Client(s3ClientConfig(options, env));
}
