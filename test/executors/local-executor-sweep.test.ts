// LocalExecutor.sweepScratch: a worker temp directory is removed once its worker is gone (a killed
// control plane could not remove it), or, without the worker's pid (its control plane died between
// the spawn and writing it), once that control plane is gone; never while either runs.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { LocalExecutor } from '../../src/executors/local-executor.ts';
import { makeTemp, waitFor } from '../helpers/serve.ts';

describe('LocalExecutor.sweepScratch', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('removes the directories of workers that are gone, keeps the others', async () => {
    const root = await makeTemp('live2vod-sweep-');
    dirs.push(root);
    const scratchDir = path.join(root, 'tmp');
    // A pid that surely ended: a child that has exited and been reaped.
    const ended = spawnSync('true').pid;
    assert.ok(ended !== undefined);
    const make = async (name: string, pids: { worker?: number; owner?: number } = {}) => {
      await mkdir(path.join(scratchDir, name, 'live2vod-scratch'), { recursive: true });
      if (pids.worker !== undefined) await writeFile(path.join(scratchDir, name, '.worker-pid'), String(pids.worker));
      if (pids.owner !== undefined) await writeFile(path.join(scratchDir, name, '.owner-pid'), String(pids.owner));
    };
    await make('live2vod-worker-gone', { worker: ended, owner: process.pid });
    await make('live2vod-worker-alive', { worker: process.pid, owner: ended });
    // Its control plane was killed between the spawn and the worker's pid file: the owner decides.
    await make('live2vod-worker-orphaned', { owner: ended });
    await make('live2vod-worker-starting', { owner: process.pid });
    await make('live2vod-worker-unowned');
    await make('something-else', { worker: ended });
    const executor = new LocalExecutor({ capacity: 1, taskDir: path.join(root, 'tasks'), cliPath: '/nonexistent', scratchDir });
    const removed = await executor.sweepScratch();
    assert.deepEqual(removed.sort(), [path.join(scratchDir, 'live2vod-worker-gone'), path.join(scratchDir, 'live2vod-worker-orphaned')]);
    assert.deepEqual((await readdir(scratchDir)).sort(), ['live2vod-worker-alive', 'live2vod-worker-starting', 'live2vod-worker-unowned', 'something-else']);
  });

  it('takes a zombie for gone: a reparented worker that its new parent has not reaped yet', async () => {
    const root = await makeTemp('live2vod-sweep-zombie-');
    dirs.push(root);
    const scratchDir = path.join(root, 'tmp');
    // `sleep 0` ends at once, but its parent became `sleep 60` (exec), which never reaps it. The
    // parent outlives any wait here (it is killed at the end): once it ends, init reaps the zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const zombie = Number((await once(parent.stdout, 'data'))[0]);
    try {
      await waitFor('the child to be a zombie', async () => (await readFile(`/proc/${zombie}/stat`, 'utf8').catch(() => '')).includes(') Z '), { timeoutMs: 15_000, intervalMs: 20 });
      await mkdir(path.join(scratchDir, 'live2vod-worker-zombie'), { recursive: true });
      await writeFile(path.join(scratchDir, 'live2vod-worker-zombie', '.worker-pid'), String(zombie));
      const executor = new LocalExecutor({ capacity: 1, taskDir: path.join(root, 'tasks'), cliPath: '/nonexistent', scratchDir });
      assert.deepEqual(await executor.sweepScratch(), [path.join(scratchDir, 'live2vod-worker-zombie')]);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('does nothing without a scratch directory of its own (the shared system temp is not swept)', async () => {
    const executor = new LocalExecutor({ capacity: 1, taskDir: '/nonexistent', cliPath: '/nonexistent' });
    assert.deepEqual(await executor.sweepScratch(), []);
  });
});
