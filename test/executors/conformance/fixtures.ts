// What the Executor conformance suite needs from each implementation's factory, and the tasks it
// launches. An implementation plays its workers through the harness: a local child process exits,
// a Kubernetes Job completes or fails.
import { defaultSourceFetch } from '../../../src/jobs/source-fetch.ts';
import { transcodeProfileSchema, type ChunkTask, type TranscodeTask } from '../../../src/jobs/transcode-task.ts';
import type { Executor, WorkerExit } from '../../../src/executors/executor.ts';
import { waitFor } from '../../helpers/serve.ts';

export interface ExecutorUnderTest {
  executor: Executor;
  /** Resolves once the worker of `unit` runs (a local process has set up its signal handling). */
  started(unit: string): Promise<void>;
  /** The worker of `unit` ends by itself with this exit code, as a finished or failed worker does. */
  finish(unit: string, exitCode: number): Promise<void>;
  /** How often the executor asked the worker of `unit` to stop: a SIGTERM to its processes, a delete of its Job. */
  stopRequests(unit: string): number;
  cleanup(): Promise<void>;
}

export type ExecutorFactory = (options: { capacity: number }) => Promise<ExecutorUnderTest>;

/** The executor under test with every exit it reported, in order. */
export interface Suite {
  current(): ExecutorUnderTest;
  exits(): WorkerExit[];
  /** The exit of `unit`, once it has come. */
  exitOf(unit: string): Promise<WorkerExit>;
}

export const capacity = 3;

let jobs = 0;

/** A job id of its own for each test (UUID-like: no slash, DNS-safe). */
export function newJobId(): string {
  return `conf-${process.pid}-${++jobs}`;
}

const profile = transcodeProfileSchema.parse({});

export function fullTask(jobId: string, attempt = 1): TranscodeTask {
  return {
    version: 2, stage: 'full', jobId, attempt,
    source: { kind: 's3', bucket: 'recordings', key: `${jobId}.flv` },
    output: `s3://assets/${jobId}`,
    profile,
    sourceFetch: defaultSourceFetch,
    callback: { url: `http://127.0.0.1:9/internal/jobs/${jobId}/attempts/${attempt}/events`, token: `token-for-${jobId}-0123456789` },
  };
}

const plan = 'plan-0123456789abcdef';

export function stageTask(jobId: string, stage: 'split' | 'stitch', attempt = 1): TranscodeTask {
  const base = fullTask(jobId, attempt);
  return stage === 'split' ? { ...base, stage, parallelism: 2 } : { ...base, stage, plan };
}

export function chunkTasks(jobId: string, count: number, attempt = 1): ChunkTask[] {
  const base = fullTask(jobId, attempt);
  return Array.from({ length: count }, (_, index) => ({ ...base, stage: 'chunk' as const, plan, chunk: { index, count, startSeconds: index * 60, endSeconds: (index + 1) * 60 } }));
}

export function waitForExit(exits: () => WorkerExit[], unit: string): Promise<WorkerExit> {
  return waitFor(`the exit of ${unit}`, () => exits().find((exit) => exit.unit === unit), { timeoutMs: 10_000, intervalMs: 5 });
}
