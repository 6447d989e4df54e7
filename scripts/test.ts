// `npm test`: the type check and the test files side by side, since the suite is CPU-bound and the
// type check (TypeScript 7: ~12 CPU-s, ~3 when incremental) fits in the gaps the tests leave while
// they wait on real time.
// Usage: node scripts/test.ts [file, directory or glob …]   (default: every test/**/*.test.ts)
// LIVE2VOD_TEST_CONCURRENCY sets how many test files run at once (default: the cores, at most 6).
// One more than the cores was 10–25 % faster on one 2-vCPU machine and 5–10 % on another (the
// suite keeps both cores ~90 % busy either way), and the extra load made timing-bound tests fail
// now and then (four such races found and mended); the default keeps CI steady.
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mediaCacheVariable } from '../test/helpers/media.ts';
import { cpuLogVariable } from '../test/reporters/cpu-log.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// A directory stands for the test files under it.
const patterns = process.argv.slice(2).map((arg) => (statSync(path.resolve(repoRoot, arg), { throwIfNoEntry: false })?.isDirectory() ? `${arg.replace(/\/$/, '')}/**/*.test.ts` : arg));

interface Finished {
  code: number;
  output: string;
  seconds: number;
}

// The test runner shares the terminal's process group, so Ctrl-C reaches it (sending it again
// would cut its clean-up short) and only SIGTERM is passed on. The type check runs in a group of
// its own (npm, sh, tsc), stopped whole on either. This process stays to remove the run's directory.
const testRuns = new Set<ChildProcess>();
const groups = new Set<ChildProcess>();
let interrupted = false;
function stop(signal: 'SIGINT' | 'SIGTERM'): void {
  interrupted = true;
  if (signal === 'SIGTERM') for (const child of testRuns) child.kill(signal);
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

/** Runs a command to its end; a start that fails is an exit of 127 with the error as its output. */
function run(command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; capture: boolean }): Promise<Finished> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, env: options.env, stdio: options.capture ? ['ignore', 'pipe', 'pipe'] : 'inherit', detached: options.capture });
    const owner = options.capture ? groups : testRuns;
    owner.add(child);
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
    const finish = (code: number) => {
      owner.delete(child);
      resolve({ code, output, seconds: (performance.now() - started) / 1000 });
    };
    child.on('error', (error) => { output += `${command}: ${error.message}\n`; finish(127); });
    child.on('close', (code, signal) => finish(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
  });
}

function concurrency(): number {
  const asked = process.env.LIVE2VOD_TEST_CONCURRENCY;
  if (asked === undefined || asked === '') return Math.min(os.availableParallelism(), 6);
  const n = Number(asked);
  if (Number.isInteger(n) && n >= 1) return n;
  process.stderr.write(`LIVE2VOD_TEST_CONCURRENCY must be a whole number of 1 or more (got '${asked}'); unset it for one per core\n`);
  process.exit(2);
}

const filesAtOnce = concurrency();

// Every test process, and every live2vod process a test starts, reuses the compiled (type-stripped)
// modules: ~0.15 s less per test file and per CLI, serve or worker process the tests start. Kept in
// the checkout (not a shared /tmp directory another user could write code into).
// Test media made from the same lavfi command by several files is made once per run (generate()
// in test/helpers/media.ts), and each file's CPU is logged for the summary (cpu-at-exit.ts); the
// directory holding both goes when the run ends.
const runDir = await mkdtemp(path.join(os.tmpdir(), 'live2vod-test-run-'));
const mediaCache = path.join(runDir, 'media');
await mkdir(mediaCache);
const env = {
  ...process.env,
  NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE || path.join(repoRoot, 'node_modules', '.cache', 'node-compile-cache'),
  [mediaCacheVariable]: mediaCache,
  [cpuLogVariable]: path.join(runDir, 'cpu.jsonl'),
};

// npm_execpath is npm's own CLI when npm runs this script; by hand, the npm on PATH.
const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
const [npmCommand = 'npm', ...npmArgs] = npm;
const typecheck = run(npmCommand, [...npmArgs, 'run', '--silent', 'typecheck'], { env, capture: true }).then((done) => {
  if (done.code !== 0 && !interrupted) process.stdout.write('\ntypecheck FAILED (its errors follow the tests)\n');
  return done;
});

const tests = await run(process.execPath, [
  '--import', './test/reporters/cpu-at-exit.ts',
  '--test', `--test-concurrency=${filesAtOnce}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=./test/reporters/file-timings.ts', '--test-reporter-destination=stdout',
  ...(patterns.length > 0 ? patterns : ['test/**/*.test.ts']),
], { env, capture: false }).finally(() => rm(runDir, { recursive: true, force: true }));

const checked = await typecheck;
if (interrupted) {
  process.stdout.write('interrupted: the tests and the type check were stopped\n');
} else if (checked.code === 0) {
  process.stdout.write(`typecheck (tsc, beside the tests): passed in ${checked.seconds.toFixed(1)} s\n`);
} else {
  process.stdout.write(`\ntypecheck (tsc, beside the tests) FAILED:\n${checked.output}\n`);
}
process.exitCode = interrupted ? 130 : tests.code || checked.code;
