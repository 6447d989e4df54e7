// The `executor: { kind: kubernetes }` section: everything the Job builder (src/k8s/) needs to turn
// a TranscodeTask into a batch/v1 Job. Strict like the rest of the configuration; the names and
// quantities are checked here so that a typo fails at start, not at the first Job creation.
import { z } from 'zod';
import { priorities } from '../jobs/job.ts';
import { dnsLabelPattern, dnsSubdomainPattern, labelKeyPattern, labelValuePattern, maxDnsLabel, maxDnsSubdomain, maxLabelKey, maxLabelValue } from './syntax.ts';

const GiB = 1024 ** 3;

const dnsLabel = z.string().max(maxDnsLabel).regex(dnsLabelPattern, 'must be a DNS-1123 label: lower-case letters, digits and "-", at most 63 characters');
const dnsSubdomain = z.string().max(maxDnsSubdomain).regex(dnsSubdomainPattern, 'must be a DNS-1123 subdomain (lower-case letters, digits, "-" and ".")');
/** `prefix/name` or `name`, as Kubernetes label and taint keys are. */
const labelKey = z.string().max(maxLabelKey).regex(labelKeyPattern, 'must be a Kubernetes label key such as example.com/name');
const labelValue = z.string().max(maxLabelValue).regex(labelValuePattern, 'must be a Kubernetes label value (letters, digits, "-", "_", ".", at most 63)');
export const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, 'must be a Kubernetes quantity such as 500m, 4, 512Mi or 8Gi');

export const tolerationSchema = z.strictObject({
  key: labelKey.optional(),
  operator: z.enum(['Equal', 'Exists']).default('Equal'),
  value: labelValue.optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
});
export type TolerationConfig = z.infer<typeof tolerationSchema>;

/** How a priority uses spot/preemptible nodes: never, preferably, or only. */
export const spotPlacements = ['never', 'preferred', 'required'] as const;
const spotPlacement = z.enum(spotPlacements);

const resourcesSchema = z.strictObject({
  requests: z.strictObject({ cpu: quantity.default('4'), memory: quantity.default('6Gi') }).prefault({}),
  /** No CPU limit by default: ffmpeg may use idle cores, and throttling a batch encode only slows it. */
  limits: z.strictObject({ cpu: quantity.optional(), memory: quantity.default('6Gi') }).prefault({}),
});

const priorityClassNames = z.strictObject({
  urgent: dnsSubdomain.default('live2vod-urgent'),
  high: dnsSubdomain.default('live2vod-high'),
  normal: dnsSubdomain.default('live2vod-normal'),
  low: dnsSubdomain.default('live2vod-low'),
});

