// Nothing is left behind by a run that is stopped: a closed stdout (`transcode … --json | head`),
// a cancel that reaches a worker as SIGTERM (twice, as the control plane may send it) and a bug
// (an uncaught exception) all stop ffmpeg, remove the scratch directory and the partial output,
// and say so quietly: no EPIPE stack trace. The video encode runs at real time (writeRealTimeFfmpeg),
// so each stop lands in the middle of it.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { ExitCode } from '../../src/errors/index.ts';
import { guardProcess } from '../../src/cli/process-guard.ts';
import { cliPath, makeTempDir, makeTestPattern, writeRealTimeFfmpeg, type TempDir } from '../helpers/media.ts';
import { api, cleanEnv, startServeProcess, submitJob, waitFor, waitForJob } from '../helpers/serve.ts';

interface Run {
  child: ChildProcess;
  stderr(): string;
  /** Resolves with the first stdout line for which `match` holds. */
  line(match: (line: string) => boolean): Promise<string>;
  exited: Promise<number | null>;
}

function start(args: string[], env: NodeJS.ProcessEnv, options: { detached?: boolean } = {}): Run {
  const child = spawn(process.execPath, [cliPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false });
  let err = '';
  let out = '';
  const waiting = new Set<() => void>();
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; for (const wake of waiting) wake(); });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; for (const wake of waiting) wake(); });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    stderr: () => err,
    exited,
    async line(match) {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const found = (out + err).split('\n').find(match);
        if (found !== undefined) return found;
        if (child.exitCode !== null || Date.now() > deadline) assert.fail(`no such line; stdout:\n${out}\nstderr:\n${err}`);
        await new Promise<void>((resolve) => { const wake = () => { waiting.delete(wake); resolve(); }; waiting.add(wake); setTimeout(wake, 200); });
      }
    },
  };
}

async function leftovers(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((name) => name.startsWith('live2vod-'));
}

