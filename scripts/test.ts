// `npm test`: the type check and the test files side by side, since the suite is CPU-bound and the
// type check (TypeScript 7: ~12 CPU-s, ~3 when incremental) fits in the gaps the tests leave while
// they wait on real time.
// Usage: node scripts/test.ts [file, directory or glob …]   (default: every test/**/*.test.ts;
// node's own --test-* flags are not taken). LIVE2VOD_TEST_CONCURRENCY sets how many test files run
// at once (default: see concurrency()). The files start slowest first (test/reporters/file-times.ts),
// so the run does not end on one long file; the short files of most directories share a process
// per directory (test/reporters/process-groups.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { globSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run as runTests } from 'node:test';
import { spec } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';
import { mediaCacheVariable } from '../test/helpers/media.ts';
import { cpuLogVariable } from '../test/reporters/cpu-log.ts';
import { fileTimings } from '../test/reporters/file-timings.ts';
import { fileTimesCache, longestFirst, readFileTimes } from '../test/reporters/file-times.ts';
import { groupFiles, groupTime, writeGroupEntry } from '../test/reporters/process-groups.ts';
import { startSharedBrowser } from '../test/reporters/shared-browser.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The runner names files from the working directory, and the summary finds their CPU by those names.
process.chdir(repoRoot);

interface Finished {
  code: number;
  output: string;
  seconds: number;
}

// The test files' processes share the terminal's process group, so Ctrl-C reaches them; either
// signal aborts the run, so that no queued file starts (the abort sends SIGTERM to the running
// files' processes only, which a Ctrl-C is already ending). The type check runs in a group of its
// own (npm, sh, tsc), stopped whole on either. This process stays to remove the run's directory.
const stopTests = new AbortController();
const groups = new Set<ChildProcess>();
let interrupted = false;
function stop(signal: 'SIGINT' | 'SIGTERM'): void {
  interrupted = true;
  stopTests.abort();
  for (const child of groups) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // The group has just ended by itself.
    }
  }
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

/** Runs a command in a process group of its own at a low priority, its output kept; a start that fails is an exit of 127. */
function runCaptured(command: string, args: readonly string[]): Promise<Finished> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    // Below the tests (nice 10, inherited by what it starts): the type check has no clock to keep,
    // while the tests that check real-time behaviour (progress every 2 s) must not be starved by it.
    try {
      if (child.pid !== undefined) os.setPriority(child.pid, 10);
    } catch {
      // Already ended.
    }
    groups.add(child);
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
    const finish = (code: number) => {
      groups.delete(child);
      resolve({ code, output, seconds: (performance.now() - started) / 1000 });
    };
    child.on('error', (error) => { output += `${command}: ${error.message}\n`; finish(127); });
    child.on('close', (code, signal) => finish(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
  });
}

/**
 * Test files at once. The suite keeps the CPU busy only ~75 % of the time at one file per core:
 * its end-to-end files wait on real time (real-time encodes, a browser playing, a service being
 * restarted). Files are started slowest first, so one more file than the cores fills those waits.
 */
function concurrency(): number {
  const asked = process.env.LIVE2VOD_TEST_CONCURRENCY;
  if (asked === undefined || asked === '') return Math.min(os.availableParallelism() + 1, 6);
  const n = Number(asked);
  if (Number.isInteger(n) && n >= 1) return n;
  process.stderr.write(`LIVE2VOD_TEST_CONCURRENCY must be a whole number of 1 or more (got '${asked}'); unset it for the default\n`);
  process.exit(2);
}

/** The test files the arguments name (a directory stands for the files under it), or every one. */
function testFiles(args: readonly string[]): string[] {
  const flag = args.find((arg) => arg.startsWith('-'));
  if (flag !== undefined) {
    process.stderr.write(`npm test takes test files, directories or globs, not flags (got '${flag}'); run one file with node --test <file> to use node's flags\n`);
    process.exit(2);
  }
  const patterns = args.length === 0 ? ['test/**/*.test.ts'] : args.map((arg) => (statSync(path.resolve(repoRoot, arg), { throwIfNoEntry: false })?.isDirectory() ? `${arg.replace(/\/$/, '')}/**/*.test.ts` : arg));
  const files = new Set<string>();
  const unmatched: string[] = [];
  for (const pattern of patterns) {
    // Named from the repository root, as the times are kept and the summary names them.
    const found = globSync(pattern, { cwd: repoRoot, exclude: (name) => name === 'node_modules' })
      .map((file) => path.relative(repoRoot, path.resolve(repoRoot, file)))
      .filter((file) => file.endsWith('.test.ts') && statSync(file, { throwIfNoEntry: false })?.isFile());
    if (found.length === 0) unmatched.push(pattern);
    for (const file of found) files.add(file);
  }
  if (unmatched.length > 0) {
    process.stderr.write(`no test file matches ${unmatched.join(' ')}\n`);
    process.exit(2);
  }
  return [...files];
}

