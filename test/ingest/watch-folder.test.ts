import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, realpath, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobRequest } from '../../src/jobs/job-request.ts';
import { isIgnoredInboxName, WatchFolder } from '../../src/ingest/watch-folder.ts';

const intervalMs = 50;

describe('WatchFolder', () => {
  let dir: string;
  let folder: WatchFolder | undefined;
  let reported: JobRequest[];
  let errors: unknown[];

  beforeEach(async () => {
    dir = await realpath(await mkdtemp(path.join(tmpdir(), 'live2vod-inbox-')));
    reported = [];
    errors = [];
  });
  afterEach(async () => {
    await folder?.stop();
    folder = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  function watch(options: { onStable?: (job: JobRequest) => void | Promise<unknown> } = {}): WatchFolder {
    folder = new WatchFolder({
      dir,
      intervalMs,
      onStable: options.onStable ?? ((job) => void reported.push(job)),
      onError: (error) => void errors.push(error),
    });
    return folder;
  }

  async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await sleep(10);
    }
  }

  it('does not report a file while it grows, then reports it exactly once', async () => {
    const file = path.join(dir, 'keynote.flv');
    await writeFile(file, 'start');
    watch().start();
    // Append every 20 ms for 600 ms: the file never stays unchanged over two 50 ms polls.
    for (let i = 0; i < 30; i++) {
      await appendFile(file, `chunk ${i} ${'x'.repeat(100)}\n`);
      await sleep(20);
      assert.equal(reported.length, 0, `reported while still growing (after ${i + 1} appends)`);
    }
    await until(() => reported.length === 1);
    // Several more polls: still once.
    await sleep(intervalMs * 6);
    assert.equal(reported.length, 1);
    const stats = await stat(file);
    assert.deepEqual(reported[0], {
      source: { kind: 'local', path: file },
      facts: { bytes: stats.size },
      idempotencyKey: `file:${file}:${stats.size}:${Math.trunc(stats.mtimeMs)}`,
      metadata: { fileName: 'keynote.flv' },
    });
    assert.deepEqual(errors, []);
  });

  it('needs two unchanged polls after the first sighting', async () => {
    await writeFile(path.join(dir, 'a.mp4'), 'data');
    const w = watch();
    await w.poll();
    await w.poll();
    assert.equal(reported.length, 0);
    await w.poll();
    assert.equal(reported.length, 1);
    assert.equal(reported[0]?.priority, undefined, 'the intake applies ingest.watch.priority');
    await w.poll();
    assert.equal(reported.length, 1);
  });

  it('ignores dotfiles, .part, .tmp, directories, symlinks and empty files; picks up a renamed .part', async () => {
    await writeFile(path.join(dir, '.hidden.mp4'), 'x');
    await writeFile(path.join(dir, 'upload.mp4.part'), 'x');
    await writeFile(path.join(dir, 'upload.TMP'), 'x');
    await writeFile(path.join(dir, 'empty.mp4'), '');
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub', 'nested.mp4'), 'x');
    const outside = await mkdtemp(path.join(tmpdir(), 'live2vod-outside-'));
    await writeFile(path.join(outside, 'secret.mp4'), 'x');
    await symlink(path.join(outside, 'secret.mp4'), path.join(dir, 'link.mp4'));
    const w = watch();
    for (let i = 0; i < 4; i++) await w.poll();
    assert.equal(reported.length, 0);
    await rename(path.join(dir, 'upload.mp4.part'), path.join(dir, 'upload.mp4'));
    for (let i = 0; i < 3; i++) await w.poll();
    assert.deepEqual(reported.map((j) => j.metadata['fileName']), ['upload.mp4']);
    await rm(outside, { recursive: true, force: true });
  });

  it('reports a new version of a file again once it is stable', async () => {
    const file = path.join(dir, 'show.mp4');
    await writeFile(file, 'v1');
    const w = watch();
    for (let i = 0; i < 3; i++) await w.poll();
    await writeFile(file, 'version two');
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    for (let i = 0; i < 3; i++) await w.poll();
    assert.equal(reported.length, 2);
    assert.notEqual(reported[0]?.idempotencyKey, reported[1]?.idempotencyKey);
  });

  it('retries a file whose onStable failed, and reports the error', async () => {
    await writeFile(path.join(dir, 'a.mp4'), 'data');
    let calls = 0;
    const w = watch({
      onStable: (job) => {
        calls++;
        if (calls === 1) throw new Error('store unavailable');
        reported.push(job);
      },
    });
    for (let i = 0; i < 5; i++) await w.poll();
    assert.equal(calls, 2);
    assert.equal(reported.length, 1);
    assert.match(String(errors[0]), /store unavailable/);
  });

  it('reports a missing directory to onError and keeps polling; stop() leaves no timer behind', async () => {
    await rm(dir, { recursive: true });
    const w = watch();
    w.start();
    await until(() => errors.length >= 2);
    await w.stop();
    const count = errors.length;
    await sleep(intervalMs * 3);
    assert.equal(errors.length, count);
    await mkdir(dir);
  });

  it('refuses a non-positive interval', () => {
    assert.throws(() => new WatchFolder({ dir, intervalMs: 0, onStable: () => {} }), /positive/);
  });

  it('names ignored inbox files', () => {
    assert.deepEqual(['.x', 'a.part', 'a.PART', 'b.tmp', 'c.mp4', 'd.partial'].map(isIgnoredInboxName), [true, true, true, true, false, false]);
  });
});
