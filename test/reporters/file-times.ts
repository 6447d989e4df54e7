// How long each test file took the last time it ran, so `npm test` can start the slowest first:
// started in name order, a long end-to-end file that comes late keeps one core busy alone at the end.
// The file-timings reporter records each run's times in node_modules/.cache (per checkout, never
// committed), which override test/file-times.json, the times of a full run kept in the repository
// for a fresh checkout (refresh it with `cp node_modules/.cache/live2vod-test-times.json test/file-times.json`).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Seconds per test file, keyed by its path from the repository root. */
export type FileTimes = Record<string, number>;

export function fileTimesCache(repoRoot: string): string {
  return path.join(repoRoot, 'node_modules', '.cache', 'live2vod-test-times.json');
}

function readTimes(file: string): FileTimes | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, number] => typeof entry[1] === 'number' && Number.isFinite(entry[1])));
  } catch {
    return undefined;
  }
}

/** Those kept in the repository, overridden by the times of this checkout's own runs. */
export function readFileTimes(repoRoot: string): FileTimes {
  return { ...readTimes(path.join(repoRoot, 'test', 'file-times.json')), ...readTimes(fileTimesCache(repoRoot)) };
}

/**
 * The files, slowest first; one without a time (a new file) counts as the median, so it neither
 * jumps the queue nor is left for the end.
 */
export function longestFirst(files: readonly string[], times: FileTimes): string[] {
  const known = files.map((f) => times[f]).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  const median = known[Math.floor(known.length / 2)] ?? 0;
  const time = (f: string): number => times[f] ?? median;
  return [...files].sort((a, b) => time(b) - time(a) || a.localeCompare(b));
}

/**
 * Adds this run's times to those recorded (files not run keep theirs); written whole, then renamed.
 * Only the repository's own files: one outside it, named by hand, says nothing about the next run.
 */
export function recordFileTimes(file: string, measured: FileTimes): void {
  const own = Object.entries(measured).filter(([name]) => !path.isAbsolute(name) && !name.startsWith('..'));
  const times = { ...readTimes(file), ...Object.fromEntries(own) };
  const sorted = Object.fromEntries(Object.entries(times).sort(([a], [b]) => a.localeCompare(b)));
  mkdirSync(path.dirname(file), { recursive: true });
  // A temporary name of this process's own: two runs in one checkout do not write into one file.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(sorted, null, 1)}\n`);
  renameSync(temporary, file);
}
