// The store: the control plane's only durable state. Two implementations (embedded SQLite, the
// default; PostgreSQL for production/HA) pass one conformance suite (test/store/conformance.ts).
// The control plane is the only writer; workers never see the store.
import type { JobEventSummary } from '../jobs/event-summary.ts';
import type { Attempt, AttemptOutcome, Job, JobError, JobEvent, JobState, NewJob, Priority, SourceKind } from '../jobs/job.ts';

export interface JobFilter {
  states?: readonly JobState[];
  priorities?: readonly Priority[];
  sourceKinds?: readonly SourceKind[];
  /** true: only uploads (jobs whose metadata names an `upload`); false: none of them. */
  uploads?: boolean;
  /** Only the clip jobs of this parent (its clips and its trimmed asset). */
  parentJobId?: string | undefined;
  /** Newest first; `before` is the `seq` cursor of the previous page's last item. */
  before?: number | undefined;
  limit: number;
}

export interface JobPage {
  items: Job[];
  /** Pass as `before` for the next page; absent on the last page. */
  nextCursor?: number;
}

export interface ClaimOptions {
  owner: string;
  now: Date;
  leaseMs: number;
  /** Only a job of at least this priority (the scheduler has waiting work of its own at this one). */
  minPriority?: Priority;
}

/** How an attempt ended, as decided by the scheduler. */
export type AttemptResult =
  /** `event`: what the asset's encode found of the event inside the recording, kept for the job's view. */
  | { state: 'succeeded'; event?: JobEventSummary }
  | { state: 'failed'; error: JobError }
  | { state: 'cancelled'; reason: string }
  /** Back to the queue: a retry (counts) or a preemption/interruption (does not count). */
  | { state: 'queued'; outcome: Extract<AttemptOutcome, 'failed' | 'preempted' | 'interrupted'>; reason: string; runAfter: Date; error?: JobError };

export interface DeliveryRecord {
  id: number;
  endpoint: string;
  eventType: string;
  /** The exact JSON body that is signed and sent. */
  payload: string;
  /** Standard Webhooks message id: the same across retries of one delivery. */
  messageId: string;
  attempts: number;
  state: 'pending' | 'delivered' | 'failed';
  nextAttemptAt: string;
  lastStatus?: number;
  lastError?: string;
  createdAt: string;
  deliveredAt?: string;
}

export interface Store {
  /** Applies pending migrations; running it twice changes nothing. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** Inserts unless a job with the same idempotency key exists; then returns that one. */
  createJob(input: NewJob, now: Date): Promise<{ job: Job; created: boolean }>;
  getJob(id: string): Promise<Job | undefined>;
  listJobs(filter: JobFilter): Promise<JobPage>;
  /** Queued jobs per priority and running jobs: the metrics' queue depth. */
  countByStateAndPriority(): Promise<{ state: JobState; priority: Priority; count: number }[]>;

  /**
   * Atomically takes the next runnable job (queued, runAfter ≤ now; highest priority first, FIFO
   * within one), marks it running under a lease and opens a new attempt. Two control planes never
   * claim the same job.
   */
  claimNext(options: ClaimOptions): Promise<Job | undefined>;
  /** Extends the lease; false when the job is no longer ours (cancelled, reclaimed). */
  renewLease(jobId: string, owner: string, until: Date): Promise<boolean>;
  /**
   * Running jobs whose lease ran out (their control plane died) go back to the queue; the attempt
   * does not count. `leasesBefore` (default `now`) moves the cutoff: a single-node store after a
   * restart passes a far future, since nothing else can be running its jobs.
   */
  requeueExpired(now: Date, options?: { leasesBefore?: Date }): Promise<Job[]>;
  /** Ends the running attempt of a job this owner holds and moves the job accordingly. */
  finishAttempt(jobId: string, owner: string, result: AttemptResult, now: Date): Promise<Job | undefined>;

  setProgress(jobId: string, progress: number, now: Date): Promise<void>;
  markPlayable(jobId: string, now: Date): Promise<Job | undefined>;
  /** Queued jobs are cancelled at once; running ones get cancelRequested for the scheduler. */
  requestCancel(jobId: string, now: Date): Promise<Job | undefined>;
  /** Only while queued; returns undefined when the job is not queued. */
  setPriority(jobId: string, priority: Priority, now: Date): Promise<Job | undefined>;
  /** Replaces a succeeded job's event summary (its chapters were edited); undefined when the job is unknown or not succeeded. */
  setEventSummary(jobId: string, summary: JobEventSummary, now: Date): Promise<Job | undefined>;
  /** A failed or cancelled job goes back to the queue with a fresh attempt budget. */
  retry(jobId: string, now: Date): Promise<Job | undefined>;

  listAttempts(jobId: string): Promise<Attempt[]>;
  appendEvent(jobId: string, type: string, data: Record<string, unknown>, now: Date): Promise<JobEvent>;
  listEvents(jobId: string, afterId?: number): Promise<JobEvent[]>;

  enqueueDelivery(delivery: { endpoint: string; eventType: string; payload: string; messageId: string }, now: Date): Promise<DeliveryRecord>;
  /** Pending deliveries due now, oldest first, up to `limit`. */
  dueDeliveries(now: Date, limit: number): Promise<DeliveryRecord[]>;
  recordDeliveryAttempt(id: number, outcome: { delivered: boolean; status?: number; error?: string; nextAttemptAt?: Date; giveUp?: boolean }, now: Date): Promise<void>;
  listDeliveries(limit: number): Promise<DeliveryRecord[]>;
}
