// The Executor conformance suite against the LocalExecutor: real child processes, each a FAKE
// worker (fake-worker.ts) that the test ends with an exit code. Stop requests are counted where
// they are made: process.kill of the worker's process group with SIGTERM.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalExecutor } from '../../src/executors/local-executor.ts';
import { makeTemp, waitFor } from '../helpers/serve.ts';
import { runExecutorConformance, type ExecutorUnderTest } from './conformance.ts';

const fakeWorker = fileURLToPath(new URL('./fake-worker.ts', import.meta.url));

runExecutorConformance('local', async ({ capacity }): Promise<ExecutorUnderTest> => {
  const dir = await makeTemp('live2vod-local-executor-');
  const control = path.join(dir, 'control');
  await mkdir(control);
  const executor = new LocalExecutor({ capacity, taskDir: path.join(dir, 'tasks'), cliPath: fakeWorker, killGraceMs: 5000, env: { FAKE_WORKER_DIR: control } });
  const file = (unit: string, ext: string) => path.join(control, `${unit.replace('/', '~')}.${ext}`);
  const pids = new Map<string, number>();

  const signals: { pid: number; signal: string | number | undefined }[] = [];
  const kill = process.kill.bind(process);
  process.kill = (pid: number, signal?: string | number): true => {
    signals.push({ pid, signal });
    return kill(pid, signal);
  };

  return {
    executor,
    async started(unit) {
      const pid = await waitFor(`the fake worker of ${unit} to start`, async () => {
        const text = await readFile(file(unit, 'pid'), 'utf8').catch(() => '');
        return text ? Number(text) : undefined;
      }, { timeoutMs: 10_000, intervalMs: 5 });
      pids.set(unit, pid);
    },
    async finish(unit, exitCode) {
      await writeFile(file(unit, 'exit'), String(exitCode));
    },
    stopRequests(unit) {
      const pid = pids.get(unit);
      if (pid === undefined) return 0;
      // The executor signals the worker's process group (detached: its pid).
      return signals.filter((s) => s.pid === -pid && s.signal === 'SIGTERM').length;
    },
    async cleanup() {
      await executor.close();
      process.kill = kill;
      await rm(dir, { recursive: true, force: true });
    },
  };
}, { groups: false });
