// Runs a worker Job's container the way its pod spec says, as a local process: the container's
// args after the image's entrypoint (`bin/live2vod`), its env with secretKeyRef values resolved
// from the Job's token Secret, and its volumes mapped to temp dirs (scratch, the task Secret's
// files, the termination-message file). No Kubernetes needed; what differs from a pod is only
// where the paths point.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { taskMountDir } from '../../src/k8s/task-delivery.ts';
import type { WorkerJob } from '../../src/k8s/worker-job.ts';
import { scratchMountPath, terminationMessagePath } from '../../src/k8s/worker-pod-template.ts';
import { cliPath } from '../helpers/media.ts';

export interface PodProcess {
  child: ChildProcess;
  /** Where the container's termination message lands. */
  terminationFile: string;
  env: Record<string, string>;
  args: string[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function workerContainer(built: WorkerJob): IContainer {
  const container = built.job.spec?.template.spec?.containers[0];
  if (!container) throw new Error('the Job has no container');
  return container;
}

/** `kubernetesEnv`: what Kubernetes adds to the pod's env itself (an Indexed Job's JOB_COMPLETION_INDEX). */
export async function startPodProcess(built: WorkerJob, dir: string, kubernetesEnv: Record<string, string> = {}): Promise<PodProcess> {
  const container = workerContainer(built);
  const secret = built.secret?.({ name: built.name, uid: 'test-uid' });
  const secretData = secret?.stringData ?? {};
  const mapped = new Map<string, string>([
    [scratchMountPath, path.join(dir, 'scratch')],
    [terminationMessagePath, path.join(dir, 'termination-log')],
    [taskMountDir, path.join(dir, 'task')],
  ]);
  const mapPath = (value: string): string => {
    for (const [from, to] of mapped) if (value === from || value.startsWith(`${from}/`)) return to + value.slice(from.length);
    return value;
  };
  await mkdir(mapped.get(scratchMountPath)!, { recursive: true });
  // The task Secret's volume: each listed key becomes a file under the mount path.
  for (const volume of built.job.spec?.template.spec?.volumes ?? []) {
    if (!volume.secret) continue;
    const mount = container.volumeMounts?.find((m) => m.name === volume.name);
    if (!mount) continue;
    const target = mapPath(mount.mountPath);
    await mkdir(target, { recursive: true });
    for (const item of volume.secret.items ?? []) await writeFile(path.join(target, item.path), secretData[item.key] ?? '', { mode: 0o440 });
  }
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (ref) {
      if (ref.name !== secret?.metadata?.name) throw new Error(`env ${variable.name} refers to Secret ${ref.name}, not the Job's token Secret`);
      const value = secretData[ref.key];
      if (value === undefined) throw new Error(`Secret ${ref.name} has no key ${ref.key}`);
      env[variable.name] = value;
    } else {
      env[variable.name] = mapPath(variable.value ?? '');
    }
  }
  Object.assign(env, kubernetesEnv);
  const args = (container.args ?? []).map(mapPath);
  // Only what a pod would have: the pod's env plus PATH (the image's ffmpeg).
  const child = spawn(process.execPath, [cliPath, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(process.env.LIVE2VOD_FFMPEG ? { LIVE2VOD_FFMPEG: process.env.LIVE2VOD_FFMPEG, LIVE2VOD_FFPROBE: process.env.LIVE2VOD_FFPROBE ?? 'ffprobe' } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, terminationFile: mapped.get(terminationMessagePath)!, env, args, stderr: () => stderr, exited };
}
