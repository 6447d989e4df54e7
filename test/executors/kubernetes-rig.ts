// A KubernetesExecutor wired to the FAKE Kubernetes API (test/k8s/fake-kube-api.ts) through the
// real @kubernetes/client-node, with its exits and log lines recorded. Short watch backoff.
import { defaultSourceFetch } from '../../src/jobs/source-fetch.ts';
import type { TestContext } from 'node:test';
import { kubernetesExecutorSchema, type KubernetesExecutorInput } from '../../src/k8s/executor-config.ts';
import type { WorkerExit } from '../../src/executors/executor.ts';
import { ClientNodeKubeApi } from '../../src/executors/kubernetes/client-node-kube-api.ts';
import { KubernetesExecutor } from '../../src/executors/kubernetes-executor.ts';
import { transcodeProfileSchema, type ChunkTask, type TranscodeTask } from '../../src/jobs/transcode-task.ts';
import { waitFor } from '../helpers/serve.ts';
import type { FakeKubeApi } from '../k8s/fake-kube-api.ts';

export const namespace = 'live2vod';

export interface ExecutorRig {
  executor: KubernetesExecutor;
  exits: WorkerExit[];
  logs: { level: string; message: string; fields: Record<string, unknown> }[];
  waitForExit(jobId: string): Promise<WorkerExit>;
  /** The exit of one unit (src/jobs/work-unit.ts): `<job>/chunks`, `<job>/split`… */
  waitForUnit(unit: string): Promise<WorkerExit>;
}

export function executorConfig(overrides: Partial<KubernetesExecutorInput> = {}) {
  return kubernetesExecutorSchema.parse({ kind: 'kubernetes', image: 'live2vod:test', namespace, concurrency: 4, ...overrides });
}

export interface RigOptions {
  config?: Partial<KubernetesExecutorInput>;
  isWanted?: (ref: { jobId: string; attempt: number; unit: string }) => Promise<boolean>;
  retryGeneration?: (ref: { jobId: string; attempt: number }) => Promise<number>;
  start?: boolean;
}

export async function startExecutor(t: TestContext, fake: FakeKubeApi, options: RigOptions = {}): Promise<ExecutorRig> {
  const exits: WorkerExit[] = [];
  const logs: ExecutorRig['logs'] = [];
  const executor = new KubernetesExecutor({
    api: new ClientNodeKubeApi(fake.kubeConfig()),
    config: executorConfig(options.config),
    log: (level, message, fields = {}) => logs.push({ level, message, fields }),
    watch: { backoff: { baseMs: 20, maxMs: 200 }, timeoutSeconds: 30 },
    goneTimeoutMs: 3000,
    ...(options.isWanted ? { isWanted: options.isWanted } : {}),
    ...(options.retryGeneration ? { retryGeneration: options.retryGeneration } : {}),
  });
  executor.onExit((exit) => exits.push(exit));
  if (options.start !== false) await executor.start();
  t.after(() => executor.close());
  return {
    executor, exits, logs,
    waitForExit: (jobId) => waitFor(`the exit of ${jobId}`, () => exits.find((e) => e.jobId === jobId), { timeoutMs: 5000, intervalMs: 10 }),
    waitForUnit: (unit) => waitFor(`the exit of ${unit}`, () => exits.find((e) => e.unit === unit), { timeoutMs: 5000, intervalMs: 10 }),
  };
}

export function sampleTask(jobId: string, attempt = 1): TranscodeTask {
  return {
    version: 2,
    stage: 'full',
    jobId,
    attempt,
    source: { kind: 's3', bucket: 'recordings', key: `${jobId}.flv` },
    output: `s3://assets/${jobId}`,
    profile: transcodeProfileSchema.parse({}),
    sourceFetch: defaultSourceFetch,
    callback: { url: `http://10.1.2.3:8080/internal/jobs/${jobId}/attempts/${attempt}/events`, token: `token-for-${jobId}-0123456789` },
  };
}

/** The plan id a split reports (a fingerprint; any 16+ characters here). */
export const samplePlan = 'plan-0123456789abcdef';

/** A chunked attempt's task of one stage. */
export function stageTask(jobId: string, stage: 'split' | 'stitch', attempt = 1): TranscodeTask {
  const base = sampleTask(jobId, attempt);
  return stage === 'split' ? { ...base, stage, parallelism: 4 } : { ...base, stage, plan: samplePlan };
}

/** Chunks 0…count−1 of one attempt, `seconds` each: what the scheduler hands launchGroup. */
export function chunkTasks(jobId: string, count: number, seconds = 360, attempt = 1): ChunkTask[] {
  const base = sampleTask(jobId, attempt);
  return Array.from({ length: count }, (_, index) => ({ ...base, stage: 'chunk' as const, plan: samplePlan, chunk: { index, count, startSeconds: index * seconds, endSeconds: (index + 1) * seconds } }));
}

/** Job status as the Job controller writes it at the end. */
export const complete = { succeeded: 1, conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }] };
export const running = { active: 1, ready: 1 };