const filesAtOnce = concurrency();
const selected = testFiles(process.argv.slice(2));
// Every test file, to tell whether a group's whole directory was selected (without arguments: all of them).
const { groups: fileGroups, alone } = groupFiles(selected, process.argv.length > 2 ? testFiles([]) : selected);
const times = readFileTimes(repoRoot);
const groupTimes = Object.fromEntries(fileGroups.map((group) => [group.name, groupTime(group, times)]));
const order = longestFirst([...alone, ...fileGroups.map((group) => group.name)], { ...times, ...groupTimes });

// Every test process, and every live2vod process a test starts, reuses the compiled (type-stripped)
// modules: ~0.15 s less per test file and per CLI, serve or worker process the tests start. Kept in
// the checkout (not a shared /tmp directory another user could write code into).
// Test media made from the same lavfi command by several files is made once per run (generate()
// in test/helpers/media.ts), and each file's CPU is logged for the summary (cpu-at-exit.ts); the
// directory holding both goes when the run ends. So does the temp directory the tests are given:
// what a file interrupted by Ctrl-C (its after-hooks never run) leaves goes with the run, not into
// the machine's /tmp. The test files' processes inherit this process's environment.
const runDir = await mkdtemp(path.join(os.tmpdir(), 'live2vod-test-run-'));
const mediaCache = path.join(runDir, 'media');
const testTmp = path.join(runDir, 'tmp');
const groupDir = path.join(runDir, 'groups');
await Promise.all([mkdir(mediaCache), mkdir(testTmp), mkdir(groupDir)]);
// As /tmp is: the private PostgreSQL runs as the postgres user, in a directory made in it.
await chmod(runDir, 0o711);
await chmod(testTmp, 0o1777);
Object.assign(process.env, {
  TMPDIR: testTmp,
  NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE || path.join(repoRoot, 'node_modules', '.cache', 'node-compile-cache'),
  [mediaCacheVariable]: mediaCache,
  [cpuLogVariable]: path.join(runDir, 'cpu.jsonl'),
});

// npm_execpath is npm's own CLI when npm runs this script; by hand, the npm on PATH.
const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
const [npmCommand = 'npm', ...npmArgs] = npm;
const typecheck = runCaptured(npmCommand, [...npmArgs, 'run', '--silent', 'typecheck']).then((done) => {
  if (done.code !== 0 && !interrupted) process.stdout.write('\ntypecheck FAILED (its errors follow the tests)\n');
  return done;
});

const sharedBrowser = await startSharedBrowser(selected);
// Each group of files runs as one file that imports them (test/reporters/process-groups.ts).
const groupEntries = new Map(await Promise.all(fileGroups.map(async (group) => [group.name, { group, entry: await writeGroupEntry(groupDir, repoRoot, group) }] as const)));

let testsPassed = false;
const stream = runTests({
  cwd: repoRoot,
  files: order.map((name) => groupEntries.get(name)?.entry ?? name),
  concurrency: filesAtOnce,
  execArgv: ['--import', './test/reporters/cpu-at-exit.ts'],
  signal: stopTests.signal,
});
// The run's own summary (the one without a file) says whether everything passed.
stream.on('test:summary', (summary) => {
  if (summary.file === undefined) testsPassed = summary.success;
});
const reported = [spec, fileTimings({ timesFile: fileTimesCache(repoRoot), groups: new Map([...groupEntries.values()].map(({ group, entry }) => [entry, group])) })].map((reporter) => new Promise<void>((resolve) => {
  const output = stream.compose(reporter);
  output.on('error', (error) => {
    process.stderr.write(`a test reporter failed: ${String(error)}\n`);
    resolve();
  });
  output.on('end', resolve).pipe(process.stdout, { end: false });
}));
await Promise.all(reported);
await sharedBrowser?.close();
await rm(runDir, { recursive: true, force: true });

const checked = await typecheck;
if (interrupted) {
  process.stdout.write('interrupted: the tests and the type check were stopped\n');
} else if (checked.code === 0) {
  process.stdout.write(`typecheck (tsc, beside the tests): passed in ${checked.seconds.toFixed(1)} s\n`);
} else {
  process.stdout.write(`\ntypecheck (tsc, beside the tests) FAILED:\n${checked.output}\n`);
}
process.exitCode = interrupted ? 130 : !testsPassed ? 1 : checked.code;
