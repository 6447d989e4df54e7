// The control plane's resident memory at rest, zero-config (SQLite, local workers, no S3): at most
// 120 MB. It was 195 MB while the Kubernetes client, kubernetes-models, the S3 SDK and pg loaded
// at start-up whatever the configuration; they are now imported by the factory that needs them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { cliPath } from '../helpers/media.ts';
import { cleanEnv, makeTemp } from '../helpers/serve.ts';

const limitMb = 120;
/**
 * Start-up done (the banner printed), then this long at rest before reading VmRSS: past the first
 * run of every periodic task serve has (scheduler tick and delivery poll 1 s, watch folder 2 s),
 * with room for a busy machine.
 */
const settleMs = 3500;

function residentMb(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  assert.ok(kb !== undefined, 'VmRSS is in /proc/<pid>/status');
  return Number(kb) / 1024;
}

/** Starts `serve` zero-config in `dataDir`; resolves with the child and its dashboard URL once it answers /readyz. */
async function startServe(dataDir: string): Promise<{ child: ReturnType<typeof spawn>; url: string }> {
  // No --config, no LIVE2VOD_* variables: the defaults a first `live2vod serve` runs with.
  const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--data', dataDir], { cwd: dataDir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
  child.stderr?.resume();
  const deadline = Date.now() + 20_000;
  while (!/dashboard\s+http:\/\//.test(out)) {
    assert.equal(child.exitCode, null, `serve exited before listening:\n${out}`);
    assert.ok(Date.now() < deadline, `serve printed no banner:\n${out}`);
    await sleep(50);
  }
  const url = /dashboard\s+(http:\/\/\S+?)\/?\s*$/m.exec(out)?.[1];
  assert.ok(url, out);
  assert.equal((await fetch(`${url}/readyz`)).status, 200, 'the service is up, not merely started');
  return { child, url };
}

async function stop(child: ReturnType<typeof spawn>): Promise<void> {
  child.kill('SIGTERM');
  if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
}

describe('live2vod serve at rest', { timeout: 60_000 }, () => {
  it(`stays under ${limitMb} MB resident with zero configuration`, async () => {
    const dataDir = await makeTemp('live2vod-rss-');
    try {
      // The first start on a machine compiles every module (type stripping included) into the
      // compile cache, ~25 MB more for that process's life; the container image ships the cache
      // warm, and every later start reads it. Measured: the start after that first one.
      await stop((await startServe(dataDir)).child);
      const { child } = await startServe(dataDir);
      try {
        await sleep(settleMs);
        const pid = child.pid;
        assert.ok(pid !== undefined);
        const rss = residentMb(pid);
        process.stdout.write(`# idle RSS of live2vod serve (zero-config): ${rss.toFixed(1)} MB (limit ${limitMb} MB)\n`);
        assert.ok(rss <= limitMb, `idle RSS ${rss.toFixed(1)} MB is over ${limitMb} MB: something the configuration does not use is loaded at start-up`);
      } finally {
        await stop(child);
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
