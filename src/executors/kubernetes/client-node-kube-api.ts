// KubeApi over @kubernetes/client-node: BatchV1Api and CoreV1Api for requests, Watch for the
// streaming watch. The only file that talks to a real API server.
import { ApiException, BatchV1Api, CoreV1Api, KubeConfig, Watch, type V1Job, type V1Secret } from '@kubernetes/client-node';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { isRecord } from '../../is-record.ts';
import type { ObservedJob } from '../../k8s/job-status.ts';
import { KubeApiError, type JobWatch, type JobWatchEvent, type KubeApi, type WatchEventType } from './kube-api.ts';

const eventTypes = new Set<string>(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** A given file; else client-node's default order: $KUBECONFIG, ~/.kube/config, the in-cluster service account. */
export function loadKubeConfig(file?: string): KubeConfig {
  const config = new KubeConfig();
  if (file) config.loadFromFile(file);
  else config.loadFromDefault();
  return config;
}

function apiError(error: unknown, what: string): unknown {
  if (error instanceof ApiException) return new KubeApiError(error.code, `${what}: HTTP ${error.code}: ${describeBody(error.body)}`, { cause: error });
  return error;
}

function describeBody(body: unknown): string {
  if (typeof body === 'string') {
    try {
      return describeBody(JSON.parse(body));
    } catch {
      return body.slice(0, 500);
    }
  }
  if (body !== null && typeof body === 'object' && 'message' in body && typeof body.message === 'string') return body.message;
  return String(body);
}

async function mapped<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw apiError(error, what);
  }
}

export class ClientNodeKubeApi implements KubeApi {
  readonly #batch: BatchV1Api;
  readonly #core: CoreV1Api;
  readonly #watch: Watch;

  constructor(config: KubeConfig) {
    this.#batch = config.makeApiClient(BatchV1Api);
    this.#core = config.makeApiClient(CoreV1Api);
    this.#watch = new Watch(config);
  }

  createJob(namespace: string, job: IJob): Promise<ObservedJob> {
    // kubernetes-models and client-node type the same JSON differently (timestamps as string vs
    // Date, none of which a new object carries); the object was validated against the schema.
    const body = job as unknown as V1Job;
    return mapped(`create Job ${job.metadata?.name ?? ''}`, () => this.#batch.createNamespacedJob({ namespace, body }));
  }

  async readJob(namespace: string, name: string): Promise<ObservedJob | undefined> {
    try {
      return await this.#batch.readNamespacedJob({ namespace, name });
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw apiError(error, `read Job ${name}`);
    }
  }

  async listJobs(namespace: string, labelSelector: string) {
    const list = await mapped('list Jobs', () => this.#batch.listNamespacedJob({ namespace, labelSelector }));
    return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  async watchJobs(namespace: string, options: { labelSelector: string; resourceVersion: string; timeoutSeconds: number }, onEvent: (event: JobWatchEvent) => void): Promise<JobWatch> {
    let stopped = false;
    let settle!: (error: unknown) => void;
    const done = new Promise<void>((resolve, reject) => {
      settle = (error) => {
        // The client's own inactivity timeout and our stop() are normal ends, not failures.
        if (!error || stopped || (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))) resolve();
        else reject(error instanceof Error ? error : new Error(String(error)));
      };
    });
    // client-node calls the event callback inside a try/catch that drops whatever it throws (meant
    // for bad JSON lines): an error of ours would vanish and the watch go on past an event that was
    // never applied. Instead the watch ends with that error, so the reflector logs it and lists again.
    let failed = false;
    let controller: AbortController | undefined;
    const onLine = (type: string, object: unknown): void => {
      if (failed || !eventTypes.has(type) || !isRecord(object)) return;
      try {
        onEvent({ type: type as WatchEventType, object: object as JobWatchEvent['object'] });
      } catch (error) {
        failed = true;
        settle(error instanceof Error ? error : new Error(String(error)));
        controller?.abort();
      }
    };
    controller = await this.#watch.watch(
      `/apis/batch/v1/namespaces/${encodeURIComponent(namespace)}/jobs`,
      { labelSelector: options.labelSelector, resourceVersion: options.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: options.timeoutSeconds },
      onLine,
      (error: unknown) => settle(error),
    );
    // An event may have failed before the controller was handed back.
    if (failed) controller.abort();
    const ended = controller;
    return {
      done,
      stop() {
        stopped = true;
        ended.abort();
      },
    };
  }

  async deleteJob(namespace: string, name: string, propagationPolicy: 'Background'): Promise<boolean> {
    try {
      await this.#batch.deleteNamespacedJob({ namespace, name, propagationPolicy });
      return true;
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return false;
      throw apiError(error, `delete Job ${name}`);
    }
  }

  async createSecret(namespace: string, secret: ISecret): Promise<void> {
    const body = secret as unknown as V1Secret;
    await mapped(`create Secret ${secret.metadata?.name ?? ''}`, () => this.#core.createNamespacedSecret({ namespace, body }));
  }

  async readSecret(namespace: string, name: string) {
    try {
      // Only the metadata goes on: the executor compares owners and never needs the token.
      const secret = await this.#core.readNamespacedSecret({ namespace, name });
      return { metadata: secret.metadata };
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw apiError(error, `read Secret ${name}`);
    }
  }

  async deleteSecret(namespace: string, name: string): Promise<boolean> {
    try {
      await this.#core.deleteNamespacedSecret({ namespace, name });
      return true;
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return false;
      throw apiError(error, `delete Secret ${name}`);
    }
  }

  async listPods(namespace: string, labelSelector: string) {
    return (await mapped('list Pods', () => this.#core.listNamespacedPod({ namespace, labelSelector }))).items;
  }
}
