// A node:test reporter used beside `spec` by `npm test`: at the end, how long each test file took,
// slowest first, so a file that makes the suite slow is seen before the suite outgrows its budget.
// A file's time is its whole run as the runner saw it, process start-up included; files run side by
// side (LIVE2VOD_TEST_CONCURRENCY), so the times add up to more than the wall time. Beside it, the CPU
// the file used with the processes it started (from cpu-at-exit.ts, when npm test preloads it): the
// suite cannot take less than its CPU over the cores, so that column tells what to trim.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestEvent } from 'node:test/reporters';
import { cpuLogVariable, type CpuRecord } from './cpu-log.ts';
import { recordFileTimes } from './file-times.ts';
import type { ProcessGroup } from './process-groups.ts';

interface FileTiming {
  /** The file, or a group's name (test/media/). */
  file: string;
  /** How many files it ran, for a group of files in one process. */
  groupOf?: number;
  ms: number;
  passed: boolean;
  /** Absent when the file's process did not record it (killed, or run without the preload). */
  cpuSeconds?: number;
}

/** Each file's CPU from the log cpu-at-exit.ts writes; an empty map without one. */
function readCpuLog(): Map<string, number> {
  const log = process.env[cpuLogVariable];
  const cpu = new Map<string, number>();
  if (!log) return cpu;
  let text = '';
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    return cpu;
  }
  for (const line of text.split('\n').filter(Boolean)) {
    try {
      const record = JSON.parse(line) as CpuRecord;
      cpu.set(record.file, record.cpuSeconds);
    } catch {
      // A line cut short (a process killed while writing it): that file shows '?'.
    }
  }
  return cpu;
}

export interface FileTimingsOptions {
  /** Where to record each passed file's time (file-times.ts). */
  timesFile?: string;
  /** The groups of files run in one process, by the path of the file each runs as (process-groups.ts). */
  groups?: ReadonlyMap<string, ProcessGroup>;
}

export function fileTimings(options: FileTimingsOptions = {}): (source: AsyncIterable<TestEvent>) => AsyncGenerator<string> {
  return (source) => report(source, options);
}

async function* report(source: AsyncIterable<TestEvent>, options: FileTimingsOptions): AsyncGenerator<string> {
  const { timesFile, groups } = options;
  const files: (FileTiming & { path: string; keep: boolean })[] = [];
  const started = performance.now();
  for await (const event of source) {
    if (event.type !== 'test:complete' || event.data.nesting !== 0 || !event.data.file) continue;
    // The runner reports each file as a top-level test named by its path; the tests inside the file
    // are top-level too, under their own names.
    if (path.resolve(event.data.name) !== event.data.file) continue;
    const group = groups?.get(event.data.name);
    files.push({
      path: event.data.file,
      // Part of a directory's files: its time says nothing about the whole group's next run.
      keep: group?.whole ?? true,
      file: group?.name ?? event.data.name,
      ...(group ? { groupOf: group.files.length } : {}),
      ms: event.data.details.duration_ms,
      passed: event.data.details.passed,
    });
  }
  if (files.length === 0) return;
  // For the order of the next run (slowest first): only files that passed, as a failure can end early.
  if (timesFile) {
    try {
      recordFileTimes(timesFile, Object.fromEntries(files.filter((f) => f.passed && f.keep).map((f) => [f.file, Math.round(f.ms / 100) / 10])));
    } catch (error) {
      // Only a hint for the next run's order: say so, and report the run.
      process.stderr.write(`could not record the test files' times in ${timesFile}: ${String(error)}\n`);
    }
  }
  const cpu = readCpuLog();
  const withCpu = files.map(({ path: file, keep: _, ...f }) => {
    const cpuSeconds = cpu.get(file);
    return cpuSeconds === undefined ? f : { ...f, cpuSeconds };
  });
  yield formatTimings(withCpu, performance.now() - started, os.availableParallelism());
}

/** Test files, counting each of a group's. */
function count(files: readonly FileTiming[]): number {
  return files.reduce((sum, f) => sum + (f.groupOf ?? 1), 0);
}

export function formatTimings(files: readonly FileTiming[], wallMs: number, cores: number): string {
  const sorted = [...files].sort((a, b) => b.ms - a.ms);
  const seconds = (s: number | undefined): string => (s === undefined ? '?' : s.toFixed(1)).padStart(7);
  const measured = files.some((f) => f.cpuSeconds !== undefined);
  const lines = sorted.map((f) => `${seconds(f.ms / 1000)} s ${measured ? `${seconds(f.cpuSeconds)} s ` : ''} ${f.passed ? ' ' : '✖'} ${f.file}${f.groupOf ? ` (${f.groupOf} files in one process)` : ''}`);
  const total = files.reduce((sum, f) => sum + f.ms, 0);
  const cpu = files.reduce((sum, f) => sum + (f.cpuSeconds ?? 0), 0);
  return [
    '',
    `time per test file, slowest first (${files.length} processes, ${count(files)} files, ${(total / 1000).toFixed(1)} s in all, ${(wallMs / 1000).toFixed(1)} s wall):`,
    ...(measured ? [
      `CPU (the file and the processes it started and reaped; '?': not logged): at least ${cpu.toFixed(0)} s in all, so on ${cores} cores the files cannot take less than ${(cpu / cores).toFixed(0)} s`,
      `   wall       CPU`,
    ] : []),
    ...lines,
    '',
  ].join('\n');
}
