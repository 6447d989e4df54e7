// The pod every worker Job runs, whatever its unit: `live2vod worker` in the configured image with
// the task as task-delivery.ts hands it over, a scratch emptyDir of the unit's size, placed by
// priority (spot, GPU), under the restricted security context. Pure.
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { KubernetesExecutorConfig, ResourcesConfig } from './executor-config.ts';
import type { Priority } from '../jobs/job.ts';
import { workerContainerName } from './failure-policy.ts';
import { workerPlacement } from './placement.ts';
import { containerSecurityContext, podSecurityContext } from './security.ts';
import { bytesQuantity } from './sizing.ts';
import type { TaskDelivery } from './task-delivery.ts';

export const scratchMountPath = '/scratch';
/** Where Kubernetes reads the container's termination message from; the worker writes its failure there. */
export const terminationMessagePath = '/dev/termination-log';
const GiB = 1024 ** 3;

export interface WorkerPodInput {
  labels: Record<string, string>;
  priority: Priority;
  /** On the GPU pool, with the GPU resources. */
  gpu: boolean;
  config: KubernetesExecutorConfig;
  /** The unit's requests and limits (the GPU ones for a GPU pod). */
  resources: ResourcesConfig;
  scratchBytes: number;
  delivery: TaskDelivery;
  /** Beside the delivery's env (e.g. an Indexed Job's chunk ranges). */
  env?: IEnvVar[];
}

export function workerPodTemplate(input: WorkerPodInput): IPodTemplateSpec {
  const { config, gpu, resources, delivery } = input;
  const placement = workerPlacement(input.priority, gpu, config);
  const requirements: IResourceRequirements = {
    // The emptyDir's size plus a margin for logs: the scheduler places the pod on a node with that much disk.
    requests: { cpu: resources.requests.cpu, memory: resources.requests.memory, 'ephemeral-storage': bytesQuantity(input.scratchBytes + GiB) },
    limits: {
      memory: resources.limits.memory,
      ...(resources.limits.cpu ? { cpu: resources.limits.cpu } : {}),
      ...(gpu ? { [config.gpu.resourceName]: String(config.gpu.count) } : {}),
    },
  };
  const env: IEnvVar[] = [
    ...delivery.env,
    ...(input.env ?? []),
    // The root filesystem is read-only: every temporary file goes to the scratch volume.
    { name: 'TMPDIR', value: scratchMountPath },
    { name: 'LIVE2VOD_TERMINATION_MESSAGE_PATH', value: terminationMessagePath },
    // The NVIDIA runtime exposes NVENC only with the `video` capability.
    ...(gpu ? [{ name: 'NVIDIA_DRIVER_CAPABILITIES', value: 'compute,video,utility' }] : []),
  ];
  const volumes: IVolume[] = [
    { name: 'scratch', emptyDir: { sizeLimit: bytesQuantity(input.scratchBytes) } },
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
  return {
    metadata: {
      labels: input.labels,
      annotations: {
        // A running encode is not moved to save a node: Cluster Autoscaler and Karpenter leave
        // its node alone (spot reclaims still happen, and the failure policy ignores them).
        'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
        'karpenter.sh/do-not-disrupt': 'true',
      },
    },
    spec: {
      restartPolicy: 'Never',
      priorityClassName: config.priorityClasses[input.priority],
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
  };
}
