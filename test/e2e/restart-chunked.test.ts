// A chunked job under a real `bin/live2vod serve`: killed with SIGKILL once some chunks are done,
// a new serve on the same data dir finishes the asset and encodes only the chunks that were not
// finished; cancelled, it leaves no worker, no scratch and no partial asset.
import assert from 'node:assert/strict';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertCompleteAsset, exists, loadAsset } from '../helpers/asset-checks.ts';
import { makeTestPattern, writeLoggingFfmpeg, type LoggingFfmpeg } from '../helpers/media.ts';
import { api, descendants, isAlive, killLeftovers, makeTemp, processesWithEnv, processRef, startServeProcess, submitJob, tinyTranscode, waitFor, waitForJob, type ProcessRef, type ServeProcess } from '../helpers/serve.ts';

// 15 s in 3 s chunks (3 s segments of 1 s GOPs), two at a time, each chunk's encode reading its
// input at real time (writeLoggingFfmpeg's realTime): the first chunks are done seconds before the
// last on any machine, at little CPU. With one slot the worker encodes both inside itself; with
// two, the control plane runs each chunk as a worker of its own in the two slots.
const modes = [
  { name: 'inside one worker', concurrency: 1, workersAtOnce: 1 },
  { name: 'across two worker slots', concurrency: 2, workersAtOnce: 2 },
] as const;

const transcode = {
  ...tinyTranscode,
  segmentSeconds: 3,
  gopSeconds: 1,
  chunkSeconds: 3,
};

