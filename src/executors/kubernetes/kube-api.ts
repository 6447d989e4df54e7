// The few Kubernetes API calls the executor makes, as an interface: the real implementation wraps
// @kubernetes/client-node (client-node-kube-api.ts); tests point that same implementation at an
// in-process fake API server. Objects come back as the fields the executor reads.
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { ObservedJob, ObservedMeta, ObservedPod } from '../../k8s/job-status.ts';

/** A non-2xx answer of the API server. */
export class KubeApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KubeApiError';
    this.status = status;
  }
}

export function isStatus(error: unknown, status: number): boolean {
  return error instanceof KubeApiError && error.status === status;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface JobWatchEvent {
  type: WatchEventType;
  /** A Job, or for ERROR a Status (`code` 410: the resourceVersion is too old, list again). */
  object: ObservedJob & { code?: number; message?: string };
}

export interface JobWatch {
  /** Resolves when the server ends the watch normally; rejects on a connection or HTTP error. */
  readonly done: Promise<void>;
  stop(): void;
}

export interface JobList {
  items: ObservedJob[];
  resourceVersion: string;
}

export interface KubeApi {
  /** Throws KubeApiError 409 when a Job of that name exists. */
  createJob(namespace: string, job: IJob): Promise<ObservedJob>;
  /** undefined when there is no such Job. */
  readJob(namespace: string, name: string): Promise<ObservedJob | undefined>;
  listJobs(namespace: string, labelSelector: string): Promise<JobList>;
  watchJobs(namespace: string, options: { labelSelector: string; resourceVersion: string; timeoutSeconds: number }, onEvent: (event: JobWatchEvent) => void): Promise<JobWatch>;
  /** false when the Job was already gone. */
  deleteJob(namespace: string, name: string, propagationPolicy: 'Background'): Promise<boolean>;
  /** Throws KubeApiError 409 when a Secret of that name exists. */
  createSecret(namespace: string, secret: ISecret): Promise<void>;
  /** The Secret's metadata (its owner above all); undefined when there is no such Secret. */
  readSecret(namespace: string, name: string): Promise<{ metadata?: ObservedMeta | undefined } | undefined>;
  /** false when the Secret was already gone. */
  deleteSecret(namespace: string, name: string): Promise<boolean>;
  listPods(namespace: string, labelSelector: string): Promise<ObservedPod[]>;
}
