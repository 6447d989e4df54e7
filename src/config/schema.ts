// The one schema for configuration, whatever it comes from (file, LIVE2VOD_* environment, flags).
// Strict: unknown keys and wrong types are refused at start with the path of the problem.
import os from 'node:os';
import { z } from 'zod';
import { priorities } from '../jobs/job.ts';
import { sourceFetchSchema } from '../jobs/source-fetch.ts';
import { transcodeProfileSchema } from '../jobs/transcode-profile.ts';
import { defaultTrimSchema } from '../jobs/trim-request.ts';
import { s3PrefixSchema } from '../storage/s3-prefix-schema.ts';
import { endpointsSchema } from '../notify/endpoints.ts';
import { kubernetesExecutorSchema } from '../k8s/executor-config.ts';

const priority = z.enum(priorities);
const token = z.string().min(8, 'must be at least 8 characters');

/** Without a token an enabled hook refuses every request (401) unless `open` is true. */
const openIntake = z.boolean().default(false);

const recorderIntake = z.strictObject({
  enabled: z.boolean().default(true),
  token: token.optional(),
  open: openIntake,
  priority: priority.default('normal'),
});

export const configSchema = z.strictObject({
  server: z.strictObject({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080),
    /** The URL workers and webhooks use to reach this server; derived from host/port when absent. */
    publicUrl: z.url().optional(),
    /** Largest accepted webhook or API body; larger ones get 413. */
    bodyLimitBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
    /** Server-sent event streams (/v1/events, /v1/jobs/:id/events). */
    eventStreams: z.strictObject({
      /** Open at once; one more gets 503 with Retry-After. */
      max: z.number().int().min(1).max(100_000).default(1000),
      /** What one stream may have waiting for a slow client; past it the stream is closed (the client reconnects and resumes). */
      maxBufferedBytes: z.number().int().min(16 * 1024).max(64 * 1024 * 1024).default(256 * 1024),
    }).prefault({}),
    /** A GET /v1/jobs page stops before it grows past this many bytes of JSON (nextCursor continues it). */
    maxListBytes: z.number().int().min(16 * 1024).max(64 * 1024 * 1024).default(1024 * 1024),
    /** /readyz says not ready while the data directory has less free space than this (or cannot be written). */
    minFreeDataBytes: z.number().int().min(0).default(1024 ** 3),
  }).prefault({}),
  dataDir: z.string().default('./data'),
  /** Where nginx-rtmp, SRS or MediaMTX write recordings; webhook paths must lie inside it. */
  recordDir: z.string().optional(),
  /** More directories local sources may come from (API calls); the record dir and inbox always may. */
  sourceRoots: z.array(z.string()).default([]),
  /** Where assets are published: the local media directory by default, or an S3 prefix. */
  storage: z.strictObject({
    output: s3PrefixSchema.optional(),
    /**
     * Base URL players use for the output (a CDN or the bucket's public URL). Without it, an
     * s3:// output stays private and players get signed /media/s/ links that live presignSeconds.
     */
    publicBaseUrl: z.url().optional(),
    /** Lifetime of signed playback links and of the presigned S3 URLs behind them (max 7 days). */
    presignSeconds: z.number().int().min(60).max(604_800).default(3600),
    /**
     * Local media (`/media/`) readable by anyone who knows a job id even with auth.tokens set.
     * Off by default: with API tokens, local media is served through signed links (as a private
     * bucket is); without tokens it is public anyway.
     */
    publicLocalMedia: z.boolean().default(false),
  }).prefault({}),
  /** Remote sources (https://, s3://): size and time limits, the private hosts https:// sources may reach. Goes into every task. */
  sourceFetch: sourceFetchSchema.prefault({}),
  store: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('sqlite'), file: z.string().optional() }),
    z.strictObject({ kind: z.literal('postgres'), url: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'), schema: z.string().regex(/^[a-z_][a-z0-9_]*$/).optional() }),
  ]).default({ kind: 'sqlite' }),
  /** Where workers run: `local` child processes (default) or `kubernetes` Jobs (src/config/kubernetes-executor.ts). */
  executor: z.preprocess(
    // Without a kind the section is the local executor's (`executor: { concurrency: 4 }`).
    (value) => (value !== null && typeof value === 'object' && !Array.isArray(value) && !('kind' in value) ? { ...value, kind: 'local' } : value),
    z.discriminatedUnion('kind', [
      z.strictObject({
        kind: z.literal('local'),
        /** Workers at once; each ffmpeg uses several threads, so half the cores by default. */
        concurrency: z.number().int().min(1).max(256).default(Math.max(1, Math.floor(os.availableParallelism() / 2))),
      }),
      kubernetesExecutorSchema,
    ], { error: 'must be "local" or "kubernetes"' }),
  ).prefault({}),
  auth: z.strictObject({
    tokens: z.array(token).default([]),
    /**
     * Without tokens: true lets anyone who reaches the server use the API; false closes it (401);
     * unset: open only while server.host is a loopback address (src/http/api-access.ts).
     */
    open: z.boolean().optional(),
  }).prefault({}),
  ingest: z.strictObject({
    nginxRtmp: recorderIntake.prefault({}),
    srs: recorderIntake.prefault({}),
    mediamtx: recorderIntake.prefault({}),
    s3: z.strictObject({
      enabled: z.boolean().default(true),
      token: token.optional(),
      open: openIntake,
      priority: priority.default('normal'),
      buckets: z.array(z.string()).optional(),
      suffixes: z.array(z.string()).optional(),
    }).prefault({}),
    generic: z.strictObject({
      secret: z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must be a Standard Webhooks secret (whsec_…)').optional(),
      priority: priority.default('normal'),
    }).prefault({}),
    api: z.strictObject({ priority: priority.default('normal') }).prefault({}),
    watch: z.strictObject({
      enabled: z.boolean().default(true),
      /** Defaults to <dataDir>/inbox. */
      dir: z.string().optional(),
      intervalMs: z.number().int().min(50).max(60_000).default(2000),
      priority: priority.default('low'),
    }).prefault({}),
  }).prefault({}),
  jobs: z.strictObject({
    maxAttempts: z.number().int().min(1).max(20).default(3),
    retryBaseMs: z.number().int().min(10).default(5000),
    retryMaxMs: z.number().int().min(10).default(10 * 60_000),
    leaseMs: z.number().int().min(1000).default(30_000),
    /** The trim every intake applies when its request does not ask: none (suggest only) or auto. */
    trim: defaultTrimSchema.default('none'),
  }).prefault({}),
  notifications: z.strictObject({
    /** Media-library endpoints that receive signed (Standard Webhooks) job and asset events. */
    endpoints: endpointsSchema.default([]),
  }).prefault({}),
  transcode: transcodeProfileSchema.prefault({}),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}).superRefine((config, ctx) => {
  // A pod cannot write into the control plane's media directory.
  if (config.executor.kind === 'kubernetes' && !config.storage.output) {
    ctx.addIssue({ code: 'custom', path: ['storage', 'output'], message: 'is required with executor.kind kubernetes: workers run in pods and publish to object storage (s3://bucket/prefix)' });
  }
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
