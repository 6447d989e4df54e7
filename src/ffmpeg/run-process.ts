// The only place that starts ffmpeg/ffprobe. Argument arrays only (never a shell); stops children
// terminate → wait → kill; failures carry the command line and the tail of stderr.
import { spawn } from 'node:child_process';
import { CancelledError, EnvironmentError, FfmpegError, type Live2vodError } from '../errors/index.ts';
import { classifyFailure, type FailureStage } from './classify-failure.ts';
import { recordChildExit } from './process-cpu.ts';
import { ProgressParser, type FfmpegProgress } from './progress.ts';
import { StderrTail } from './stderr-tail.ts';

export interface RunOptions {
  /** Program first, then its arguments. */
  command: readonly string[];
  stage: FailureStage;
  /** What the CPU time is booked to in a job's cost, when it is not `stage` (e.g. `measure`). */
  costStage?: string;
  /** Set when the command carries `-progress pipe:1`: stdout is then parsed as progress. */
  onProgress?: (progress: FfmpegProgress) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL when stopping. */
  killGraceMs?: number;
  /** Working directory: commands name their scratch outputs relative to it, which keeps paths out of filter strings. */
  cwd?: string;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  durationMs: number;
  /** User + system CPU seconds of the process; absent where they cannot be measured (no /proc). */
  cpuSeconds?: number;
}

/** Renders a command copy-pasteably for logs and `--dry-run`. */
export function formatCommand(command: readonly string[]): string {
  return command.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)).join(' ');
}

export function runProcess(options: RunOptions): Promise<RunResult> {
  const [program, ...args] = options.command;
  if (program === undefined) throw new Error('runProcess needs a program');
  if (options.signal?.aborted) return Promise.reject(new CancelledError());
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: options.cwd });
    const stderr = new StderrTail(64 * 1024);
    const progress = options.onProgress ? new ProgressParser() : undefined;
    let stdout = '';
    let failure: Live2vodError | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let cpuSeconds: number | undefined;
    // 'exit' follows the reap at once: the moment this process's children's CPU counter has grown by this child's.
    child.on('exit', () => {
      cpuSeconds = recordChildExit(options.costStage ?? options.stage);
    });

    const stop = (reason: Live2vodError): void => {
      if (failure) return;
      failure = reason;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), options.killGraceMs ?? 3000);
      killTimer.unref();
    };
    const onAbort = (): void => stop(new CancelledError());
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timeout = options.timeoutMs
      ? setTimeout(() => stop(new FfmpegError(`${program} ran longer than ${(options.timeoutMs! / 1000).toFixed(1)} s and was stopped`, { command: options.command, stderrTail: stderr.lines() })), options.timeoutMs)
      : undefined;

    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (progress && options.onProgress) for (const p of progress.push(chunk)) options.onProgress(p);
      else stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));

    const cleanup = (): void => {
      if (timeout) clearTimeout(timeout);
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      cleanup();
      if (error.code === 'ENOENT') {
        reject(new EnvironmentError(`${program} was not found: install ffmpeg ≥ 5.1 (e.g. apt-get install ffmpeg) or set LIVE2VOD_FFMPEG / LIVE2VOD_FFPROBE to its path`, { cause: error }));
      } else reject(new FfmpegError(`could not start ${program}: ${error.message}`, { command: options.command, cause: error }));
    });
    child.on('close', (code, signal) => {
      cleanup();
      if (failure) return reject(failure);
      if (code === 0) return resolve({ stdout, stderr: stderr.text, durationMs: performance.now() - started, ...(cpuSeconds === undefined ? {} : { cpuSeconds }) });
      reject(classifyFailure(options.stage, code ?? (signal ? -1 : null), stderr.lines(), options.command));
    });
  });
}
