// `live2vod manifests`: prints the validated Kubernetes YAML that installs live2vod (multi-document,
// for `kubectl apply -f -` or a GitOps repository); `--example-job` prints instead the Jobs the
// executor would create for a one-hour 1080p30 recording at normal priority: a chunked attempt's
// split Job (which also encodes the audio), Indexed chunk Job and stitch Job.
import { UsageError } from '../errors/index.ts';
import { exampleChunkedJobs } from '../k8s/install/example-job.ts';
import { installManifests } from '../k8s/install/manifests.ts';
import { installOptionsSchema, type InstallOptionsInput } from '../k8s/install/options.ts';
import { toYamlDocuments } from '../k8s/yaml.ts';
import { version } from '../version.ts';
import { describeZodError } from '../zod-errors.ts';
import type { CliIo } from './io.ts';

export interface ManifestsFlags {
  namespace?: string;
  instance?: string;
  image?: string;
  storage?: string;
  publicBaseUrl?: string;
  storageSecret?: string;
  serviceAccountAnnotation: string[];
  databaseUrl?: string;
  databaseSecret?: string;
  publicUrl?: string;
  spot?: string;
  gpuPriorities?: string;
  gpuNodeSelector: string[];
  kueueQueue?: string;
  concurrency?: string;
  task?: string;
  callbackSecret?: string;
  generateCallbackSecret?: boolean;
  apiTokensSecret?: string;
  exampleJob?: boolean;
}

function keyValues(flag: string, pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`${flag} expects key=value, got "${pair}"`);
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

/**
 * The schema's input keys with the flags' raw values: the keys are checked here (a flag can only
 * fill an option that exists), the values by installOptionsSchema (e.g. `--spot` against its enum).
 */
export type InstallOptionsFromFlags = { [K in keyof InstallOptionsInput]?: unknown };

/** Flags passed on as they are, under the option of the same name. */
const plainFlags = ['namespace', 'instance', 'image', 'storage', 'publicBaseUrl', 'storageSecret', 'databaseUrl', 'databaseSecret', 'publicUrl', 'spot', 'kueueQueue', 'task', 'callbackSecret', 'apiTokensSecret'] as const satisfies readonly (keyof ManifestsFlags & keyof InstallOptionsInput)[];

export function installOptionsFromFlags(flags: ManifestsFlags): InstallOptionsFromFlags {
  const input: InstallOptionsFromFlags = {
    serviceAccountAnnotations: keyValues('--service-account-annotation', flags.serviceAccountAnnotation),
    gpuNodeSelector: keyValues('--gpu-node-selector', flags.gpuNodeSelector),
  };
  for (const key of plainFlags) if (flags[key] !== undefined) input[key] = flags[key];
  if (flags.gpuPriorities !== undefined) input.gpuPriorities = flags.gpuPriorities.split(',').map((p) => p.trim()).filter(Boolean);
  if (flags.concurrency !== undefined) input.concurrency = Number(flags.concurrency);
  if (flags.generateCallbackSecret) input.generateCallbackSecret = true;
  return input;
}

export async function runManifestsCommand(flags: ManifestsFlags, io: CliIo): Promise<void> {
  const parsed = installOptionsSchema.safeParse(installOptionsFromFlags(flags));
  if (!parsed.success) throw new UsageError(`manifests: ${describeZodError(parsed.error)}`);
  const options = parsed.data;
  // On stderr, so the YAML on stdout still pipes into kubectl: what was assumed for what was not said.
  const assumed = [
    ...(flags.image === undefined ? [`image ${options.image} (--image to choose)`] : []),
    ...(flags.storage === undefined ? [`assets in ${options.storage}, a placeholder bucket (--storage s3://your-bucket/prefix)`] : []),
  ];
  if (assumed.length > 0) io.stderr.write(`live2vod: manifests: assumed ${assumed.join('; ')}\n`);
  if (flags.exampleJob) {
    io.stdout.write(toYamlDocuments(exampleChunkedJobs(options), [
      `The Jobs live2vod ${version} creates for a one-hour 1080p30 recording at normal priority (review only; the executor creates these):`,
      'the split, then all chunks as one Indexed Job beside the audio, then the stitch. Validated against the Kubernetes schema.',
    ].join('\n')));
    return;
  }
  io.stdout.write(toYamlDocuments(installManifests(options), [
    `live2vod ${version}: kubectl apply -f - (or commit to a GitOps repository). Validated against the Kubernetes schema.`,
    'Needs: object storage credentials (--storage-secret or IRSA/workload identity), and for two replicas PostgreSQL',
    `(--database-url/--database-secret) plus the Secret ${options.callbackSecret} (key "secret"; --generate-callback-secret).`,
  ].join('\n')));
}
