// LocalExecutor.sweepScratch: a worker temp directory is removed once its worker is gone (a killed
// control plane could not remove it), never while the worker runs, and one without a pid file yet
// (a launch in progress) is left alone.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { LocalExecutor } from '../../src/executors/local-executor.ts';
import { makeTemp } from '../helpers/serve.ts';

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
    const make = async (name: string, pid?: number) => {
      await mkdir(path.join(scratchDir, name, 'live2vod-scratch'), { recursive: true });
      if (pid !== undefined) await writeFile(path.join(scratchDir, name, '.worker-pid'), String(pid));
    };
    await make('live2vod-worker-gone', ended);
    await make('live2vod-worker-alive', process.pid);
    await make('live2vod-worker-starting');
    await make('something-else', ended);
    const executor = new LocalExecutor({ capacity: 1, taskDir: path.join(root, 'tasks'), cliPath: '/nonexistent', scratchDir });
    const removed = await executor.sweepScratch();
    assert.deepEqual(removed, [path.join(scratchDir, 'live2vod-worker-gone')]);
    assert.deepEqual((await readdir(scratchDir)).sort(), ['live2vod-worker-alive', 'live2vod-worker-starting', 'something-else']);
  });

  it('does nothing without a scratch directory of its own (the shared system temp is not swept)', async () => {
    const executor = new LocalExecutor({ capacity: 1, taskDir: '/nonexistent', cliPath: '/nonexistent' });
    assert.deepEqual(await executor.sweepScratch(), []);
  });
});
