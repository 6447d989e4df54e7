// The worker Job builder, option by option. Every Job built here is also validated against the
// upstream Kubernetes schema (kubernetes-models) — the builder refuses to return one that is not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { kubernetesExecutorSchema, type KubernetesExecutorInput } from '../../src/k8s/executor-config.ts';
import { ExitCode } from '../../src/errors/index.ts';
import type { Priority } from '../../src/jobs/job.ts';
import { transcodeProfileSchema, type FullTask, type TranscodeTask } from '../../src/jobs/transcode-task.ts';
import { failJobExitCodes, ignoredExitCodes } from '../../src/k8s/failure-policy.ts';
import { buildWorkerJob } from '../../src/k8s/worker-job.ts';
import type { SourceFacts } from '../../src/jobs/source-facts.ts';
import { defaultSourceFetch } from '../../src/jobs/source-fetch.ts';

const GiB = 1024 ** 3;

function task(overrides: Partial<FullTask> = {}): TranscodeTask {
  return {
    version: 2, stage: 'full', jobId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', attempt: 2, source: { kind: 's3', bucket: 'rec', key: 'keynote.flv' }, output: 's3://assets/keynote',
    profile: transcodeProfileSchema.parse({}), sourceFetch: { ...defaultSourceFetch, allow: ['media.internal'] },
    callback: { url: 'http://10.0.0.7:8080/internal/jobs/x/attempts/2/events', token: 'secret-token-abcdefghijkl' },
    ...overrides,
  };
}

function build(options: { config?: Partial<KubernetesExecutorInput>; priority?: Priority; facts?: SourceFacts; task?: TranscodeTask } = {}) {
  const config = kubernetesExecutorSchema.parse({ kind: 'kubernetes', image: 'registry.example/live2vod:1.2.3', ...options.config });
  const built = buildWorkerJob({ task: options.task ?? task(), priority: options.priority ?? 'normal', facts: options.facts ?? { durationSeconds: 3600, bytes: 2.7e9 }, config });
  const pod = built.job.spec!.template.spec!;
  const container = pod.containers[0]!;
  return { built, job: built.job, spec: built.job.spec!, pod, container, env: (name: string) => container.env?.find((e) => e.name === name) };
}

