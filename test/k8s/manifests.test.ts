// The install manifests: every object validates against the upstream schema, and the pieces say
// what the design says — least-privilege RBAC in one namespace, PriorityClasses (only urgent
// preempts, none below the autoscaler's cutoff), two replicas only with PostgreSQL, a
// configuration that `live2vod serve` accepts together with the env the Deployment sets.
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import type { IPriorityClass } from 'kubernetes-models/scheduling.k8s.io/v1/PriorityClass';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { loadConfig } from '../../src/config/load.ts';
import { exampleWorkerJob } from '../../src/k8s/install/example-job.ts';
import { installManifests } from '../../src/k8s/install/manifests.ts';
import { installOptionsSchema, type InstallOptionsInput } from '../../src/k8s/install/options.ts';
import { ManifestValidationError, validated } from '../../src/k8s/validate.ts';
import type { KubeObject } from '../../src/k8s/validate.ts';
import { makeTemp } from '../helpers/serve.ts';
import { validateUpstream } from './upstream-schema.ts';

let dir: string;
before(async () => { dir = await makeTemp('live2vod-manifests-'); });
after(() => rm(dir, { recursive: true, force: true }));

function manifests(input: InstallOptionsInput = {}) {
  const objects = installManifests(installOptionsSchema.parse(input));
  const find = <T extends KubeObject>(kind: string, name?: string) => objects.find((o) => o.kind === kind && (name === undefined || o.metadata?.name === name)) as T | undefined;
  return { objects, find, all: (kind: string) => objects.filter((o) => o.kind === kind) };
}

