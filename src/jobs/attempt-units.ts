// The units of one running attempt, and what comes next. An attempt is one whole-recording unit,
// or — chunked across workers — a split first; the split's `chunks` event names the chunks, which
// become one unit each (or one indexed group) while the split goes on with the audio; when the
// split and every chunk are done, the stitch. A unit taken away by preemption waits again without using a try; a unit failing for a
// retryable reason is tried again alone (up to `unitTries`); anything else ends the attempt, which
// the scheduler settles once none of its units runs any more. Pure: the scheduler launches, stops
// and settles; this only keeps the books.
import type { WorkerExit } from '../executors/executor.ts';
import { describeFailure, type ReportedFailure } from './retry-policy.ts';
import type { ChunkTask, ClipTask, FullTask, StitchTask, TranscodeTask } from './transcode-task.ts';
import { chunkGroupKey, unitKey, unitKeyOf } from './work-unit.ts';
import type { ChunkLayout, ChunkState, WorkerReport } from './worker-report.ts';

/** Tries per unit of a chunked attempt before the attempt itself fails (and the job's retry policy decides). */
export const unitTries = 3;

/** Share of the progress bar the chunks fill; the stitch fills the rest. */
const encodeShare = 0.95;

export type Launchable = { key: string; task: TranscodeTask } | { key: string; group: ChunkTask[] };

export interface ChunkChange {
  index: number;
  count: number;
  state: ChunkState;
  startSeconds: number;
  endSeconds: number;
}

/** How the attempt ends: the exit the job's retry policy reads, and the failure a worker reported. */
export interface Ending {
  exit: WorkerExit;
  failure?: ReportedFailure | undefined;
}

export interface AttemptProgress {
  progress: number;
  speed?: number;
  etaSeconds?: number;
}

interface Unit {
  key: string;
  /** The task's stage, or `group` for all chunks run as one indexed group. */
  stage: TranscodeTask['stage'] | 'group';
  launch: Launchable;
  state: 'waiting' | 'running' | 'done';
  tries: number;
  failure?: ReportedFailure | undefined;
  /** Chunk indexes this unit encodes (one, or a group's). */
  chunks: number[];
}

interface ChunkBook {
  startSeconds: number;
  endSeconds: number;
  /** Seconds of it encoded so far. */
  encoded: number;
  state: ChunkState | 'waiting';
}

export class AttemptUnits {
  readonly #jobId: string;
  /** The whole-recording task the stages of a chunked attempt are made from; none for a clip. */
  readonly #base: FullTask | undefined;
  readonly #groups: boolean;
  readonly #units = new Map<string, Unit>();
  readonly #chunks: ChunkBook[] = [];
  /**
   * What the split said, undefined until it has: its layout; 'whole' (too short to cut: the whole
   * recording in a unit of its own once the split has exited); or 'whole-here' (too short, and the
   * split encodes it whole itself — wholeHere, its `plan` report says so — so from then on it is the
   * whole recording's unit, with a full unit's rules).
   */
  #split: ChunkLayout | 'whole' | 'whole-here' | undefined;
  #ending: Ending | undefined;
  #encodeStart: { at: number; encoded: number } | undefined;

  /**
   * `split`: start with a split for this many workers (else the whole recording in one unit); with
   * `wholeHere`, a split that finds the recording too short encodes it whole itself.
   * `groups`: the executor runs all chunks as one indexed group. A clip is one unit, never split.
   */
  constructor(base: FullTask | ClipTask, options: { split?: { parallelism: number; wholeHere?: true }; groups: boolean }) {
    this.#jobId = base.jobId;
    this.#base = base.stage === 'full' ? base : undefined;
    this.#groups = options.groups;
    if (base.stage === 'clip') this.#add(base);
    else if (options.split) {
      const { parallelism: _whole, ...common } = base;
      const wholeHere = options.split.wholeHere ? { wholeHere: base.parallelism === undefined ? {} : { parallelism: base.parallelism } } : {};
      this.#add({ ...common, stage: 'split', parallelism: options.split.parallelism, ...wholeHere });
    } else this.#add(base);
  }

  get ending(): Ending | undefined {
    return this.#ending;
  }

  /** Whether this attempt was cut into chunks (its progress comes from them). */
  get chunked(): boolean {
    return this.#chunks.length > 0;
  }