describe('worker Job builder', () => {
  it('names the Job after job and attempt, and labels it for the watch', () => {
    const { job, pod } = build();
    assert.equal(job.metadata?.name, 'live2vod-0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b-a2');
    assert.equal(job.metadata?.labels?.['app.kubernetes.io/managed-by'], 'live2vod');
    assert.equal(job.metadata?.labels?.['app.kubernetes.io/component'], 'worker');
    assert.equal(job.metadata?.labels?.['live2vod.io/attempt'], '2');
    assert.equal(job.metadata?.annotations?.['live2vod.io/job-id'], '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
    assert.equal(pod.restartPolicy, 'Never');
    assert.doesNotThrow(() => new Job(job).validate());
  });

  it('has the failure policy of the exit-code contract, replacement only after termination, TTL and a backoff limit', () => {
    const { spec } = build({ config: { backoffLimit: 2, ttlSecondsAfterFinished: 600 } });
    assert.equal(spec.backoffLimit, 2);
    assert.equal(spec.ttlSecondsAfterFinished, 600);
    assert.equal(spec.podReplacementPolicy, 'Failed');
    const rules = spec.podFailurePolicy?.rules ?? [];
    assert.deepEqual(rules[0], { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] });
    assert.deepEqual(rules[1]?.onExitCodes?.values, [ExitCode.usage, ExitCode.badInput, ExitCode.environment]);
    assert.equal(rules[1]?.action, 'FailJob');
    assert.deepEqual(rules[2], { action: 'Ignore', onExitCodes: { containerName: 'worker', operator: 'In', values: [ExitCode.cancelled] } });
    assert.deepEqual([...failJobExitCodes, ...ignoredExitCodes], [2, 3, 5, 130]);
  });

  it('scales activeDeadlineSeconds with the recording and bounds it', () => {
    assert.equal(build({ facts: { durationSeconds: 3600 } }).spec.activeDeadlineSeconds, 600 + 2 * 3600);
    assert.equal(build({ facts: { durationSeconds: 60 } }).spec.activeDeadlineSeconds, 1800, 'at least minSeconds');
    assert.equal(build({ facts: { durationSeconds: 100 * 3600 } }).spec.activeDeadlineSeconds, 86_400, 'at most maxSeconds');
    assert.equal(build({ facts: {} }).spec.activeDeadlineSeconds, 600 + 2 * 4 * 3600, 'unknown: the assumed duration');
    // Size only: duration estimated at the low assumed bitrate (3 Mb/s), so the deadline errs long.
    assert.equal(build({ facts: { bytes: 1.35e9 } }).spec.activeDeadlineSeconds, 600 + 2 * 3600);
    assert.equal(build({ facts: { durationSeconds: 3600 }, config: { deadline: { perRecordingSecond: 1, baseSeconds: 0, minSeconds: 60 } } }).spec.activeDeadlineSeconds, 3600);
  });

  it('sizes the scratch emptyDir and the ephemeral-storage request from the source', () => {
    const { pod, container } = build({ facts: { durationSeconds: 3600, bytes: 10 * GiB } });
    const scratch = pod.volumes?.find((v) => v.name === 'scratch');
    assert.equal(scratch?.emptyDir?.sizeLimit, `${4 * 10 + 2}Gi`);
    assert.equal(container.resources?.requests?.['ephemeral-storage'], `${4 * 10 + 2 + 1}Gi`);
    assert.equal(build({ facts: { bytes: 100 * 1024 ** 2 } }).pod.volumes?.find((v) => v.name === 'scratch')?.emptyDir?.sizeLimit, '8Gi', 'at least minBytes');
    assert.equal(container.volumeMounts?.find((m) => m.name === 'scratch')?.mountPath, '/scratch');
    assert.equal(container.env?.find((e) => e.name === 'TMPDIR')?.value, '/scratch', 'temp files go to the scratch volume');
  });

  it('mounts a small memory-backed /dev/shm', () => {
    const { pod, container } = build({ config: { shmSize: '512Mi' } });
    assert.deepEqual(pod.volumes?.find((v) => v.name === 'dshm')?.emptyDir, { medium: 'Memory', sizeLimit: '512Mi' });
    assert.equal(container.volumeMounts?.find((m) => m.name === 'dshm')?.mountPath, '/dev/shm');
  });

  it('sets requests and limits (no CPU limit unless configured)', () => {
    const plain = build().container.resources;
    assert.deepEqual([plain?.requests?.['cpu'], plain?.requests?.['memory'], plain?.limits?.['memory'], plain?.limits?.['cpu']], ['4', '6Gi', '6Gi', undefined]);
    const limited = build({ config: { resources: { requests: { cpu: '8', memory: '12Gi' }, limits: { cpu: '8', memory: '12Gi' } } } }).container.resources;
    assert.deepEqual([limited?.requests?.['cpu'], limited?.limits?.['cpu'], limited?.limits?.['memory']], ['8', '8', '12Gi']);
  });

  it('maps priorities to PriorityClasses', () => {
    for (const priority of ['urgent', 'high', 'normal', 'low'] as const) assert.equal(build({ priority }).pod.priorityClassName, `live2vod-${priority}`);
    assert.equal(build({ priority: 'low', config: { priorityClasses: { low: 'batch-low' } } }).pod.priorityClassName, 'batch-low');
  });

  it('places by priority: low only on spot, normal preferably, urgent never', () => {
    const low = build({ priority: 'low' }).pod;
    assert.deepEqual(low.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions, [{ key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] }]);
    assert.deepEqual(low.tolerations, [{ key: 'live2vod.io/spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    const normal = build({ priority: 'normal' }).pod;
    assert.equal(normal.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0]?.preference.matchExpressions?.[0]?.operator, 'In');
    assert.equal(normal.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, undefined);
    assert.equal(normal.tolerations?.length, 1);
    const urgent = build({ priority: 'urgent' }).pod;
    assert.equal(urgent.tolerations, undefined, 'no spot toleration');
    assert.equal(urgent.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.operator, 'NotIn');
    const gke = build({ priority: 'low', config: { spot: { nodeLabel: { key: 'cloud.google.com/gke-spot', value: 'true' }, tolerations: [{ key: 'cloud.google.com/gke-spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }] } } }).pod;
    assert.equal(gke.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.key, 'cloud.google.com/gke-spot');
  });

  it('builds the GPU variant: nvidia.com/gpu limit, GPU toleration and node selector, NVENC in the task', () => {
    const config = { gpu: { priorities: ['urgent'] as Priority[], nodeSelector: { 'nvidia.com/gpu.present': 'true' } } };
    const { built, pod, container, env } = build({ priority: 'urgent', config });
    assert.equal(built.gpu, true);
    assert.equal(container.resources?.limits?.['nvidia.com/gpu'], '1');
    assert.equal(container.resources?.requests?.['cpu'], '2', 'GPU Jobs need fewer CPUs');
    assert.ok(pod.tolerations?.some((t) => t.key === 'nvidia.com/gpu' && t.operator === 'Exists'));
    assert.deepEqual(pod.nodeSelector, { 'nvidia.com/gpu.present': 'true' });
    assert.equal(env('NVIDIA_DRIVER_CAPABILITIES')?.value, 'compute,video,utility');
    assert.equal(built.task.profile.encoder, 'h264_nvenc');
    assert.equal(JSON.parse(env('LIVE2VOD_TASK')?.value ?? '{}').profile.encoder, 'h264_nvenc', 'the pod gets the NVENC task');
    const cpu = build({ priority: 'normal', config });
    assert.equal(cpu.built.gpu, false);
    assert.equal(cpu.container.resources?.limits?.['nvidia.com/gpu'], undefined);
    const hevc = build({ priority: 'urgent', config, task: task({ profile: transcodeProfileSchema.parse({ codec: 'hevc' }) }) });
    assert.equal(hevc.built.gpu, false, 'NVENC is used for H.264 only');
  });

  it('runs restricted: non-root, read-only root, no escalation, no capabilities, RuntimeDefault seccomp, no API token', () => {
    const { pod, container } = build();
    assert.deepEqual([pod.securityContext?.runAsNonRoot, pod.securityContext?.runAsUser, pod.securityContext?.seccompProfile?.type], [true, 10001, 'RuntimeDefault']);
    assert.deepEqual(container.securityContext, { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.serviceAccountName, 'live2vod-worker');
  });

  it('gives the worker time to stop ffmpeg and report, and a termination message', () => {
    const { pod, container } = build({ config: { terminationGracePeriodSeconds: 90 } });
    assert.equal(pod.terminationGracePeriodSeconds, 90);
    assert.equal(container.terminationMessagePolicy, 'FallbackToLogsOnError');
    assert.equal(container.env?.find((e) => e.name === 'LIVE2VOD_TERMINATION_MESSAGE_PATH')?.value, container.terminationMessagePath);
  });

  it('inline task: the JSON without its token, the token from the Job\'s Secret', () => {
    const { built, container, env } = build();
    const json = env('LIVE2VOD_TASK')?.value ?? '';
    assert.ok(!json.includes('secret-token'), 'no token in the Job');
    assert.deepEqual(JSON.parse(json).callback, { url: task().callback?.url });
    assert.deepEqual(env('LIVE2VOD_CALLBACK_TOKEN')?.valueFrom, { secretKeyRef: { name: built.name, key: 'callback-token' } });
    assert.deepEqual(container.args, ['worker']);
    const secret = built.secret?.({ name: built.name, uid: 'uid-1' });
    assert.equal(secret?.stringData?.['callback-token'], 'secret-token-abcdefghijkl');
    assert.equal(secret?.stringData?.['task.json'], undefined);
    assert.deepEqual(secret?.metadata?.ownerReferences?.[0], { apiVersion: 'batch/v1', kind: 'Job', name: built.name, uid: 'uid-1', controller: false, blockOwnerDeletion: false });
  });

  it('task by reference: the whole task as a mounted Secret file', () => {
    const { built, pod, container, env } = build({ config: { task: 'secret' } });
    assert.equal(env('LIVE2VOD_TASK'), undefined);
    assert.deepEqual(container.args, ['worker', '--task-file', '/var/run/live2vod/task/task.json']);
    assert.deepEqual(pod.volumes?.find((v) => v.name === 'task')?.secret, { secretName: built.name, defaultMode: 0o440, items: [{ key: 'task.json', path: 'task.json' }] });
    assert.equal(container.volumeMounts?.find((m) => m.name === 'task')?.readOnly, true);
    const secret = built.secret?.();
    assert.deepEqual(JSON.parse(secret?.stringData?.['task.json'] ?? '{}'), task());
  });

  it('never puts storage credentials in plain env: a Secret through envFrom, or the service account (IRSA)', () => {
    const { container } = build({ config: { storageSecret: 'live2vod-storage', serviceAccount: 'transcoder' } });
    assert.deepEqual(container.envFrom, [{ secretRef: { name: 'live2vod-storage' } }]);
    assert.ok(!container.env?.some((e) => /AWS_|SECRET|PASSWORD/.test(e.name)));
    // The fetch policy travels in the task, not beside it.
    assert.ok(!container.env?.some((e) => e.name.startsWith('LIVE2VOD_SOURCE_')));
    const inline = JSON.parse(container.env?.find((e) => e.name === 'LIVE2VOD_TASK')?.value ?? '{}') as { sourceFetch?: { allow?: string[] } };
    assert.deepEqual(inline.sourceFetch?.allow, ['media.internal']);
    assert.equal(build({ config: { serviceAccount: 'transcoder' } }).pod.serviceAccountName, 'transcoder');
  });

  it('adds the Kueue queue label and creates the Job suspended for Kueue to admit', () => {
    const { job, spec } = build({ config: { kueue: { queueName: 'transcode' } } });
    assert.equal(job.metadata?.labels?.['kueue.x-k8s.io/queue-name'], 'transcode');
    assert.equal(spec.suspend, true);
    assert.equal(build().spec.suspend, undefined);
  });

  it('asks the autoscalers to leave a running encode alone', () => {
    const annotations = build().spec.template.metadata?.annotations;
    assert.equal(annotations?.['cluster-autoscaler.kubernetes.io/safe-to-evict'], 'false');
    assert.equal(annotations?.['karpenter.sh/do-not-disrupt'], 'true');
  });

  it('mounts a recordings volume read-only when configured', () => {
    const { pod, container } = build({ config: { recordings: { claimName: 'recordings', mountPath: '/srv/rec' } } });
    assert.deepEqual(pod.volumes?.find((v) => v.name === 'recordings')?.persistentVolumeClaim, { claimName: 'recordings', readOnly: true });
    assert.deepEqual(container.volumeMounts?.find((m) => m.name === 'recordings'), { name: 'recordings', mountPath: '/srv/rec', readOnly: true });
  });

  it('uses pull secrets, pull policy and a node selector when configured', () => {
    const { pod, container } = build({ config: { imagePullSecrets: ['regcred'], imagePullPolicy: 'Always', nodeSelector: { pool: 'transcode' } } });
    assert.deepEqual(pod.imagePullSecrets, [{ name: 'regcred' }]);
    assert.equal(container.imagePullPolicy, 'Always');
    assert.deepEqual(pod.nodeSelector, { pool: 'transcode' });
  });
});
