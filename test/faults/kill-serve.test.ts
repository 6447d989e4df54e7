// kill -9 of `live2vod serve` at seeded random moments while it runs a batch of jobs, restarted on
// the same data directory each time: every job ends succeeded exactly once (one succeeded attempt,
// one complete asset, no asset directory for anything else), no worker or ffmpeg outlives the serve
// that started it, and no worker scratch is left in the temp directory the service was given.
// The seed is printed; LIVE2VOD_FAULT_SEED repeats a run.
//
// Size: the 20 jobs of 1 s 160x90 on 2 slots, 5 kills: 59 s on a quiet 2-vCPU machine
// (176 s when it was shared with five other builds). LIVE2VOD_FAULT_JOBS / LIVE2VOD_FAULT_KILLS
// change it. A kill lands 0.3–6 s after a (re)start: on a loaded machine mostly while
// workers start or encode, on a quiet one also between a worker's last report and the store's
// update. Each kill prints the job states it interrupted.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { assertCompleteAsset, loadAsset } from '../helpers/asset-checks.ts';
import { makeTestPattern } from '../helpers/media.ts';
import { api, killLeftovers, makeTemp, processesWithEnv, startServeProcess, submitJob, waitFor, type ProcessRef, type ServeProcess } from '../helpers/serve.ts';
import { seededRandom } from '../helpers/seeded-random.ts';

const jobCount = Number(process.env.LIVE2VOD_FAULT_JOBS ?? 20);
const kills = Number(process.env.LIVE2VOD_FAULT_KILLS ?? 5);
const seed = Number(process.env.LIVE2VOD_FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));

interface Attempts {
  items: { number: number; outcome: string | null; counts: boolean }[];
}