for (const mode of modes) describe(`a chunked job ${mode.name} when serve is killed, and when it is cancelled`, { timeout: 240_000 }, () => {
  let root: string;
  let sourceDir: string;
  let source: string;
  let logged: LoggingFfmpeg;
  let env: NodeJS.ProcessEnv;
  const processes: ServeProcess[] = [];
  // Marks every process these serves start (inherited through the environment).
  const tag = `chunks-${process.pid}-${Date.now()}`;
  const watched: ProcessRef[] = [];

  before(async () => {
    root = await makeTemp('live2vod-e2e-chunks-');
    sourceDir = path.join(root, 'sources');
    await mkdir(sourceDir);
    source = await makeTestPattern(sourceDir, { seconds: 15, width: 320, height: 180, rate: 30, audio: 'sine', name: 'long.mp4' });
    // Real ffmpeg; every chunk encode logs its -ss (0 for the first chunk).
    logged = await writeLoggingFfmpeg(root, { realTime: true });
    env = { LIVE2VOD_FFMPEG: logged.path };
  });

  after(async () => {
    for (const p of processes) await p.stop(2000);
    const leftover = killLeftovers([...watched, ...processesWithEnv('L2V_TEST_RUN', tag)]);
    await rm(root, { recursive: true, force: true });
    assert.deepEqual(leftover, [], 'processes were left running');
  });

  async function serve(dataDir: string, tmp: string): Promise<ServeProcess> {
    await mkdir(tmp, { recursive: true });
    const p = await startServeProcess({ dataDir, config: { executor: { concurrency: mode.concurrency }, transcode, sourceRoots: [sourceDir] }, env: { ...env, TMPDIR: tmp, L2V_TEST_RUN: tag } });
    processes.push(p);
    const ref = processRef(p.pid);
    if (ref) watched.push(ref);
    return p;
  }

  const finishedChunks = async (assetDir: string): Promise<number[]> => {
    const work = path.join(assetDir, '.live2vod-chunks');
    const names = await readdir(work).catch(() => [] as string[]);
    const done: number[] = [];
    for (const name of names.filter((n) => n.startsWith('chunk-'))) if (await exists(path.join(work, name, 'result.json'))) done.push(Number(name.slice(6)));
    return done.sort((a, b) => a - b);
  };
  // Each chunk reads from a second before its start.
  const chunkStart = (index: number): string => (index === 0 ? '0' : (index * transcode.chunkSeconds - 1).toFixed(6));

  it('SIGKILL after some chunks: the next serve finishes the asset and encodes only the unfinished chunks', async () => {
    const dataDir = path.join(root, 'data-kill');
    const first = await serve(dataDir, path.join(root, 'tmp-kill'));
    const job = await submitJob(first.url, { source });
    const assetDir = path.join(dataDir, 'media', 'assets', job.id);
    await waitFor('a first finished chunk', async () => (await finishedChunks(assetDir)).length > 0, { timeoutMs: 60_000, intervalMs: 100 });
    const tree = descendants(first.pid);
    watched.push(...tree);
    // Reading /proc takes a while on a busy machine, long enough to see a worker that finished and
    // the next one it handed over to: only those still alive when the walk is done ran together.
    // Workers are serve's children: a worker's child caught between fork and exec (an ffmpeg being
    // started) still shows the worker's command line.
    const seen = tree.filter((d) => d.ppid === first.pid && / worker --task-file /.test(d.cmdline));
    const together = seen.filter((d) => isAlive(d)).length;
    first.child.kill('SIGKILL');
    assert.ok(seen.length >= 1, 'a worker ran when the first chunk was done');
    assert.ok(together <= mode.workersAtOnce, `${together} worker processes at once (at most ${mode.workersAtOnce})`);
    await first.exited;
    await waitFor('the orphaned worker and every ffmpeg to exit', () => tree.every((d) => !isAlive(d)) && processesWithEnv('L2V_TEST_RUN', tag).length === 0, { timeoutMs: 8000, intervalMs: 100 });
    const kept = await finishedChunks(assetDir);
    assert.ok(kept.length > 0 && kept.length < 5, `some chunks were finished and kept: ${kept.join(', ')}`);

    const second = await serve(dataDir, path.join(root, 'tmp-kill'));
    const done = await waitForJob(second.url, job.id, 'succeeded', { timeoutMs: 120_000 });
    assert.ok(done.asset);
    const asset = await loadAsset(assetDir);
    await assertCompleteAsset(asset);
    assert.deepEqual(asset.manifest.chunks, { count: 5, seconds: 3 });
    const encodes = await logged.encodes();
    for (const index of kept) assert.equal(encodes.filter((s) => s === chunkStart(index)).length, 1, `chunk ${index} was finished before the kill and not encoded again (${encodes.join(' ')})`);
    for (let index = 0; index < 5; index++) assert.ok(encodes.includes(chunkStart(index)), `chunk ${index} was encoded`);
    assert.equal((await second.stop()).code, 0, second.stderr());
  });

  it('cancel mid-way: no worker, no scratch and no partial asset are left', async () => {
    const dataDir = path.join(root, 'data-cancel');
    const tmp = path.join(root, 'tmp-cancel');
    const p = await serve(dataDir, tmp);
    const job = await submitJob(p.url, { source });
    const assetDir = path.join(dataDir, 'media', 'assets', job.id);
    await waitFor('a first finished chunk', async () => (await finishedChunks(assetDir)).length > 0, { timeoutMs: 60_000, intervalMs: 100 });
    const tree = descendants(p.pid);
    watched.push(...tree);
    assert.ok(tree.some((d) => / worker --task-file /.test(d.cmdline)), 'a worker runs');
    assert.equal((await api(p.url, `/v1/jobs/${job.id}/cancel`, { method: 'POST' })).status, 202);
    await waitForJob(p.url, job.id, 'cancelled', { timeoutMs: 20_000 });
    // Every process of this serve but serve itself: workers and ffmpeg, also those started after the snapshot.
    await waitFor('the worker and every ffmpeg to exit', () => tree.every((d) => !isAlive(d)) && processesWithEnv('L2V_TEST_RUN', tag).every((d) => d.pid === p.pid), { timeoutMs: 10_000, intervalMs: 100 });
    await waitFor('the partial asset to be removed', async () => !(await exists(assetDir)), { timeoutMs: 10_000, intervalMs: 100 });
    const scratch = (await readdir(tmp)).filter((n) => n.startsWith('live2vod-'));
    assert.deepEqual(scratch, [], `no scratch directory is left (${await describeDirs(tmp, scratch)})`);
    assert.equal((await p.stop()).code, 0, p.stderr());
  });
});

/** What the leftover directories hold, for the failure message. */
async function describeDirs(root: string, names: string[]): Promise<string> {
  const parts = await Promise.all(names.map(async (name) => `${name}: ${(await readdir(path.join(root, name)).catch(() => [])).join(' ')}`));
  return parts.join('; ');
}