describe('a stopped run leaves nothing behind', () => {
  let tmp: TempDir;
  let source: string;
  let env: NodeJS.ProcessEnv;
  let scratch: string;

  before(async () => {
    tmp = await makeTempDir('live2vod-leftovers-');
    // 20 s of wall time at real time is the point; small pictures keep the encode that fills it cheap.
    source = await makeTestPattern(tmp.dir, { seconds: 20, width: 320, height: 180, rate: 30, audio: 'sine', name: 'talk.mp4' });
    scratch = path.join(tmp.dir, 'tmp');
    await mkdir(scratch);
    // TMPDIR: the worker's scratch goes where the test can look for it.
    env = { ...cleanEnv(), LIVE2VOD_FFMPEG: await writeRealTimeFfmpeg(tmp.dir), TMPDIR: scratch };
  });
  after(() => tmp.cleanup());

  for (const [when, match] of [['at once', (l: string) => l.startsWith('{')], ['during the encode', (l: string) => l.includes('"type":"progress"') && !l.includes('"percent":0,')]] as const) {
    test(`transcode --json | head -1, the pipe closed ${when}: no stack trace, no scratch, no partial --out`, { timeout: 90_000 }, async () => {
      const out = path.join(tmp.dir, `out-pipe-${when.replaceAll(' ', '-')}`);
      // No loudness pass: a second decode of the audio before its encode, not what is stopped here.
      const run = start(['transcode', source, '--out', out, '--scratch', scratch, '--json', '--no-loudnorm'], env);
      await run.line(match);
      run.child.stdout?.destroy();
      const code = await run.exited;
      assert.equal(code, ExitCode.cancelled, run.stderr());
      assert.doesNotMatch(run.stderr(), /EPIPE|\n\s+at /, 'no stack trace');
      assert.deepEqual(await leftovers(scratch), [], 'no scratch directory');
      assert.deepEqual(await readdir(out).catch(() => 'absent'), 'absent', 'no partial output');
    });
  }

  test('a worker stopped with SIGTERM twice (a cancel) mid-encode removes its scratch and output', { timeout: 90_000 }, async () => {
    const out = path.join(tmp.dir, 'out-worker');
    const taskFile = path.join(tmp.dir, 'task.json');
    await writeFile(taskFile, JSON.stringify({
      version: 2, stage: 'full', jobId: 'job-leftovers', attempt: 1, source: { kind: 'local', path: source }, output: out,
      profile: { loudness: false }, sourceFetch: { maxBytes: 1e9, timeoutMs: 60_000, allow: [] },
    }));
    // As the local executor starts it: its own process group, signalled as a group.
    const run = start(['worker', '--task-file', taskFile], env, { detached: true });
    await run.line((l) => l.includes('"step":"encode","state":"start"'));
    await sleep(1500);
    const group = -(run.child.pid ?? 0);
    process.kill(group, 'SIGTERM');
    await sleep(100);
    try {
      process.kill(group, 'SIGTERM');
    } catch {
      // Already gone: nothing to signal twice.
    }
    const code = await run.exited;
    // The second SIGTERM must not cut the clean-up short: the worker says it was cancelled (after
    // cleaning up) and exits 130. One that lands after that, while Node is already exiting, meets
    // the default action and ends it by the signal: too late to harm anything.
    assert.ok(code === ExitCode.cancelled || (code === null && /live2vod: cancelled/.test(run.stderr())), `exit ${code}\n${run.stderr()}`);
    assert.deepEqual(await leftovers(scratch), [], 'no scratch directory');
    assert.deepEqual(await readdir(out).catch(() => 'absent'), 'absent', 'no partial output');
  });

  test('a job cancelled through the API mid-encode leaves no scratch and no asset directory', { timeout: 120_000 }, async () => {
    const dataDir = path.join(tmp.dir, 'data');
    const serve = await startServeProcess({ dataDir, config: { transcode: { thumbnails: true, download: true }, sourceRoots: [tmp.dir] }, env });
    try {
      const job = await submitJob(serve.url, { source });
      await waitFor('the encode to run', async () => {
        const log = await api<{ items: { type: string; data: unknown }[] }>(serve.url, `/v1/jobs/${job.id}/log`);
        return log.body.items.some((e) => e.type === 'job.step' && JSON.stringify(e.data).includes('"step":"encode"'));
      }, { timeoutMs: 60_000, intervalMs: 200 });
      await sleep(1500);
      const cancel = await api(serve.url, `/v1/jobs/${job.id}/cancel`, { method: 'POST' });
      assert.equal(cancel.status, 202, cancel.text);
      await waitForJob(serve.url, job.id, 'cancelled');
      // The cancel answers once the worker has exited: by then its clean-up is done.
      assert.deepEqual(await leftovers(scratch), [], 'no scratch directory');
      assert.deepEqual(await readdir(path.join(dataDir, 'media', 'assets', job.id)).catch(() => 'absent'), 'absent', 'no partial asset');
    } finally {
      await serve.stop();
    }
  });

  test('a bug (uncaught exception) becomes the run\'s cancel and exit code 1, said once', () => {
    const stderr: string[] = [];
    const proc = fakeProcess(stderr);
    const guard = guardProcess(proc as unknown as NodeJS.Process);
    proc.emit('uncaughtException', new Error('boom'));
    proc.emit('uncaughtException', new Error('boom again'));
    assert.ok(guard.signal.aborted);
    assert.equal(guard.exitCode(ExitCode.cancelled), ExitCode.internal);
    assert.match(stderr.join(''), /internal error.*boom/);
    assert.doesNotMatch(stderr.join(''), /boom again/, 'said once');
    // SIGTERM again, later: still no exit (the clean-up goes on).
    proc.emit('SIGTERM');
  });

  test('a broken stderr (the control plane that read it was killed) is the run\'s cancel, not a bug', () => {
    const stderr: string[] = [];
    const proc = fakeProcess(stderr);
    const guard = guardProcess(proc as unknown as NodeJS.Process);
    proc.stderr.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    assert.ok(guard.signal.aborted);
    assert.equal(guard.exitCode(0), ExitCode.cancelled);
    assert.deepEqual(stderr, [], 'nothing written to the broken pipe');
  });
});

/** A stand-in for `process` with what the guard listens to: signals, stdout and stderr errors, exit. */
function fakeProcess(written: string[]) {
  return Object.assign(new EventEmitter(), {
    stdout: new EventEmitter(),
    stderr: Object.assign(new EventEmitter(), { writable: true, write: (s: string) => { written.push(s); return true; } }),
    exit: () => assert.fail('must not exit: the run cleans up first'),
  });
}