export const kubernetesExecutorSchema = z.strictObject({
  kind: z.literal('kubernetes'),
  /** Jobs this control plane keeps in the cluster at once; pending pods make the autoscaler add nodes. */
  concurrency: z.number().int().min(1).max(10_000).default(50),
  /** Where worker Jobs are created (the control plane needs RBAC there). */
  namespace: dnsLabel.default('live2vod'),
  /** `app.kubernetes.io/instance` of the Jobs; the executor lists, watches and reconciles only its own instance's Jobs. */
  instance: dnsLabel.default('live2vod'),
  /** The worker image (the same image as the control plane: `live2vod worker` is its entrypoint). */
  image: z.string().min(1, 'the worker image is required (executor.image)'),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
  imagePullSecrets: z.array(dnsSubdomain).default([]),
  /** The workers' ServiceAccount: no RBAC; annotate it for IRSA / workload identity to reach storage. */
  serviceAccount: dnsSubdomain.default('live2vod-worker'),
  /** Storage credentials as a Secret whose keys become env vars (AWS_ACCESS_KEY_ID …); never inline values. */
  storageSecret: dnsSubdomain.optional(),
  /** The URL workers report to; default `server.publicUrl`. The manifests set it to the pod's own IP. */
  callbackUrl: z.url().optional(),
  /** A kubeconfig file; default: $KUBECONFIG, ~/.kube/config, then the pod's service account (in the cluster). */
  kubeconfig: z.string().optional(),
  /** The TranscodeTask in the pod spec (`inline`, token from a Secret) or as a mounted Secret file (`secret`). */
  task: z.enum(['inline', 'secret']).default('inline'),
  priorityClasses: priorityClassNames.prefault({}),
  /** Node selector for every worker pod (e.g. a dedicated transcode node pool). */
  nodeSelector: z.record(labelKey, labelValue).default({}),
  spot: z.strictObject({
    placement: z.strictObject({
      urgent: spotPlacement.default('never'),
      high: spotPlacement.default('preferred'),
      normal: spotPlacement.default('preferred'),
      low: spotPlacement.default('required'),
    }).prefault({}),
    /** The node label that marks spot capacity (Karpenter's by default). */
    nodeLabel: z.strictObject({ key: labelKey.default('karpenter.sh/capacity-type'), value: labelValue.default('spot') }).prefault({}),
    /** Taints of the spot pool that spot-capable workers tolerate (taint a dedicated spot pool with it). */
    tolerations: z.array(tolerationSchema).default([{ key: 'live2vod.io/spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]),
  }).prefault({}),
  gpu: z.strictObject({
    /** Priorities whose Jobs run on GPU nodes with NVENC (H.264 only); empty: no GPU Jobs. */
    priorities: z.array(z.enum(priorities)).default([]),
    resourceName: labelKey.default('nvidia.com/gpu'),
    count: z.number().int().min(1).max(8).default(1),
    nodeSelector: z.record(labelKey, labelValue).default({}),
    tolerations: z.array(tolerationSchema).default([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]),
    /** GPU Jobs need fewer CPUs: the encode runs on the GPU. */
    resources: resourcesSchema.prefault({ requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '4Gi' } }),
  }).prefault({}),
  /**
   * Chunked attempts (split, which goes on with the audio and instant remux while every chunk
   * encodes → stitch): all chunks of one attempt run as one Indexed Job; the split and the stitch
   * run as small Jobs of their own.
   */
  chunks: z.strictObject({
    /** Chunk pods of one attempt running at once (the Indexed Job's parallelism); more chunks run in waves. */
    parallelism: z.number().int().min(1).max(1000).default(16),
    /** Retries of one chunk (its index) for a retryable failure, before the attempt fails (maxFailedIndexes 0). */
    backoffLimitPerIndex: z.number().int().min(0).max(10).default(2),
    /** The stages that encode no video: the split probes, plans, encodes the AAC once and runs the instant remux; the stitch writes playlists and remuxes the download. */
    resources: z.strictObject({
      split: resourcesSchema.prefault({ requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '2Gi' } }),
      stitch: resourcesSchema.prefault({ requests: { cpu: '2', memory: '4Gi' }, limits: { memory: '4Gi' } }),
    }).prefault({}),
  }).prefault({}),
  /** Kueue LocalQueue: Jobs are created suspended and Kueue admits them within quota. */
  kueue: z.strictObject({ queueName: dnsSubdomain }).optional(),
  /** Pod retries inside one attempt (crashes, OOM); the scheduler's retries come on top (jobs.maxAttempts). */
  backoffLimit: z.number().int().min(0).max(10).default(1),
  /** A finished Job (and its pods and token Secret) is deleted after this long. */
  ttlSecondsAfterFinished: z.number().int().min(0).max(30 * 86_400).default(3600),
  /** Time the worker gets after SIGTERM to stop ffmpeg and report before it is killed. */
  terminationGracePeriodSeconds: z.number().int().min(5).max(3600).default(60),
  /** activeDeadlineSeconds = baseSeconds + perRecordingSecond × duration, within [min, max]. */
  deadline: z.strictObject({
    baseSeconds: z.number().int().min(0).default(600),
    perRecordingSecond: z.number().positive().max(100).default(2),
    minSeconds: z.number().int().min(60).default(1800),
    maxSeconds: z.number().int().min(60).default(86_400),
    /** Assumed when the intake reported neither duration nor size. */
    unknownDurationSeconds: z.number().int().min(1).default(4 * 3600),
    /** Source bitrate assumed when only the size is known: low, so the duration (and deadline) errs long. */
    assumedBitrateMbps: z.number().positive().default(3),
  }).prefault({}).refine((d) => d.minSeconds <= d.maxSeconds, { message: 'deadline.minSeconds must not exceed deadline.maxSeconds' }),
  resources: resourcesSchema.prefault({}),
  /** The scratch emptyDir: sourceFactor × source size + extraBytes, within [min, max]. */
  scratch: z.strictObject({
    sourceFactor: z.number().min(1).max(20).default(4),
    extraBytes: z.number().int().min(0).default(2 * GiB),
    minBytes: z.number().int().min(GiB / 4).default(8 * GiB),
    maxBytes: z.number().int().min(GiB / 4).default(2048 * GiB),
    /** Source bitrate assumed when only the duration is known (a high 1080p live bitrate). */
    assumedBitrateMbps: z.number().positive().default(12),
  }).prefault({}).refine((s) => s.minBytes <= s.maxBytes, { message: 'scratch.minBytes must not exceed scratch.maxBytes' }),
  /** Memory-backed /dev/shm (counts against the memory limit). */
  shmSize: quantity.default('256Mi'),
  /** A PersistentVolumeClaim with recordings, mounted read-only where local source paths point. */
  recordings: z.strictObject({ claimName: dnsSubdomain, mountPath: z.string().regex(/^\/./, 'must be an absolute path') }).optional(),
});

export type KubernetesExecutorConfig = z.infer<typeof kubernetesExecutorSchema>;
export type ResourcesConfig = z.infer<typeof resourcesSchema>;
export type KubernetesExecutorInput = z.input<typeof kubernetesExecutorSchema>;
