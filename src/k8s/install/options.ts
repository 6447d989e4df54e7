// What `live2vod manifests` is asked for (its flags), checked once with readable errors, and the
// executor section of the control plane's configuration that follows from it — the same section
// the example Job is built with.
import { z } from 'zod';
import type { KubernetesExecutorInput } from '../executor-config.ts';
import { priorities } from '../../jobs/job.ts';
import { version } from '../../version.ts';
import { spotPreset, spotPresetNames } from '../spot-presets.ts';
import { s3PrefixSchema } from '../../storage/s3-prefix-schema.ts';
import { dnsLabelPattern, dnsSubdomainPattern, maxDnsLabel, maxDnsSubdomain } from '../syntax.ts';

const dnsLabel = z.string().max(maxDnsLabel).regex(dnsLabelPattern, 'must be a DNS-1123 label (lower-case letters, digits, "-")');
const dnsSubdomain = z.string().max(maxDnsSubdomain).regex(dnsSubdomainPattern, 'must be a DNS-1123 subdomain');
const keyValues = z.record(z.string().min(1), z.string());

export const installOptionsSchema = z.strictObject({
  namespace: dnsLabel.default('live2vod'),
  instance: dnsLabel.default('live2vod'),
  image: z.string().min(1).default(`ghcr.io/live2vod/live2vod:${version}`),
  /** Where assets are published. */
  storage: s3PrefixSchema.default('s3://live2vod-assets/assets'),
  publicBaseUrl: z.url().optional(),
  /** A Secret whose keys (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL…) become env vars. */
  storageSecret: dnsSubdomain.optional(),
  /** Annotations of both ServiceAccounts: IRSA (eks.amazonaws.com/role-arn) or GKE workload identity. */
  serviceAccountAnnotations: keyValues.default({}),
  /** PostgreSQL (two control-plane replicas): a URL put into a generated Secret, or an existing Secret with key `url`. */
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  databaseSecret: dnsSubdomain.optional(),
  /** The URL webhooks and API clients use (an Ingress); default the Service's cluster DNS name. */
  publicUrl: z.url().optional(),
  spot: z.enum(spotPresetNames).default('karpenter'),
  gpuPriorities: z.array(z.enum(priorities)).default([]),
  gpuNodeSelector: keyValues.default({}),
  kueueQueue: dnsSubdomain.optional(),
  concurrency: z.number().int().min(1).max(10_000).default(50),
  task: z.enum(['inline', 'secret']).default('inline'),
  /** The Secret with the callback HMAC key (key `secret`); shared by all replicas. */
  callbackSecret: dnsSubdomain.default('live2vod-callback'),
  /** Print that Secret with a fresh random key (quick installs; not for GitOps, it changes every run). */
  generateCallbackSecret: z.boolean().default(false),
  /** An optional Secret with API tokens (key `tokens`, comma-separated). */
  apiTokensSecret: dnsSubdomain.default('live2vod-api'),
}).refine((o) => !(o.databaseUrl && o.databaseSecret), { message: 'give --database-url or --database-secret, not both' });

export type InstallOptions = z.infer<typeof installOptionsSchema>;
export type InstallOptionsInput = z.input<typeof installOptionsSchema>;

/**
 * The names of the installed objects. Fixed, not derived from `instance`: one install per
 * namespace (a second one goes into its own namespace).
 */
export const names = {
  controlPlane: 'live2vod',
  worker: 'live2vod-worker',
  config: 'live2vod-config',
  data: 'live2vod-data',
  database: 'live2vod-database',
  controlPlanePriorityClass: 'live2vod-control-plane',
} as const;

export const httpPort = 8080;

export function usesPostgres(options: InstallOptions): boolean {
  return Boolean(options.databaseUrl ?? options.databaseSecret);
}

/** The executor section of the control plane's configuration. */
export function executorSection(options: InstallOptions): KubernetesExecutorInput {
  return {
    kind: 'kubernetes',
    concurrency: options.concurrency,
    namespace: options.namespace,
    instance: options.instance,
    image: options.image,
    serviceAccount: names.worker,
    task: options.task,
    spot: spotPreset(options.spot),
    ...(options.storageSecret ? { storageSecret: options.storageSecret } : {}),
    ...(options.gpuPriorities.length ? { gpu: { priorities: options.gpuPriorities, nodeSelector: options.gpuNodeSelector } } : {}),
    ...(options.kueueQueue ? { kueue: { queueName: options.kueueQueue } } : {}),
  };
}
