// Where workers run. The scheduler talks to this interface only; `local` runs child processes,
// `kubernetes` creates batch/v1 Jobs.
import type { Priority } from '../jobs/job.ts';
import type { SourceFacts } from '../jobs/source-facts.ts';
import type { ChunkTask, TranscodeTask } from '../jobs/transcode-task.ts';

/**
 * Why the scheduler stops a worker. `lease-lost`: this control plane no longer holds the job (its
 * lease ran out and another one claimed it): a worker that another control plane can adopt (a
 * Kubernetes Job) is left running and only no longer watched here; a local child process, which
 * nobody else can adopt, is stopped as for any other reason.
 */
export type StopReason = 'cancel' | 'preempt' | 'shutdown' | 'lease-lost';

export interface WorkerExit {
  /** The unit that ended (src/jobs/work-unit.ts): the job id for a whole-recording worker. */
  unit: string;
  jobId: string;
  attempt: number;
  /** The worker's exit code; null when it died by a signal. */
  exitCode: number | null;
  signal: string | null;
  /** Set when the executor stopped it on purpose. */
  stopReason?: StopReason;
  /** The last lines the worker wrote to stderr, for the job's error. */
  stderrTail: string;
  /** For an indexed group: the indexes that did not complete (each had used its retries). */
  failedIndexes?: number[];
}

/** What the scheduler knows about the job beyond the task: Kubernetes sizes and places Jobs by it. */
export interface LaunchContext {
  priority: Priority;
  /** What the intake knew about the recording (duration, size, codecs). */
  facts: SourceFacts;
}

export interface Executor {
  readonly kind: string;
  /** How many workers may run at once. */
  readonly capacity: number;
  /** Keys of the units running here (src/jobs/work-unit.ts): one per worker, or one per indexed group. */
  running(): string[];
  /** Starts one worker for one task; its unit key is `unitKey(task)`. */
  launch(task: TranscodeTask, context?: LaunchContext): Promise<void>;
  /**
   * Where the executor runs indexed batches (a Kubernetes Indexed Job): starts every chunk task of
   * one attempt as one group (key `chunkGroupKey(jobId)`, index i runs `tasks[i]`), each index
   * retried on its own; it ends once, when every index completed or the group gave up
   * (`failedIndexes`). Executors without it get each chunk through `launch`, one slot each.
   */
  launchGroup?(tasks: ChunkTask[], context?: LaunchContext): Promise<void>;
  /** Stops a unit; its exit is reported through onExit with this reason. */
  stop(unit: string, reason: StopReason): Promise<void>;
  /** Called once per worker when it has ended, whatever the cause. */
  onExit(listener: (exit: WorkerExit) => void): void;
  /** Stops every worker and waits for them (shutdown). */
  close(): Promise<void>;
}
