// How a TranscodeTask reaches the worker pod. The callback token always comes from a per-Job
// Secret (never a plain env value in the Job spec):
//   inline — LIVE2VOD_TASK holds the task without its token (readable with `kubectl get job`),
//            LIVE2VOD_CALLBACK_TOKEN comes from the Secret through secretKeyRef;
//   secret — the whole task is a file of the Secret, mounted read-only and passed as --task-file
//            (for tasks that should not be readable in the Job, e.g. presigned source URLs).
// The Secret carries an ownerReference to its Job, so the Job's TTL removes it too. Pure.
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { TranscodeTask } from '../jobs/transcode-task.ts';

export type TaskMode = 'inline' | 'secret';

export const taskSecretKeys = { token: 'callback-token', task: 'task.json' } as const;
export const taskMountDir = '/var/run/live2vod/task';
export const taskVolumeName = 'task';

export interface TaskDelivery {
  args: string[];
  env: IEnvVar[];
  volumes: IVolume[];
  mounts: IVolumeMount[];
  /** Whether the Job needs its token Secret. */
  needsSecret: boolean;
}

export function taskDelivery(task: TranscodeTask, mode: TaskMode, secretName: string): TaskDelivery {
  if (mode === 'secret') {
    return {
      args: ['worker', '--task-file', `${taskMountDir}/${taskSecretKeys.task}`],
      env: [],
      // 0440: readable by the pod's fsGroup only.
      volumes: [{ name: taskVolumeName, secret: { secretName, defaultMode: 0o440, items: [{ key: taskSecretKeys.task, path: taskSecretKeys.task }] } }],
      mounts: [{ name: taskVolumeName, mountPath: taskMountDir, readOnly: true }],
      needsSecret: true,
    };
  }
  const { callback, ...rest } = task;
  const env: IEnvVar[] = [{ name: 'LIVE2VOD_TASK', value: JSON.stringify(callback ? { ...rest, callback: { url: callback.url } } : rest) }];
  if (callback) env.push({ name: 'LIVE2VOD_CALLBACK_TOKEN', valueFrom: { secretKeyRef: { name: secretName, key: taskSecretKeys.token } } });
  return { args: ['worker'], env, volumes: [], mounts: [], needsSecret: callback !== undefined };
}

export interface SecretOwner {
  name: string;
  uid: string;
}

/** The per-Job Secret: the callback token, and in `secret` mode the whole task. */
export function taskSecret(options: { name: string; namespace: string; labels: Record<string, string>; task: TranscodeTask; mode: TaskMode; owner?: SecretOwner }): ISecret {
  const { name, namespace, labels, task, mode, owner } = options;
  const stringData: Record<string, string> = {};
  if (task.callback) stringData[taskSecretKeys.token] = task.callback.token;
  if (mode === 'secret') stringData[taskSecretKeys.task] = JSON.stringify(task);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace,
      labels,
      ...(owner ? { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: owner.name, uid: owner.uid, controller: false, blockOwnerDeletion: false }] } : {}),
    },
    type: 'Opaque',
    immutable: true,
    stringData,
  };
}
