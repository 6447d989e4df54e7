// runProcess with real processes: a missing program, failures with their stderr tail and command,
// cancellation and timeouts that leave no child behind, progress parsing, cwd.

import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { CancelledError, EnvironmentError, ExitCode, FfmpegError, InputError } from '../../src/errors/index.ts';
import type { FfmpegProgress } from '../../src/ffmpeg/progress.ts';
import { formatCommand, runProcess } from '../../src/ffmpeg/run-process.ts';

const ffmpeg = process.env.LIVE2VOD_FFMPEG || 'ffmpeg';
const node = process.execPath;
/** Runs until stopped: an endless test pattern, decoded and thrown away. */
const endless = [ffmpeg, '-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30', '-f', 'null', '-'];

interface Child { pid: number; comm: string; state: string }

/** This process's direct children, zombies included, from /proc. */
async function children(): Promise<Child[]> {
  const found: Child[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // pid (comm) state ppid …; comm may contain spaces and parentheses.
    const close = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(close + 2).split(' ');
    if (Number(ppid) === process.pid) found.push({ pid: Number(entry), comm: stat.slice(stat.indexOf('(') + 1, close), state: state ?? '?' });
  }
  return found;
}

async function waitForChild(comm: string, timeoutMs = 5000): Promise<Child> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const child = (await children()).find((c) => c.comm === comm);
    if (child) return child;
    await sleep(25);
  }
  throw new Error(`no ${comm} child appeared within ${timeoutMs} ms`);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the run to fail');
}

