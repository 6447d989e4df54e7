// A real `bin/live2vod serve` process is killed (SIGKILL) or stopped (SIGTERM) while a real worker
// encodes; its workers must not run on unsupervised, and a new serve on the same data dir must
// finish the job without charging the interrupted attempt.
import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiJob } from '../../src/http/api-schemas.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import { assertCompleteAsset, loadAsset } from '../helpers/asset-checks.ts';
import { makeTestPattern, writeRealTimeFfmpeg } from '../helpers/media.ts';
import { api, descendants, isAlive, killLeftovers, makeTemp, openSse, processRef, startServeProcess, submitJob, tinyTranscode, waitFor, waitForJob, type ProcessRef, type ServeProcess } from '../helpers/serve.ts';

// Still encoding seconds after the first progress report, on any machine, at little CPU: the
// first serve's video encode reads its 10 s source at real time (writeRealTimeFfmpeg). The
// restarted serve has the same configuration and plain ffmpeg: nothing waits on it being slow.
// No quality sampling: nothing here looks at it.
const serveConfig = {
  executor: { concurrency: 1 },
  transcode: tinyTranscode,
};
const seconds = 10;

interface Attempts {
  items: { number: number; outcome: string | null; reason: string | null; counts: boolean }[];
}

describe('restarting live2vod serve during an encode', { timeout: 180_000 }, () => {
  let root: string;
  let sourceDir: string;
  let source: string;
  let realTimeFfmpeg: string;
  const processes: ServeProcess[] = [];
  const watched: ProcessRef[] = [];

  before(async () => {
    root = await makeTemp('live2vod-e2e-restart-');
    sourceDir = path.join(root, 'sources');
    await mkdir(sourceDir);
    source = await makeTestPattern(sourceDir, { seconds, width: 320, height: 180, rate: 30, audio: 'sine', name: 'long.mp4' });
    realTimeFfmpeg = await writeRealTimeFfmpeg(root);
  });

  after(async () => {
    for (const p of processes) await p.stop(2000);
    const leftover = killLeftovers(watched);
    await rm(root, { recursive: true, force: true });
    assert.deepEqual(leftover, [], 'processes were left running');
  });

  /** `realTime`: the video encode reads at the source's rate, to be interrupted while it runs. */
  async function serve(dataDir: string, options: { realTime: boolean }): Promise<ServeProcess> {
    const env = options.realTime ? { LIVE2VOD_FFMPEG: realTimeFfmpeg } : {};
    const p = await startServeProcess({ dataDir, config: { ...serveConfig, sourceRoots: [sourceDir] }, env });
    processes.push(p);
    const ref = processRef(p.pid);
    if (ref) watched.push(ref);
    return p;
  }

  /** Submits the source and waits until a worker reported progress; returns the job and the worker tree. */
  async function startEncoding(p: ServeProcess): Promise<{ job: ApiJob; tree: ProcessRef[] }> {
    const created = await submitJob(p.url, { source });
    assert.equal(created.state, 'queued');
    const running = await waitForJob(p.url, created.id, (j) => j.state === 'running' && j.progress > 0, { timeoutMs: 30_000, intervalMs: 100 });
    assert.ok(running.progress < 1, `still encoding: progress ${running.progress}`);
    const tree = descendants(p.pid);
    watched.push(...tree);
    assert.ok(tree.some((d) => / worker --task-file /.test(d.cmdline)), `a worker runs under serve: ${tree.map((d) => d.cmdline).join(' | ')}`);
    assert.ok(tree.some((d) => /^ffmpeg /.test(d.cmdline) || /\/ffmpeg /.test(d.cmdline)), 'ffmpeg runs under the worker');
    return { job: running, tree };
  }

  async function assertFinishedAfterRestart(p: ServeProcess, jobId: string, expectedReason: RegExp): Promise<void> {
    const done = await waitForJob(p.url, jobId, 'succeeded', { timeoutMs: 90_000 });
    assert.equal(done.attempts, 1, 'only the successful attempt counted');
    assert.ok(done.asset);
    const master = await fetch(done.asset.master);
    assert.equal(master.status, 200);
    assert.match(await master.text(), /^#EXTM3U/);
    const attempts = await api<Attempts>(p.url, `/v1/jobs/${jobId}/attempts`);
    assert.equal(attempts.status, 200);
    assert.deepEqual(attempts.body.items.map((a) => [a.number, a.outcome, a.counts]), [[1, 'interrupted', false], [2, 'succeeded', true]]);
    assert.match(attempts.body.items[0]?.reason ?? '', expectedReason);
  }

  it('SIGKILL: the workers stop by themselves; a new serve on the same data dir finishes the job', async () => {
    const dataDir = path.join(root, 'data-kill');
    const first = await serve(dataDir, { realTime: true });
    const { job, tree } = await startEncoding(first);

    first.child.kill('SIGKILL');
    const exit = await first.exited;
    assert.equal(exit.signal, 'SIGKILL');
    // Orphaned workers notice the closed IPC channel, stop ffmpeg and exit.
    const started = Date.now();
    await waitFor('the orphaned worker and ffmpeg to exit', () => tree.every((d) => !isAlive(d)), { timeoutMs: 8000, intervalMs: 100 });
    assert.ok(Date.now() - started < 8000);

    const second = await serve(dataDir, { realTime: false });
    await assertFinishedAfterRestart(second, job.id, /restart|lease/);
    const asset = await loadAsset(path.join(dataDir, 'media', 'assets', job.id));
    await assertCompleteAsset(asset);
    assert.ok(Math.abs(asset.manifest.duration - seconds) <= 0.5, `duration ${asset.manifest.duration}`);
    const code = await second.stop();
    assert.equal(code.code, 0, second.stderr());
  });

  it('SIGTERM: serve exits 0 within 10 s and the job is queued again; after a restart it completes', async () => {
    const dataDir = path.join(root, 'data-term');
    const first = await serve(dataDir, { realTime: true });
    const { job, tree } = await startEncoding(first);

    // A dashboard listening to the event stream must not hold up the shutdown.
    const sse = await openSse(`${first.url}/v1/events`);
    await sse.waitFor((e) => e.event === 'job.progress', 10_000);
    const stoppedAt = Date.now();
    first.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([first.exited, new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), 10_000); })]);
    clearTimeout(timer);
    assert.notEqual(exit, 'timeout', 'serve did not exit within 10 s of SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null }, first.stderr());
    assert.ok(Date.now() - stoppedAt < 10_000);
    assert.match(first.stderr(), /shutting down/);
    assert.ok(tree.every((d) => !isAlive(d)), 'its workers and ffmpeg are gone when serve has exited');
    sse.close();

    // Nothing runs now: look into the store directly.
    const store = await openSqliteStore(path.join(dataDir, 'live2vod.db'));
    try {
      const stored = await store.getJob(job.id);
      assert.equal(stored?.state, 'queued');
      assert.equal(stored?.attempts, 0, 'the interrupted attempt was given back');
      const attempts = await store.listAttempts(job.id);
      assert.deepEqual(attempts.map((a) => [a.outcome, a.counts]), [['interrupted', false]]);
    } finally {
      await store.close();
    }

    const second = await serve(dataDir, { realTime: false });
    await assertFinishedAfterRestart(second, job.id, /shut down/);
    await assertCompleteAsset(await loadAsset(path.join(dataDir, 'media', 'assets', job.id)));
    const code = await second.stop();
    assert.equal(code.code, 0, second.stderr());
  });
});
