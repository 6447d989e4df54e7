// Builds the executor `executor.kind` asks for: local child processes, or Kubernetes Jobs (started:
// existing Jobs listed and reconciled, the watch running) before the scheduler claims anything.
// The Kubernetes side (client-node, ~80 MB resident once loaded) is imported only when configured.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/schema.ts';
import type { Executor } from '../executors/executor.ts';
import { retryGeneration } from '../executors/kubernetes/retry-generation.ts';
import { wantsAttempt } from '../executors/kubernetes/wanted-attempt.ts';
import type { KubernetesExecutorOptions } from '../executors/kubernetes-executor.ts';
import { LocalExecutor } from '../executors/local-executor.ts';
import type { Store } from '../store/store.ts';

export interface ExecutorDeps {
  dataDir: string;
  store: Store;
  log: (level: 'info' | 'warn', message: string, fields?: Record<string, unknown>) => void;
}

/** What the Kubernetes executor asks the store: whether a Job is still wanted, and its retry generation. */
export function kubernetesStoreHooks(store: Store): Pick<KubernetesExecutorOptions, 'isWanted' | 'retryGeneration'> {
  return {
    isWanted: async ({ jobId, attempt }) => wantsAttempt(await store.getJob(jobId), attempt),
    retryGeneration: async ({ jobId, attempt }) => retryGeneration(await store.listAttempts(jobId), attempt),
  };
}

export async function buildExecutor(config: Config, deps: ExecutorDeps): Promise<Executor> {
  const executor = config.executor;
  if (executor.kind === 'local') {
    const local = new LocalExecutor({
      capacity: executor.concurrency,
      taskDir: path.join(deps.dataDir, 'tasks'),
      // In the data dir, not the shared system temp: what a killed serve's workers leave is found here.
      scratchDir: path.join(deps.dataDir, 'tmp'),
      cliPath: fileURLToPath(new URL('../../bin/live2vod', import.meta.url)),
    });
    const swept = await local.sweepScratch();
    if (swept.length > 0) deps.log('info', 'removed the temp directories of workers that ended with an earlier control plane', { dirs: swept });
    return local;
  }
  const [{ ClientNodeKubeApi, loadKubeConfig }, { KubernetesExecutor }] = await Promise.all([
    import('../executors/kubernetes/client-node-kube-api.ts'),
    import('../executors/kubernetes-executor.ts'),
  ]);
  const kubernetes = new KubernetesExecutor({
    api: new ClientNodeKubeApi(loadKubeConfig(executor.kubeconfig)),
    config: executor,
    ...kubernetesStoreHooks(deps.store),
    log: deps.log,
  });
  try {
    await kubernetes.start();
  } catch (error) {
    throw new Error(`the Kubernetes executor cannot list Jobs in namespace ${executor.namespace} (check the kubeconfig or the service account's RBAC): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return kubernetes;
}
