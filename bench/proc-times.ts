// CPU seconds from /proc (Linux): far less sensitive than wall time to other work on a shared
// machine. A process's finished children (and theirs, once reaped) are in its cutime/cstime.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';

const clockTicks = Number((await promisify(execFile)('getconf', ['CLK_TCK'])).stdout.trim()) || 100;

export async function procTimes(pid: number | 'self'): Promise<{ own: number; children: number }> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
  // Fields 14–17 of proc(5): utime, stime, cutime, cstime (indexes 11–14 after the command name).
  return { own: ((fields[11] ?? 0) + (fields[12] ?? 0)) / clockTicks, children: ((fields[13] ?? 0) + (fields[14] ?? 0)) / clockTicks };
}

/** Jiffies the whole machine spent idle (idle + iowait) and in total, from /proc/stat. */
export async function machineTimes(): Promise<{ idle: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const total = values.slice(0, 8).reduce((sum, v) => sum + v, 0);
  return { idle: (values[3] ?? 0) + (values[4] ?? 0), total };
}

export interface Measured { wall: number; cpu: number }

/**
 * Runs `action` and prints its wall time, the CPU seconds of the child processes it ran (reaped
 * ones, from this process's cutime/cstime), the share of the machine left idle (on a quiet machine,
 * what a variant fails to keep busy) and the load average.
 */
export async function timed(label: string, action: () => Promise<unknown>, labelWidth = 62): Promise<Measured> {
  const [cpuBefore, machineBefore] = [(await procTimes('self')).children, await machineTimes()];
  const started = performance.now();
  await action();
  const wall = (performance.now() - started) / 1000;
  const [cpuAfter, machineAfter] = [(await procTimes('self')).children, await machineTimes()];
  const cpu = cpuAfter - cpuBefore;
  const idle = (machineAfter.idle - machineBefore.idle) / Math.max(1, machineAfter.total - machineBefore.total);
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`${label.padEnd(labelWidth)} ${wall.toFixed(2).padStart(8)} s   CPU ${cpu.toFixed(1).padStart(6)} s   machine idle ${(idle * 100).toFixed(1).padStart(5)} %   (load ${load})`);
  return { wall, cpu };
}
