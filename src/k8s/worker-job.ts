// The batch/v1 Job that runs one attempt of one job: `live2vod worker` in the configured image,
// sized from the recording, placed by priority (spot, GPU), self-cleaning (TTL), with the failure
// policy of failure-policy.ts. Pure: the executor creates what this returns.
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { KubernetesExecutorConfig } from '../config/kubernetes-executor.ts';
import type { Priority } from '../jobs/job.ts';
import type { TranscodeTask } from '../jobs/transcode-task.ts';
import { workerContainerName, workerPodFailurePolicy } from './failure-policy.ts';
import { annotationKeys, labelKeys, workerLabels } from './labels.ts';
import { workerJobName } from './names.ts';
import { usesGpu, workerPlacement } from './placement.ts';
import { containerSecurityContext, podSecurityContext } from './security.ts';
import { bytesQuantity, sizeJob, type JobSizing } from './sizing.ts';
import type { SourceFacts } from '../jobs/source-facts.ts';
import { taskDelivery, taskSecret, type SecretOwner } from './task-delivery.ts';
import { validated } from './validate.ts';

export const scratchMountPath = '/scratch';
/** Where Kubernetes reads the container's termination message from; the worker writes its failure there. */
export const terminationMessagePath = '/dev/termination-log';
const GiB = 1024 ** 3;

export interface WorkerJobInput {
  task: TranscodeTask;
  priority: Priority;
  facts: SourceFacts;
  config: KubernetesExecutorConfig;
  /** Tells this Job from a finished one of the same name left by the job's earlier round (default 0). */
  retryGeneration?: number;
}

export interface WorkerJob {
  name: string;
  job: IJob;
  /** The task as the pod gets it: the GPU variant asks for NVENC. */
  task: TranscodeTask;
  sizing: JobSizing;
  gpu: boolean;
  /** The token Secret to create beside the Job (with the Job as owner), when the Job needs one. */
  secret?: (owner?: SecretOwner) => ISecret;
}

