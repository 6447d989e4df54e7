// The per-file timing summary npm test ends with: slowest first, failures marked, totals; with the
// CPU each file used when its process logged it (cpu-at-exit.ts, preloaded the way npm test does).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { cpuLogVariable, type CpuRecord } from './cpu-log.ts';
import { formatTimings } from './file-timings.ts';

test('lists files slowest first with their seconds, marks a failed file, and sums them', () => {
  const text = formatTimings([
    { file: 'test/a.test.ts', ms: 1200, passed: true },
    { file: 'test/b.test.ts', ms: 35_400, passed: false },
    { file: 'test/c.test.ts', ms: 80, passed: true },
    { file: 'test/media/', groupOf: 28, ms: 9_000, passed: true },
  ], 20_000, 2);
  const lines = text.trim().split('\n');
  assert.equal(lines[0], 'time per test file, slowest first (4 processes, 31 files, 45.7 s in all, 20.0 s wall):');
  assert.deepEqual(lines.slice(1).map((line) => line.trim()), ['35.4 s  ✖ test/b.test.ts', '9.0 s    test/media/ (28 files in one process)', '1.2 s    test/a.test.ts', '0.1 s    test/c.test.ts']);
});

test('with CPU logged, a CPU column beside the wall time, its sum, and the least time it allows on the cores', () => {
  const text = formatTimings([
    { file: 'test/a.test.ts', ms: 1200, passed: true, cpuSeconds: 0.4 },
    { file: 'test/b.test.ts', ms: 35_400, passed: true, cpuSeconds: 61.6 },
    { file: 'test/c.test.ts', ms: 80, passed: true },
  ], 20_000, 2);
  const lines = text.trim().split('\n').map((line) => line.trim());
  assert.equal(lines[1], "CPU (the file and the processes it started and reaped; '?': not logged): at least 62 s in all, so on 2 cores the files cannot take less than 31 s");
  assert.deepEqual(lines.slice(3).map((line) => line.split(/\s+/).join(' ')), ['35.4 s 61.6 s test/b.test.ts', '1.2 s 0.4 s test/a.test.ts', '0.1 s ? s test/c.test.ts']);
});

test('a test file run with the preload logs its own CPU and that of the processes it started and reaped', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'live2vod-cpu-log-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const busyFile = path.join(dir, 'busy.test.ts');
  // The child the file starts and waits for spins until it has used 1 s of CPU, however loaded the machine.
  await writeFile(busyFile, [
    "import { spawnSync } from 'node:child_process';",
    "import { test } from 'node:test';",
    "test('spins in a child', () => { spawnSync(process.execPath, ['-e', 'while (process.cpuUsage().user < 1e6);']); });",
  ].join('\n'));
  const log = path.join(dir, 'cpu.jsonl');
  const preload = path.join(import.meta.dirname, 'cpu-at-exit.ts');
  // Without this process's NODE_TEST_CONTEXT: with it, the inner runner would take itself for a test file's process.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', preload, '--test', '--test-reporter=dot', busyFile], { env: { ...env, [cpuLogVariable]: log }, stdio: 'ignore' });
    child.on('close', resolve);
  });
  assert.equal(code, 0);
  const records = (await readFile(log, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as CpuRecord);
  assert.equal(records.length, 1, 'one record, from the file\'s process only (not the runner, not the child)');
  assert.equal(records[0]?.file, busyFile);
  // The file's process alone uses ~0.3 s: without the child's second the sum stays under 1 s.
  assert.ok((records[0]?.cpuSeconds ?? 0) >= 1, `the child's CPU is counted: ${records[0]?.cpuSeconds} s`);
});
