// `live2vod manifests` and `--example-job` as a user runs them: multi-document YAML on stdout
// that parses and validates against the upstream schema; bad flags exit 2 with the reason. Through
// main() in this process (cli-in-process.ts): the same stdout, stderr and exit code, without a
// Node process per run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import YAML from 'yaml';
import { ExitCode } from '../../src/errors/index.ts';
import { cliInProcess } from '../helpers/cli-in-process.ts';
import { validateUpstream } from './upstream-schema.ts';

type Doc = { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string }; [key: string]: unknown };

function documents(stdout: string): Doc[] {
  const docs = YAML.parseAllDocuments(stdout);
  for (const doc of docs) assert.deepEqual(doc.errors, [], 'valid YAML');
  return docs.map((d) => d.toJS() as Doc).filter((d) => d !== null);
}

describe('live2vod manifests', () => {
  it('prints the whole install as validated multi-document YAML', async () => {
    const result = await cliInProcess(['manifests']);
    assert.equal(result.code, 0, result.stderr);
    const docs = documents(result.stdout);
    const kinds = docs.map((d) => d.kind);
    for (const kind of ['Namespace', 'ServiceAccount', 'Role', 'RoleBinding', 'Deployment', 'Service', 'PriorityClass', 'ConfigMap', 'NetworkPolicy', 'PodDisruptionBudget']) {
      assert.ok(kinds.includes(kind), `has a ${kind}`);
    }
    for (const doc of docs) assert.doesNotThrow(() => validateUpstream(doc), `${doc.kind} ${doc.metadata?.name}`);
    assert.equal(kinds[0], 'Namespace', 'the namespace comes first');
    // Without --image and --storage it says, on stderr, what it assumed.
    assert.match(result.stderr, /^live2vod: manifests: assumed image ghcr\.io\/live2vod\/live2vod:\S+ \(--image to choose\); assets in s3:\/\/live2vod-assets\/assets, a placeholder bucket/);
  });

  it('follows the flags: namespace, image, storage, database, node pools', async () => {
    const result = await cliInProcess([
      'manifests', '--namespace', 'media', '--image', 'registry.example/live2vod:9', '--storage', 's3://vod/out', '--public-base-url', 'https://cdn.example/out',
      '--database-secret', 'pg', '--spot', 'gke', '--gpu-priorities', 'urgent', '--gpu-node-selector', 'cloud.google.com/gke-accelerator=nvidia-l4',
      '--service-account-annotation', 'iam.gke.io/gcp-service-account=live2vod@p.iam.gserviceaccount.com', '--storage-secret', 'hmac',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '', 'nothing assumed when --image and --storage are given');
    const docs = documents(result.stdout);
    for (const doc of docs) assert.doesNotThrow(() => validateUpstream(doc));
    assert.ok(docs.filter((d) => d.kind !== 'Namespace' && d.kind !== 'PriorityClass').every((d) => d.metadata?.namespace === 'media'));
    const deployment = docs.find((d) => d.kind === 'Deployment') as { spec: { replicas: number; template: { spec: { containers: { image: string }[] } } } };
    assert.equal(deployment.spec.replicas, 2);
    assert.equal(deployment.spec.template.spec.containers[0]?.image, 'registry.example/live2vod:9');
    const config = YAML.parse((docs.find((d) => d.kind === 'ConfigMap') as { data: Record<string, string> }).data['config.yaml']!) as { storage: { output: string }; executor: { image: string; spot: { nodeLabel: { key: string } }; gpu: { priorities: string[] }; storageSecret: string } };
    assert.equal(config.storage.output, 's3://vod/out');
    assert.equal(config.executor.image, 'registry.example/live2vod:9');
    assert.equal(config.executor.spot.nodeLabel.key, 'cloud.google.com/gke-spot');
    assert.deepEqual(config.executor.gpu.priorities, ['urgent']);
    assert.equal(config.executor.storageSecret, 'hmac');
    const accounts = docs.filter((d) => d.kind === 'ServiceAccount') as { metadata: { annotations?: Record<string, string> } }[];
    assert.ok(accounts.every((a) => a.metadata.annotations?.['iam.gke.io/gcp-service-account']));
  });

  it('--example-job prints the three Jobs of a one-hour 1080p30 recording: split (with the audio), the Indexed chunk Job, stitch', async () => {
    const result = await cliInProcess(['manifests', '--example-job']);
    assert.equal(result.code, 0, result.stderr);
    type ExampleJob = Doc & { metadata: { name: string; labels: Record<string, string> }; spec: { completionMode?: string; completions: number; parallelism: number; backoffLimitPerIndex?: number; maxFailedIndexes?: number; activeDeadlineSeconds: number; podFailurePolicy: { rules: { action: string }[] }; template: { spec: { priorityClassName: string; containers: { env: { name: string; value?: string }[]; resources: { requests: Record<string, string> } }[] } } } };
    const docs = documents(result.stdout) as ExampleJob[];
    for (const doc of docs) validateUpstream(doc);
    assert.deepEqual(docs.map((d) => [d.kind, d.metadata.labels['live2vod.io/stage']]), [['Job', 'split'], ['Job', 'chunks'], ['Job', 'stitch']]);
    assert.ok(docs.every((d) => d.spec.template.spec.priorityClassName === 'live2vod-normal'));
    const [split, chunks, stitch] = docs as [ExampleJob, ExampleJob, ExampleJob];
    assert.match(split.metadata.name, /-a1-split$/);
    assert.match(chunks.metadata.name, /-a1-chunks$/);
    // One hour on 16 pods: 228 s chunks (a multiple of the 6 s segment), the last one shorter.
    assert.deepEqual([chunks.spec.completionMode, chunks.spec.completions, chunks.spec.parallelism, chunks.spec.backoffLimitPerIndex, chunks.spec.maxFailedIndexes], ['Indexed', 16, 16, 2, 0]);
    assert.ok(chunks.spec.podFailurePolicy.rules.some((r) => r.action === 'FailIndex'));
    const ranges = JSON.parse(chunks.spec.template.spec.containers[0]!.env.find((e) => e.name === 'LIVE2VOD_CHUNK_RANGES')!.value!) as [number, number][];
    assert.deepEqual([ranges.length, ranges[0], ranges.at(-1)], [16, [0, 228], [3420, 3600]]);
    assert.equal(chunks.spec.activeDeadlineSeconds, 600 + 2 * 228 * 3, 'one wave and two retries of a chunk');
    assert.equal(chunks.spec.template.spec.containers[0]!.resources.requests['cpu'], '4');
    assert.deepEqual([split, stitch].map((d) => d.spec.template.spec.containers[0]!.resources.requests['cpu']), ['1', '2']);
  });

  it('exits 2 and names the problem for a bad flag', async () => {
    const result = await cliInProcess(['manifests', '--storage', 'gs://bucket']);
    assert.equal(result.code, ExitCode.usage);
    assert.match(result.stderr, /storage: must be s3:\/\/bucket\/prefix/);
    assert.equal(result.stdout, '', 'nothing half-printed');
    const pair = await cliInProcess(['manifests', '--gpu-node-selector', 'novalue']);
    assert.equal(pair.code, ExitCode.usage);
    assert.match(pair.stderr, /--gpu-node-selector expects key=value/);
  });
});
