// CPU seconds from /proc (Linux): far less sensitive than wall time to other work on a shared
// machine. A process's finished children (and theirs, once reaped) are in its cutime/cstime.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const clockTicks = Number((await promisify(execFile)('getconf', ['CLK_TCK'])).stdout.trim()) || 100;

export async function procTimes(pid: number | 'self'): Promise<{ own: number; children: number }> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
  // Fields 14–17 of proc(5): utime, stime, cutime, cstime (indexes 11–14 after the command name).
  return { own: ((fields[11] ?? 0) + (fields[12] ?? 0)) / clockTicks, children: ((fields[13] ?? 0) + (fields[14] ?? 0)) / clockTicks };
}
