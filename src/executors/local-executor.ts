// Runs each TranscodeTask as a `live2vod worker` child process on this machine. A crash of ffmpeg
// or the worker never takes the service down; stopping kills the worker's whole process group.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TranscodeTask } from '../jobs/transcode-task.ts';
import { unitKey } from '../jobs/work-unit.ts';
import { listingDir, listingDirVariable } from '../ffmpeg/listing-cache.ts';
import { StderrTail } from '../ffmpeg/stderr-tail.ts';
import { makeScratch } from '../pipeline/scratch.ts';
import type { Executor, StopReason, WorkerExit } from './executor.ts';

export interface LocalExecutorOptions {
  capacity: number;
  /** Where task files are written for workers to read. */
  taskDir: string;
  /** The CLI entry to start: `bin/live2vod`. */
  cliPath: string;
  /**
   * Parent of the workers' own temp directories (default: the system temp directory). With one
   * given (serve: `<data>/tmp`), sweepScratch() removes what workers of a killed control plane left.
   */
  scratchDir?: string | undefined;
  /** Time a worker gets between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  env?: NodeJS.ProcessEnv;
}

const workerTmpPrefix = 'live2vod-worker-';
const workerPidFile = '.worker-pid';
/** The control plane that made the directory: written before the worker starts, so a directory is never without an owner. */
const ownerPidFile = '.owner-pid';

async function readPid(file: string): Promise<number> {
  const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) ? pid : 0;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie answers signal 0 too: a worker whose control plane was killed is reparented, and a
  // container's pid 1 may reap it late or never. Linux says so in /proc; elsewhere trust the signal.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

interface Running {
  child: ChildProcess;
  task: TranscodeTask;
  stopReason?: StopReason;
  exited: Promise<void>;
}

export class LocalExecutor implements Executor {
  readonly kind = 'local';
  readonly capacity: number;
  readonly #options: LocalExecutorOptions;
  readonly #running = new Map<string, Running>();
  readonly #listeners: ((exit: WorkerExit) => void)[] = [];

  constructor(options: LocalExecutorOptions) {
    this.capacity = options.capacity;
    this.#options = options;
  }

  /**
   * Removes worker temp directories whose worker is gone: those of a control plane that was killed
   * (kill -9, OOM) while its workers ran, as the executor that made them can no longer remove them.
   * A directory whose worker still runs (another serve on this data dir, or an orphan still
   * stopping) is kept; one with no pid file yet is kept for a minute (a launch in progress).
   */
  async sweepScratch(): Promise<string[]> {
    const parent = this.#options.scratchDir;
    if (parent === undefined) return [];
    const names = await readdir(parent).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const name of names.filter((n) => n.startsWith(workerTmpPrefix))) {
      const dir = path.join(parent, name);
      const pid = await readPid(path.join(dir, workerPidFile));
      const owner = await readPid(path.join(dir, ownerPidFile));
      // The worker's own pid when it was written; else (its control plane died between the spawn
      // and that write) the control plane's: a worker outliving it stops on its own.
      const gone = pid > 0 ? !isRunning(pid)
        : owner > 0 ? owner !== process.pid && !isRunning(owner)
        : Date.now() - (await stat(dir).then((s) => s.mtimeMs, () => 0)) > 60_000;
      if (!gone) continue;
      await rm(dir, { recursive: true, force: true });
      removed.push(dir);
    }
    return removed;
  }

  running(): string[] {
    return [...this.#running.keys()];
  }

  onExit(listener: (exit: WorkerExit) => void): void {
    this.#listeners.push(listener);
  }

  async launch(task: TranscodeTask): Promise<void> {
    const unit = unitKey(task);
    if (this.#running.has(unit)) throw new Error(`${unit} is already running here`);
    if (this.#running.size >= this.capacity) throw new Error('no free worker slot');
    await mkdir(this.#options.taskDir, { recursive: true });
    const taskFile = path.join(this.#options.taskDir, `${unit.replace('/', '.')}.${task.attempt}.json`);
    // The task carries the callback token: readable by this user only.
    await writeFile(taskFile, JSON.stringify(task), { mode: 0o600 });
    // The worker's own temp directory, removed when it exits: what a worker killed before it could
    // clean up (SIGKILL after the grace, a crash) leaves goes with it. Node's compile cache and
    // ffmpeg's listings stay in the shared temp directory, warm for every worker.
    const workerTmp = await makeScratch(this.#options.scratchDir, workerTmpPrefix);
    await writeFile(path.join(workerTmp, ownerPidFile), String(process.pid));
    const env = { ...process.env, ...this.#options.env };
    const child = spawn(process.execPath, [this.#options.cliPath, 'worker', '--task-file', taskFile], {
      // Its own process group, so a stop reaches ffmpeg too; an IPC channel, so the worker
      // notices when this process dies and stops instead of running on unsupervised.
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...env, TMPDIR: workerTmp, NODE_COMPILE_CACHE: env.NODE_COMPILE_CACHE ?? path.join(os.tmpdir(), 'node-compile-cache'), [listingDirVariable]: listingDir(env) },
    });
    // Whose directory this is, for sweepScratch() after a control plane that could not remove it.
    if (child.pid !== undefined) void writeFile(path.join(workerTmp, workerPidFile), String(child.pid)).catch(() => undefined);
    const stderr = new StderrTail(16_384);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
    const exited = new Promise<void>((resolve) => {
      const finish = async (exitCode: number | null, signal: string | null): Promise<void> => {
        const entry = this.#running.get(unit);
        this.#running.delete(unit);
        await Promise.all([rm(taskFile, { force: true }), rm(workerTmp, { recursive: true, force: true })]).catch(() => undefined);
        const exit: WorkerExit = { unit, jobId: task.jobId, attempt: task.attempt, exitCode, signal, stderrTail: stderr.lines(20) };
        if (entry?.stopReason) exit.stopReason = entry.stopReason;
        for (const listener of this.#listeners) listener(exit);
        resolve();
      };
      child.once('error', (error) => {
        stderr.push(`could not start the worker: ${error.message}`);
        void finish(null, null);
      });
      child.once('exit', (code, signal) => void finish(code, signal));
    });
    this.#running.set(unit, { child, task, exited });
  }

  async stop(unit: string, reason: StopReason): Promise<void> {
    const entry = this.#running.get(unit);
    if (!entry) return;
    // Stopping already: a second SIGTERM would kill the worker before it cleans up (it handles one).
    if (entry.stopReason) return entry.exited;
    entry.stopReason = reason;
    this.#signalGroup(entry.child, 'SIGTERM');
    const timer = setTimeout(() => this.#signalGroup(entry.child, 'SIGKILL'), this.#options.killGraceMs ?? 5000);
    await entry.exited;
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await Promise.all(this.running().map((id) => this.stop(id, 'shutdown')));
  }

  #signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  }
}