describe('install manifests', () => {
  it('validate against the upstream schema, every object, with every option combination', () => {
    const variants: InstallOptionsInput[] = [
      {},
      { databaseUrl: 'postgres://u:p@db/live2vod', generateCallbackSecret: true, storageSecret: 'minio', spot: 'gke', gpuPriorities: ['urgent', 'high'], gpuNodeSelector: { 'cloud.google.com/gke-accelerator': 'nvidia-l4' }, kueueQueue: 'transcode', task: 'secret' },
      { databaseSecret: 'pg', spot: 'none', namespace: 'media', instance: 'blue', serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123:role/live2vod' } },
    ];
    for (const variant of variants) {
      const { objects } = manifests(variant);
      assert.ok(objects.length >= 15);
      for (const object of objects) assert.doesNotThrow(() => validateUpstream(object), `${object.kind} ${object.metadata?.name}`);
      const namespaced = objects.filter((o) => o.kind !== 'Namespace' && o.kind !== 'PriorityClass');
      assert.ok(namespaced.every((o) => o.metadata?.namespace === (variant.namespace ?? 'live2vod')), 'everything in the one namespace');
    }
  });

  it('refuses an invalid object before printing it', () => {
    assert.throws(() => validated({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { type: 'Nonsense' } } as never), ManifestValidationError);
    assert.throws(() => validated({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }), /not a valid ConfigMap name/);
    assert.throws(() => validated({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok', labels: { 'a/b/c': 'x' } } }), /label key/);
  });

  it('give the control plane least privilege in its namespace only, and workers none', () => {
    const { find, all } = manifests();
    const role = find<IRole>('Role');
    assert.deepEqual(role?.rules, [
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'get', 'delete'] },
    ]);
    assert.ok(!role?.rules?.some((r) => r.verbs.includes('*') || r.resources?.includes('*')));
    assert.equal(all('ClusterRole').length + all('ClusterRoleBinding').length, 0, 'no cluster-wide rights');
    const accounts = all('ServiceAccount');
    assert.deepEqual(accounts.map((a) => a.metadata?.name), ['live2vod', 'live2vod-worker']);
    assert.equal((accounts[1] as { automountServiceAccountToken?: boolean }).automountServiceAccountToken, false);
    const binding = find<KubeObject & { subjects?: { name: string }[] }>('RoleBinding');
    assert.deepEqual(binding?.subjects?.map((s) => s.name), ['live2vod'], 'only the control plane is bound');
  });

  it('define PriorityClasses: urgent preempts, the others never, none below the expendable cutoff', () => {
    const classes = manifests().all('PriorityClass') as IPriorityClass[];
    const byName = Object.fromEntries(classes.map((c) => [c.metadata?.name, c]));
    for (const name of ['live2vod-low', 'live2vod-normal', 'live2vod-high']) assert.equal(byName[name]?.preemptionPolicy, 'Never', name);
    assert.equal(byName['live2vod-urgent']?.preemptionPolicy, 'PreemptLowerPriority');
    assert.ok(classes.every((c) => (c.value ?? -1) >= 0), 'all ≥ 0, above the -10 expendable cutoff');
    assert.ok(byName['live2vod-low']!.value < byName['live2vod-normal']!.value && byName['live2vod-normal']!.value < byName['live2vod-high']!.value && byName['live2vod-high']!.value < byName['live2vod-urgent']!.value);
    assert.ok(byName['live2vod-control-plane']!.value > byName['live2vod-urgent']!.value, 'an urgent worker never preempts the control plane');
    assert.ok(classes.every((c) => c.globalDefault === false));
  });

  it('run one control plane on SQLite (volume, Recreate) and two on PostgreSQL (PDB keeps one)', () => {
    const sqlite = manifests();
    const one = sqlite.find<IDeployment>('Deployment');
    assert.equal(one?.spec?.replicas, 1);
    assert.equal(one?.spec?.strategy?.type, 'Recreate');
    assert.ok(sqlite.find('PersistentVolumeClaim'));
    assert.deepEqual((sqlite.find('PodDisruptionBudget') as { spec?: unknown }).spec, { selector: { matchLabels: one?.spec?.selector.matchLabels }, maxUnavailable: 1 });

    const pg = manifests({ databaseUrl: 'postgres://u:p@db:5432/live2vod' });
    const two = pg.find<IDeployment>('Deployment');
    assert.equal(two?.spec?.replicas, 2);
    assert.equal((pg.find('PodDisruptionBudget') as { spec?: { minAvailable?: number } }).spec?.minAvailable, 1);
    assert.equal(pg.find('PersistentVolumeClaim'), undefined);
    const env = two?.spec?.template.spec?.containers[0]?.env ?? [];
    assert.deepEqual(env.find((e) => e.name === 'LIVE2VOD_DATABASE_URL')?.valueFrom?.secretKeyRef, { name: 'live2vod-database', key: 'url' });
    assert.equal((pg.find('Secret', 'live2vod-database') as { stringData?: Record<string, string> }).stringData?.['url'], 'postgres://u:p@db:5432/live2vod');
    assert.equal(env.find((e) => e.name === 'LIVE2VOD_CALLBACK_SECRET')?.valueFrom?.secretKeyRef?.optional, false, 'replicas must share the callback key');
    assert.throws(() => installOptionsSchema.parse({ databaseUrl: 'postgres://x', databaseSecret: 'y' }), /not both/);
  });

  it('run the control plane restricted, probed, reporting address at its own pod IP', () => {
    const deployment = manifests().find<IDeployment>('Deployment');
    const pod = deployment?.spec?.template.spec;
    const container = pod?.containers[0];
    assert.equal(pod?.securityContext?.runAsNonRoot, true);
    assert.equal(container?.securityContext?.readOnlyRootFilesystem, true);
    assert.deepEqual(container?.securityContext?.capabilities, { drop: ['ALL'] });
    assert.equal(container?.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(container?.livenessProbe?.httpGet?.path, '/healthz');
    assert.deepEqual(container?.args, ['serve', '--config', '/etc/live2vod/config.yaml']);
    const env = container?.env ?? [];
    assert.equal(env.findIndex((e) => e.name === 'POD_IP') < env.findIndex((e) => e.name === 'LIVE2VOD_EXECUTOR__CALLBACK_URL'), true, 'POD_IP is defined before it is used');
    assert.equal(env.find((e) => e.name === 'LIVE2VOD_EXECUTOR__CALLBACK_URL')?.value, 'http://$(POD_IP):8080');
    assert.equal(pod?.priorityClassName, 'live2vod-control-plane');
  });

  it('keep workers unreachable and the control plane reachable on its HTTP port only', () => {
    const policies = manifests().all('NetworkPolicy') as (KubeObject & { spec: { podSelector: { matchLabels: Record<string, string> }; ingress: { ports?: { port: number }[] }[]; policyTypes: string[] } })[];
    const worker = policies.find((p) => p.spec.podSelector.matchLabels['app.kubernetes.io/component'] === 'worker');
    assert.deepEqual([worker?.spec.ingress, worker?.spec.policyTypes], [[], ['Ingress']]);
    const controlPlane = policies.find((p) => p.spec.podSelector.matchLabels['app.kubernetes.io/component'] === 'control-plane');
    assert.deepEqual(controlPlane?.spec.ingress, [{ ports: [{ protocol: 'TCP', port: 8080 }] }]);
  });

  it('carry a configuration that live2vod serve loads with the Deployment\'s env', async () => {
    const { find } = manifests({ databaseSecret: 'pg', storage: 's3://media/vod', publicBaseUrl: 'https://cdn.example.com/vod', kueueQueue: 'transcode', gpuPriorities: ['urgent'] });
    const file = path.join(dir, 'config.yaml');
    await writeFile(file, find<IConfigMap>('ConfigMap')?.data?.['config.yaml'] ?? '');
    const config = await loadConfig({
      file,
      env: {
        POD_IP: '10.1.2.3',
        LIVE2VOD_EXECUTOR__CALLBACK_URL: 'http://10.1.2.3:8080',
        LIVE2VOD_CALLBACK_SECRET: 'a-shared-hmac-key-0123456789',
        LIVE2VOD_API_TOKENS: 'token-one,token-two',
        LIVE2VOD_DATABASE_URL: 'postgres://u:p@db/live2vod',
        TMPDIR: '/tmp',
      },
    });
    assert.equal(config.executor.kind, 'kubernetes');
    assert.equal(config.executor.kind === 'kubernetes' ? config.executor.callbackUrl : '', 'http://10.1.2.3:8080');
    assert.equal(config.executor.kind === 'kubernetes' ? config.executor.kueue?.queueName : '', 'transcode');
    assert.equal(config.store.kind, 'postgres');
    assert.equal(config.storage.output, 's3://media/vod');
    assert.equal(config.server.host, '0.0.0.0');
  });

  it('mark spot capacity the way each platform does', () => {
    const spotOf = (spot: 'karpenter' | 'eks' | 'gke' | 'aks' | 'none') => exampleWorkerJob(installOptionsSchema.parse({ spot })).spec?.template.spec;
    assert.equal(spotOf('aks')?.tolerations?.[0]?.key, 'kubernetes.azure.com/scalesetpriority', 'AKS taints its spot pools itself');
    assert.equal(spotOf('gke')?.tolerations?.[0]?.key, 'cloud.google.com/gke-spot');
    assert.equal(spotOf('eks')?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0]?.preference.matchExpressions?.[0]?.key, 'eks.amazonaws.com/capacityType');
    assert.equal(spotOf('karpenter')?.tolerations?.[0]?.key, 'live2vod.io/spot');
    const none = spotOf('none');
    assert.equal(none?.tolerations, undefined);
    assert.equal(none?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.operator, 'NotIn');
  });

  it('give the example Job for one hour of 1080p at normal priority', () => {
    const job = exampleWorkerJob(installOptionsSchema.parse({}));
    assert.doesNotThrow(() => validateUpstream(job));
    assert.equal(job.metadata?.labels?.['live2vod.io/priority'], 'normal');
    assert.equal(job.spec?.template.spec?.priorityClassName, 'live2vod-normal');
    assert.equal(job.metadata?.annotations?.['live2vod.io/recording-duration-seconds'], '3600');
    assert.equal(job.spec?.activeDeadlineSeconds, 600 + 2 * 3600);
  });
});