describe('kill -9 of serve during a batch of jobs, repeated', { timeout: 110_000 + jobCount * 10_000 }, () => {
  let root: string;
  let sourceDir: string;
  let tmp: string;
  let sources: string[];
  const runId = randomBytes(6).toString('hex');
  const seen: ProcessRef[] = [];
  const processes: ServeProcess[] = [];

  before(async () => {
    root = await makeTemp('live2vod-fault-kill-');
    sourceDir = path.join(root, 'sources');
    tmp = path.join(root, 'tmp');
    await Promise.all([mkdir(sourceDir), mkdir(tmp)]);
    const pattern = await makeTestPattern(root, { seconds: 1, width: 160, height: 90, rate: 25, audio: 'sine', name: 'pattern.mp4' });
    sources = await Promise.all(Array.from({ length: jobCount }, async (_, i) => {
      const file = path.join(sourceDir, `rec-${i}.mp4`);
      await link(pattern, file);
      return file;
    }));
  });

  after(async () => {
    for (const p of processes) await p.stop(2000);
    const leftover = killLeftovers([...seen, ...processesWithEnv('FAULT_RUN', runId)]);
    await rm(root, { recursive: true, force: true });
    assert.deepEqual(leftover, [], 'processes were left running');
  });

  async function serve(dataDir: string): Promise<ServeProcess> {
    const p = await startServeProcess({
      dataDir,
      // TMPDIR: the workers' scratch lands in a directory of this test's own, to be checked.
      env: { TMPDIR: tmp, FAULT_RUN: runId },
      config: {
        sourceRoots: [sourceDir],
        executor: { concurrency: 2 },
        // No quality measurement: one ffmpeg less per job, and nothing here looks at its scores
        // (thumbnails, download, instant remux and loudness are already off in the test defaults).
        transcode: { ladder: [{ width: 160, height: 90, bitrateKbps: 150, maxFrameRate: 25 }] },
      },
    });
    processes.push(p);
    return p;
  }

  /** Everything this test started (serve, workers, ffmpeg carry FAULT_RUN in their environment). */
  function running(): ProcessRef[] {
    const found = processesWithEnv('FAULT_RUN', runId);
    seen.push(...found);
    return found;
  }

  it(`${jobCount} jobs, ${kills} kills at seeded moments: each job succeeds once, nothing left behind`, async () => {
    process.stdout.write(`# seed ${seed} (LIVE2VOD_FAULT_SEED=${seed} repeats it)\n`);
    const random = seededRandom(seed);
    const dataDir = path.join(root, 'data');
    let current = await serve(dataDir);
    const ids: string[] = [];
    for (const [i, source] of sources.entries()) ids.push((await submitJob(current.url, { source }, { idempotencyKey: `rec-${i}` })).id);

    for (let k = 0; k < kills; k += 1) {
      const delayMs = Math.round(300 + random() * 5700);
      await sleep(delayMs);
      const states = (await api<{ items: { state: string }[] }>(current.url, '/v1/jobs?limit=100')).body.items.map((j) => j.state);
      process.stdout.write(`# kill ${k + 1} after ${delayMs} ms; states ${JSON.stringify(Object.groupBy(states, (s) => s), (key, v: unknown) => (Array.isArray(v) ? v.length : v))}\n`);
      running();
      current.child.kill('SIGKILL');
      assert.equal((await current.exited).signal, 'SIGKILL');
      // The orphaned workers notice the closed IPC channel, stop their ffmpeg and exit.
      await waitFor('every worker and ffmpeg of the killed serve to exit', () => running().length === 0, { timeoutMs: 15_000, intervalMs: 100 });
      current = await serve(dataDir);
      // Resubmitting is what a recorder retrying an unanswered webhook does: the same jobs come back.
      for (const [i, source] of sources.entries()) assert.equal((await submitJob(current.url, { source }, { idempotencyKey: `rec-${i}` })).id, ids[i]);
    }

    await waitFor('every job to succeed', async () => {
      const jobs = (await api<{ items: { state: string }[] }>(current.url, '/v1/jobs?limit=100')).body.items;
      return jobs.length === jobCount && jobs.every((j) => j.state === 'succeeded');
    }, { timeoutMs: 60_000 + jobCount * 10_000, intervalMs: 250 });

    const jobs = (await api<{ items: { id: string; state: string }[] }>(current.url, '/v1/jobs?limit=100')).body.items;
    assert.deepEqual(jobs.map((j) => j.id).sort(), [...ids].sort(), 'no job beyond the submitted ones');
    for (const id of ids) {
      const attempts = (await api<Attempts>(current.url, `/v1/jobs/${id}/attempts`)).body.items;
      const succeeded = attempts.filter((a) => a.outcome === 'succeeded');
      assert.equal(succeeded.length, 1, `${id}: one succeeded attempt (${JSON.stringify(attempts)})`);
      assert.ok(attempts.every((a) => a.outcome !== null), `${id}: no attempt left open`);
      await assertCompleteAsset(await loadAsset(path.join(dataDir, 'media', 'assets', id)));
    }
    assert.deepEqual((await readdir(path.join(dataDir, 'media', 'assets'))).sort(), [...ids].sort(), 'one asset directory per job, nothing else');

    const stopped = await current.stop();
    assert.equal(stopped.code, 0, current.stderr());
    assert.deepEqual(running().map((p) => p.cmdline), [], 'no process outlives serve');
    assert.deepEqual(await readdir(path.join(dataDir, 'tasks')), [], 'no task file is left');
    // Workers' temp directories live in <data>/tmp; those a killed serve left are swept at the next start.
    assert.deepEqual(await readdir(path.join(dataDir, 'tmp')), [], 'no worker scratch is left in the data directory');
    // Node's compile cache may live in the system temp directory (shared, wanted); nothing else may.
    // Caches shared by every worker stay: Node's compiled modules and ffmpeg's listings.
    assert.deepEqual((await readdir(tmp)).filter((name) => name !== 'node-compile-cache' && !name.startsWith('ffmpeg-listings-')), [], 'nothing is left in the temp directory');
  });
});