describe('runProcess', () => {
  test('a program that does not exist is an EnvironmentError with an install hint (exit 5)', async () => {
    const error = await rejection(runProcess({ command: ['/nonexistent/ffmpeg', '-version'], stage: 'probe' }));
    assert.ok(error instanceof EnvironmentError, String(error));
    assert.equal(error.exitCode, ExitCode.environment);
    assert.match(error.message, /^\/nonexistent\/ffmpeg was not found: install ffmpeg ≥ 5\.1/);
    assert.match(error.message, /LIVE2VOD_FFMPEG \/ LIVE2VOD_FFPROBE/);
    assert.equal((error.cause as NodeJS.ErrnoException | undefined)?.code, 'ENOENT');
  });

  test('success: stdout and stderr are returned, with the duration', async () => {
    const result = await runProcess({ command: [node, '-e', 'process.stdout.write("out-" + process.argv[1]); process.stderr.write("err")', 'a b;c'], stage: 'encode' });
    assert.equal(result.stdout, 'out-a b;c', 'arguments reach the program verbatim, with no shell in between');
    assert.equal(result.stderr, 'err');
    assert.ok(result.durationMs > 0);
  });

  test('cwd: the command runs in the given directory', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'live2vod-test-cwd-'));
    try {
      const { stdout } = await runProcess({ command: [node, '-e', 'process.stdout.write(process.cwd())'], stage: 'encode', cwd: dir });
      assert.equal(stdout, await realpath(dir));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a non-zero exit carries the command and only the last 15 lines of stderr', async () => {
    const script = 'for (let i = 1; i <= 40; i++) console.error("line " + i); process.exit(3)';
    const command = [node, '-e', script];
    const error = await rejection(runProcess({ command, stage: 'encode' }));
    assert.ok(error instanceof FfmpegError, String(error));
    assert.equal(error.message, `${node} failed during encode (exit 3)`);
    assert.deepEqual(error.command, command);
    const lines = error.stderrTail?.split('\n') ?? [];
    assert.equal(lines.length, 15);
    assert.equal(lines[0], 'line 26');
    assert.equal(lines.at(-1), 'line 40');
  });

  test('a real ffmpeg failure: the tail has ffmpeg\'s own words, the error the command', async () => {
    const command = [ffmpeg, '-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=1', '-vf', 'nosuchfilter', '-f', 'null', '-'];
    const error = await rejection(runProcess({ command, stage: 'encode' }));
    assert.ok(error instanceof FfmpegError, String(error));
    assert.match(error.message, /failed during encode \(exit 1\)/);
    assert.match(error.stderrTail ?? '', /No such filter: 'nosuchfilter'/);
    assert.deepEqual(error.command, command);
  });

  test('failures are classified: a missing input file while probing is an InputError', async () => {
    const error = await rejection(runProcess({ command: [ffmpeg, '-hide_banner', '-nostdin', '-i', 'file:/nonexistent/in.mp4', '-f', 'null', '-'], stage: 'probe' }));
    assert.ok(error instanceof InputError, String(error));
    assert.match(error.message, /does not exist/);
  });

  test('AbortSignal stops an endless ffmpeg within 3 s: CancelledError, no zombie left', async () => {
    const controller = new AbortController();
    const running = runProcess({ command: endless, stage: 'encode', signal: controller.signal });
    try {
      const child = await waitForChild('ffmpeg');
      // D too: just started, it may be waiting on the disk for its 200 libraries (seen in CI).
      assert.ok(['R', 'S', 'D'].includes(child.state), `ffmpeg is running (${child.state})`);
      await sleep(300);
      const stopped = performance.now();
      controller.abort();
      const error = await rejection(running);
      const elapsed = performance.now() - stopped;
      assert.ok(error instanceof CancelledError, String(error));
      assert.equal(error.exitCode, ExitCode.cancelled);
      assert.ok(elapsed < 3000, `stopped in ${Math.round(elapsed)} ms`);
      assert.deepEqual((await children()).filter((c) => c.pid === child.pid), [], 'the child is gone and reaped (no zombie)');
    } finally {
      controller.abort();
      await running.catch(() => undefined);
    }
  });

  test('a child that ignores SIGTERM is killed after the grace period', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'live2vod-test-kill-'));
    const pidFile = path.join(dir, 'pid');
    // Writes its pid once the SIGTERM handler is in place (node renames its main thread, so /proc's comm cannot find it).
    const stubborn = [node, '-e', 'process.on("SIGTERM", () => {}); require("node:fs").writeFileSync(process.argv[1], String(process.pid)); setInterval(() => {}, 1000)', pidFile];
    const controller = new AbortController();
    const running = runProcess({ command: stubborn, stage: 'encode', signal: controller.signal, killGraceMs: 300 });
    let pid: number | undefined;
    try {
      for (let i = 0; i < 400 && pid === undefined; i++) {
        pid = Number(await readFile(pidFile, 'utf8').catch(() => '')) || undefined;
        if (pid === undefined) await sleep(25);
      }
      assert.ok(pid !== undefined, 'the child started');
      assert.ok((await children()).some((c) => c.pid === pid), 'it is our direct child');
      const stopped = performance.now();
      controller.abort();
      const error = await rejection(running);
      const elapsed = performance.now() - stopped;
      assert.ok(error instanceof CancelledError, String(error));
      assert.ok(elapsed >= 250 && elapsed < 2500, `SIGKILL after the grace period, in ${Math.round(elapsed)} ms`);
      assert.deepEqual((await children()).filter((c) => c.pid === pid), []);
    } finally {
      controller.abort();
      if (pid !== undefined) try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      await running.catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an already aborted signal rejects without starting anything', async () => {
    const before = (await children()).length;
    const error = await rejection(runProcess({ command: endless, stage: 'encode', signal: AbortSignal.abort() }));
    assert.ok(error instanceof CancelledError);
    assert.equal((await children()).length, before);
  });

  test('timeoutMs stops a long run: FfmpegError naming the limit, with the command', async () => {
    const started = performance.now();
    const error = await rejection(runProcess({ command: endless, stage: 'encode', timeoutMs: 1000 }));
    const elapsed = performance.now() - started;
    assert.ok(error instanceof FfmpegError, String(error));
    assert.ok(!(error instanceof CancelledError));
    assert.match(error.message, /ran longer than 1.0 s and was stopped/);
    assert.deepEqual(error.command, endless);
    assert.ok(elapsed >= 900 && elapsed < 4000, `stopped after ${Math.round(elapsed)} ms`);
    assert.equal((await children()).filter((c) => c.comm === 'ffmpeg').length, 0);
  });

  test('a timeout that does not fire does not hold the run', async () => {
    const { stdout } = await runProcess({ command: [node, '-e', 'console.log("quick")'], stage: 'encode', timeoutMs: 60_000 });
    assert.equal(stdout, 'quick\n');
  });

  test('-progress pipe:1 is parsed into progress events, ending with done; stdout is not kept', async () => {
    const events: FfmpegProgress[] = [];
    const result = await runProcess({
      command: [ffmpeg, '-hide_banner', '-nostdin', '-loglevel', 'error', '-progress', 'pipe:1', '-nostats', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25:duration=2', '-f', 'null', '-'],
      stage: 'encode',
      onProgress: (p) => events.push(p),
    });
    assert.ok(events.length >= 1);
    const last = events.at(-1);
    assert.equal(last?.done, true);
    assert.equal(last?.frame, 50);
    assert.ok(Math.abs((last?.outTime ?? 0) - 2) < 0.1, `outTime ${last?.outTime}`);
    assert.equal(events.filter((e) => e.done).length, 1);
    assert.equal(result.stdout, '');
  });

  test('an empty command is a programming error', () => {
    assert.throws(() => runProcess({ command: [], stage: 'encode' }), /needs a program/);
  });
});

describe('formatCommand', () => {
  test('plain arguments stay bare; anything a shell would interpret is single-quoted', () => {
    assert.equal(formatCommand(['ffmpeg', '-i', 'file:/data/in.mp4', '-b:v', '3000k']), 'ffmpeg -i file:/data/in.mp4 -b:v 3000k');
    assert.equal(formatCommand(['ffmpeg', '-filter_complex', '[0:0]split=2[a][b]', '-i', "it's here.mp4", '']), `ffmpeg -filter_complex '[0:0]split=2[a][b]' -i 'it'\\''s here.mp4' ''`);
  });
});
