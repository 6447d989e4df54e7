// What stops a CLI run from outside — a signal, a reader that went away, a bug — turned into the
// run's one cancel signal, so the run stops its ffmpeg processes and removes its scratch directory
// and partial output before the process exits, whichever way it was stopped.
import { ExitCode } from '../errors/index.ts';

export interface ProcessGuard {
  signal: AbortSignal;
  /** The exit code to use, given the one the command returned. */
  exitCode(returned: number): number;
}

export function guardProcess(proc: NodeJS.Process = process): ProcessGuard {
  const controller = new AbortController();
  let override: number | undefined;
  let interrupts = 0;

  proc.on('SIGINT', () => {
    // A second Ctrl-C means "now": the user gives up the clean-up.
    if (++interrupts > 1) proc.exit(ExitCode.cancelled);
    controller.abort();
  });
  // Kept after the first: a supervisor may repeat SIGTERM (the control plane does on cancel), and
  // the default action would kill the run in the middle of its clean-up. SIGKILL is its hard stop.
  proc.on('SIGTERM', () => controller.abort());

  // `live2vod transcode … --json | head -1`: the reader is gone, so the run stops, quietly. The
  // same for stderr: a local worker's stderr is a pipe to its control plane, and when that dies
  // (SIGKILL) the worker must stop on its own, not loop on write errors.
  const readerGone = (error: NodeJS.ErrnoException): void => {
    if (error.code !== 'EPIPE') throw error;
    override ??= ExitCode.cancelled;
    controller.abort();
  };
  proc.stdout.on('error', readerGone);
  proc.stderr.on('error', readerGone);

  // A bug: said once, with its stack, and the run cleans up as for a cancel before exiting.
  let bug = false;
  proc.on('uncaughtException', (error) => {
    if (!bug && proc.stderr.writable) proc.stderr.write(`live2vod: internal error (a bug; please report it): ${error.stack ?? String(error)}\n`);
    bug = true;
    override = ExitCode.internal;
    controller.abort();
  });

  return { signal: controller.signal, exitCode: (returned) => override ?? returned };
}