  /** The next unit to start: in the order they were added (the audio before the chunks, so playback starts early). */
  next(): Launchable | undefined {
    if (this.#ending) return undefined;
    for (const unit of this.#units.values()) if (unit.state === 'waiting') return unit.launch;
    return undefined;
  }

  /** Keys of the units running now. */
  running(): string[] {
    return [...this.#units.values()].filter((u) => u.state === 'running').map((u) => u.key);
  }

  /** A unit was launched. Returns the chunk states that changed. */
  started(key: string): ChunkChange[] {
    const unit = this.#units.get(key);
    if (!unit) return [];
    unit.state = 'running';
    unit.tries += 1;
    unit.failure = undefined;
    // A group's indexes start when Kubernetes schedules them: their own reports say so.
    return unit.stage === 'group' ? [] : this.#chunkChanges(unit.chunks, 'running');
  }

  /** A launch failed before the unit ran: it waits again. */
  notStarted(key: string): void {
    const unit = this.#units.get(key);
    if (unit?.state !== 'running') return;
    unit.state = 'waiting';
    unit.tries -= 1;
  }

  /** Keeps what a report tells about its unit; returns the chunk states that changed. */
  onReport(unitName: string, report: WorkerReport, nowMs: number): ChunkChange[] {
    const key = unitKeyOf(this.#jobId, unitName);
    const owner = this.#owningUnit(key);
    if (!owner) return [];
    switch (report.type) {
      case 'failed':
        owner.failure = { message: report.message, exitCode: report.exitCode, retryable: report.retryable, ...(report.stderrTail ? { stderrTail: report.stderrTail } : {}), ...(report.command ? { command: report.command } : {}) };
        return [];
      case 'chunks':
        return owner.stage === 'split' ? this.#laidOut(report, nowMs) : [];
      case 'done':
        if (owner.stage === 'split') return report.chunks ? this.#laidOut(report.chunks, nowMs) : this.#whole(report.manifest !== undefined);
        // One index of a group finished: the group ends only when all have.
        if (owner.key !== key) return this.#chunkChanges([indexOf(unitName)], 'done', { encodedAll: true });
        return [];
      case 'plan':
        // Only a whole encode plans (a split's plan is in its layout): a wholeHere split has begun one.
        if (owner.stage === 'split' && this.#split === undefined) this.#split = 'whole-here';
        return [];
      case 'progress': {
        if (!unitName.startsWith('chunk-')) return [];
        const index = indexOf(unitName);
        const book = this.#chunks[index];
        if (book) book.encoded = Math.min(1, report.percent / 100) * (book.endSeconds - book.startSeconds);
        // The first word from an index of a group: it runs.
        return owner.key !== key && book?.state === 'waiting' ? this.#chunkChanges([index], 'running') : [];
      }
      default:
        return [];
    }
  }

  /** The job's progress from its chunks, with speed (seconds of recording per second) and ETA. */
  progress(nowMs: number): AttemptProgress | undefined {
    if (!this.chunked) return undefined;
    const total = this.#chunks.reduce((sum, c) => sum + (c.endSeconds - c.startSeconds), 0);
    const encoded = this.#chunks.reduce((sum, c) => sum + c.encoded, 0);
    const result: AttemptProgress = { progress: total > 0 ? (encoded / total) * encodeShare : 0 };
    const start = this.#encodeStart;
    if (start && nowMs - start.at > 500 && encoded > start.encoded) {
      result.speed = (encoded - start.encoded) / ((nowMs - start.at) / 1000);
      result.etaSeconds = Math.max(0, (total - encoded) / result.speed);
    }
    return result;
  }

  /** A unit ended. Returns the chunk states that changed; `ending` says whether the attempt is over. */
  onExit(exit: WorkerExit): ChunkChange[] {
    const unit = this.#units.get(exit.unit);
    if (!unit || unit.state !== 'running') return [];
    unit.state = 'waiting';
    if (this.#ending) return [];
    const whole = this.#isWholeRecording(unit);
    const group = unit.stage === 'group';
    if (exit.stopReason === 'preempt' && !whole && !group) {
      // Taken for an urgent job: it runs again later, without using a try.
      unit.tries -= 1;
      return this.#chunkChanges(unit.chunks, 'retrying');
    }
    if (exit.stopReason) return this.#end({ exit }, unit);
    if (exit.exitCode === 0) return this.#succeeded(unit, exit);
    const retryable = describeFailure(exit, unit.failure).retryable;
    if (retryable && !whole && !group && unit.tries < unitTries) return this.#chunkChanges(unit.chunks, 'retrying');
    return this.#end({ exit, ...(unit.failure ? { failure: unit.failure } : {}) }, unit, 'failed');
  }

  /** Ends the attempt now (the scheduler stops what still runs). */
  end(ending: Ending): void {
    this.#ending ??= ending;
  }

  #succeeded(unit: Unit, exit: WorkerExit): ChunkChange[] {
    unit.state = 'done';
    if (unit.stage === 'stitch' || this.#isWholeRecording(unit)) return this.#end({ exit }, unit);
    if (unit.stage === 'split' && this.#split === undefined) {
      // Its reports never arrived (lost on the way): a new split costs seconds.
      return this.#end({ exit: { ...exit, exitCode: 1 }, failure: { message: 'the split stage ended without reporting its chunks (its reports were lost on the way); splitting again', exitCode: 1, retryable: true } });
    }
    if (unit.stage === 'split' && this.#split === 'whole' && this.#base) {
      this.#add(this.#base);
      return [];
    }
    const changes = unit.stage === 'split' ? [] : this.#chunkChanges(unit.chunks, 'done', { encodedAll: true });
    this.#stitchWhenDone();
    return changes;
  }

  /** The split cut the recording: a unit per chunk (or one group), skipping what an earlier attempt finished. Said once. */
  #laidOut(layout: ChunkLayout, nowMs: number): ChunkChange[] {
    if (this.#split !== undefined || !this.#base) return [];
    this.#split = layout;
    const finished = new Set(layout.finished);
    layout.ranges.forEach((range, index) => this.#chunks.push({ ...range, encoded: finished.has(index) ? range.endSeconds - range.startSeconds : 0, state: 'waiting' }));
    const { parallelism: _whole, ...common } = this.#base;
    const todo: ChunkTask[] = layout.ranges.flatMap((range, index) => (finished.has(index) ? [] : [{ ...common, stage: 'chunk', plan: layout.plan, chunk: { index, count: layout.ranges.length, ...range } } satisfies ChunkTask]));
    if (this.#groups && todo.length > 0) this.#addGroup(todo);
    else for (const task of todo) this.#add(task);
    this.#encodeStart = { at: nowMs, encoded: this.#chunks.reduce((sum, c) => sum + c.encoded, 0) };
    const changes = this.#chunkChanges([...finished], 'done');
    this.#stitchWhenDone();
    return changes;
  }

  /**
   * Too short to cut: the whole recording in one unit, once the split has exited (#succeeded);
   * none when the split made the asset itself (a `done` that names it, also without its `plan`).
   * After a layout, such a `done` changes nothing: the chunks and the stitch make the asset.
   */
  #whole(madeAsset: boolean): ChunkChange[] {
    if (typeof this.#split !== 'object') this.#split = madeAsset ? 'whole-here' : (this.#split ?? 'whole');
    return [];
  }

  /** A unit that makes the asset from the whole recording: a full encode, a clip, or a split encoding it whole itself. */
  #isWholeRecording(unit: Unit): boolean {
    return unit.stage === 'full' || unit.stage === 'clip' || (unit.stage === 'split' && this.#split === 'whole-here');
  }

  /** Once the split (with its audio) and every chunk are done. */
  #stitchWhenDone(): void {
    if (typeof this.#split !== 'object') return;
    if ([...this.#units.values()].every((u) => u.state === 'done')) this.#addStitch();
  }

  #addStitch(): void {
    const plan = typeof this.#split === 'object' ? this.#split.plan : undefined;
    if (!plan || !this.#base) return;
    const { parallelism: _whole, ...common } = this.#base;
    this.#add({ ...common, stage: 'stitch', plan } satisfies StitchTask);
  }

  #end(ending: Ending, unit?: Unit, chunkState?: ChunkState): ChunkChange[] {
    this.#ending ??= ending;
    return unit && chunkState ? this.#chunkChanges(unit.chunks, chunkState) : [];
  }

  #add(task: TranscodeTask): void {
    const key = unitKey(task);
    this.#units.set(key, { key, stage: task.stage, launch: { key, task }, state: 'waiting', tries: 0, chunks: task.stage === 'chunk' ? [task.chunk.index] : [] });
  }

  #addGroup(tasks: ChunkTask[]): void {
    const key = chunkGroupKey(this.#jobId);
    this.#units.set(key, { key, stage: 'group', launch: { key, group: tasks }, state: 'waiting', tries: 0, chunks: tasks.map((t) => t.chunk.index) });
  }

  /** The unit a report's key belongs to: itself, or the group that runs that chunk. */
  #owningUnit(key: string): Unit | undefined {
    const own = this.#units.get(key);
    if (own) return own;
    return this.#units.get(chunkGroupKey(this.#jobId));
  }

  #chunkChanges(indexes: number[], state: ChunkState, options: { encodedAll?: boolean } = {}): ChunkChange[] {
    return indexes.flatMap((index) => {
      const book = this.#chunks[index];
      // A finished chunk stays finished (a group's exit repeats, or fails beside, what its indexes reported).
      if (!book || book.state === 'done') return [];
      if (options.encodedAll) book.encoded = book.endSeconds - book.startSeconds;
      if (state === 'retrying') book.encoded = 0;
      book.state = state;
      return [{ index, count: this.#chunks.length, state, startSeconds: book.startSeconds, endSeconds: book.endSeconds }];
    });
  }
}

function indexOf(unitName: string): number {
  return Number(unitName.slice('chunk-'.length));
}
