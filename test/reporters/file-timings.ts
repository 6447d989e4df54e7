// A node:test reporter used beside `spec` by `npm test`: at the end, how long each test file took,
// slowest first, so a file that makes the suite slow is seen before the suite outgrows its budget.
// A file's time is its whole run as the runner saw it, process start-up included; files run side by
// side (--test-concurrency), so the times add up to more than the wall time.
import path from 'node:path';
import type { TestEvent } from 'node:test/reporters';

interface FileTiming {
  file: string;
  ms: number;
  passed: boolean;
}

export default async function* fileTimings(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const files: FileTiming[] = [];
  const started = performance.now();
  for await (const event of source) {
    if (event.type !== 'test:complete' || event.data.nesting !== 0 || !event.data.file) continue;
    // The runner reports each file as a top-level test named by its path; the tests inside the file
    // are top-level too, under their own names.
    if (path.resolve(event.data.name) !== event.data.file) continue;
    files.push({ file: event.data.name, ms: event.data.details.duration_ms, passed: event.data.details.passed });
  }
  if (files.length === 0) return;
  yield formatTimings(files, performance.now() - started);
}

export function formatTimings(files: readonly FileTiming[], wallMs: number): string {
  const sorted = [...files].sort((a, b) => b.ms - a.ms);
  const seconds = (ms: number): string => (ms / 1000).toFixed(1).padStart(7);
  const lines = sorted.map((f) => `${seconds(f.ms)} s  ${f.passed ? ' ' : '✖'} ${f.file}`);
  const total = files.reduce((sum, f) => sum + f.ms, 0);
  return [
    '',
    `time per test file, slowest first (${files.length} files, ${(total / 1000).toFixed(1)} s in all, ${(wallMs / 1000).toFixed(1)} s wall):`,
    ...lines,
    '',
  ].join('\n');
}