export function buildWorkerJob(input: WorkerJobInput): WorkerJob {
  const { priority, facts, config } = input;
  const gpu = usesGpu(priority, input.task.profile.codec, config);
  // NVENC on GPU nodes; chooseEncoder still falls back to libx264 if the GPU cannot be opened.
  const task: TranscodeTask = gpu ? { ...input.task, profile: { ...input.task.profile, encoder: 'h264_nvenc' } } : input.task;
  const name = workerJobName(task.jobId, task.attempt);
  const labels = workerLabels(config.instance, { jobId: task.jobId, attempt: task.attempt, priority });
  const sizing = sizeJob(facts, config);
  const delivery = taskDelivery(task, config.task, name);
  const placement = workerPlacement(priority, gpu, config);
  const resources = gpu ? config.gpu.resources : config.resources;

  const requirements: IResourceRequirements = {
    // The emptyDir's size plus a margin for logs: the scheduler places the pod on a node with that much disk.
    requests: { cpu: resources.requests.cpu, memory: resources.requests.memory, 'ephemeral-storage': bytesQuantity(sizing.scratchBytes + GiB) },
    limits: {
      memory: resources.limits.memory,
      ...(resources.limits.cpu ? { cpu: resources.limits.cpu } : {}),
      ...(gpu ? { [config.gpu.resourceName]: String(config.gpu.count) } : {}),
    },
  };
  const env: IEnvVar[] = [
    ...delivery.env,
    // The root filesystem is read-only: every temporary file goes to the scratch volume.
    { name: 'TMPDIR', value: scratchMountPath },
    { name: 'LIVE2VOD_TERMINATION_MESSAGE_PATH', value: terminationMessagePath },
    // The NVIDIA runtime exposes NVENC only with the `video` capability.
    ...(gpu ? [{ name: 'NVIDIA_DRIVER_CAPABILITIES', value: 'compute,video,utility' }] : []),
  ];
  const volumes: IVolume[] = [
    { name: 'scratch', emptyDir: { sizeLimit: bytesQuantity(sizing.scratchBytes) } },
    // Docker's default 64 MiB /dev/shm is small for ffmpeg's and Node's shared memory.
    { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: config.shmSize } },
    ...delivery.volumes,
    ...(config.recordings ? [{ name: 'recordings', persistentVolumeClaim: { claimName: config.recordings.claimName, readOnly: true } }] : []),
  ];
  const mounts: IVolumeMount[] = [
    { name: 'scratch', mountPath: scratchMountPath },
    { name: 'dshm', mountPath: '/dev/shm' },
    ...delivery.mounts,
    ...(config.recordings ? [{ name: 'recordings', mountPath: config.recordings.mountPath, readOnly: true }] : []),
  ];

  const job: IJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: config.namespace,
      labels: { ...labels, ...(config.kueue ? { [labelKeys.kueueQueue]: config.kueue.queueName } : {}) },
      annotations: {
        [annotationKeys.jobId]: task.jobId,
        [annotationKeys.durationSeconds]: String(sizing.durationSeconds),
        [annotationKeys.sourceBytes]: String(sizing.sourceBytes),
        [annotationKeys.encoder]: task.profile.encoder ?? 'default',
        [annotationKeys.retryGeneration]: String(input.retryGeneration ?? 0),
      },
    },
    spec: {
      completions: 1,
      parallelism: 1,
      backoffLimit: config.backoffLimit,
      podFailurePolicy: workerPodFailurePolicy(),
      // A replacement pod starts only once the old one has fully terminated: never two encoders
      // writing the same output (required with podFailurePolicy anyway).
      podReplacementPolicy: 'Failed',
      ttlSecondsAfterFinished: config.ttlSecondsAfterFinished,
      activeDeadlineSeconds: sizing.activeDeadlineSeconds,
      // Kueue admits (unsuspends) the Job when its queue has quota.
      ...(config.kueue ? { suspend: true } : {}),
      template: {
        metadata: {
          labels,
          annotations: {
            // A running encode is not moved to save a node: Cluster Autoscaler and Karpenter leave
            // its node alone (spot reclaims still happen, and the failure policy ignores them).
            'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
            'karpenter.sh/do-not-disrupt': 'true',
          },
        },
        spec: {
          restartPolicy: 'Never',
          priorityClassName: config.priorityClasses[priority],
          serviceAccountName: config.serviceAccount,
          // The worker talks to no Kubernetes API; IRSA/workload identity inject their own token.
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: config.terminationGracePeriodSeconds,
          securityContext: podSecurityContext(),
          ...(Object.keys(placement.nodeSelector).length ? { nodeSelector: placement.nodeSelector } : {}),
          ...(placement.tolerations.length ? { tolerations: placement.tolerations } : {}),
          ...(placement.affinity ? { affinity: placement.affinity } : {}),
          ...(config.imagePullSecrets.length ? { imagePullSecrets: config.imagePullSecrets.map((n) => ({ name: n })) } : {}),
          containers: [{
            name: workerContainerName,
            image: config.image,
            imagePullPolicy: config.imagePullPolicy,
            args: delivery.args,
            env,
            ...(config.storageSecret ? { envFrom: [{ secretRef: { name: config.storageSecret } }] } : {}),
            resources: requirements,
            securityContext: containerSecurityContext(),
            volumeMounts: mounts,
            terminationMessagePath,
            // Without a message file, the last log lines (the worker's JSON events) become the message.
            terminationMessagePolicy: 'FallbackToLogsOnError',
          }],
          volumes,
        },
      },
    },
  };

  const result: WorkerJob = { name, job: validated(job), task, sizing, gpu };
  if (delivery.needsSecret) {
    result.secret = (owner) => validated(taskSecret({ name, namespace: config.namespace, labels, task, mode: config.task, ...(owner ? { owner } : {}) }));
  }
  return result;
}
