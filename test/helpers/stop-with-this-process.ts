// A test file's process sent SIGTERM or SIGINT on its own (node:test stopping the run when only the
// runner was signalled, not the terminal's whole process group) ends at once, without its after
// hooks, and a `live2vod serve` it started would run on, orphaned, with its workers. A child
// registered here gets SIGTERM first (serve then stops its workers and their ffmpeg); the signal is
// raised again afterwards, so the process still ends as that signal ends it.
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';

const children = new Set<ChildProcess>();
let installed = false;

export function stopWithThisProcess(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (installed) return;
  installed = true;
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const running of children) running.kill('SIGTERM');
      // Raised again, the signal ends the process only when no other listener is left for it.
      if (process.listenerCount(signal) > 0) process.exit(128 + os.constants.signals[signal]);
      else process.kill(process.pid, signal);
    });
  }
}
