// PostgreSQL restarted (stopped as by a crash, down for a few seconds, started again) while a real
// `live2vod serve` on it runs jobs: the service keeps running, says it is not ready while the
// store does not answer, recovers by itself when it is back, and loses nothing — every job
// submitted before, and after, ends succeeded once with its asset. The server is the test's own
// (test/helpers/private-postgres.ts), so restarting it does not disturb other tests.
import assert from 'node:assert/strict';
import { link, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { assertCompleteAsset, loadAsset } from '../helpers/asset-checks.ts';
import { makeTestPattern } from '../helpers/media.ts';
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.ts';
import { api, makeTemp, startServeProcess, submitJob, waitFor, type ServeProcess } from '../helpers/serve.ts';

const skip = postgresBinDir() === undefined ? 'needs the PostgreSQL server binaries (apt-get install postgresql)' : false;

interface Attempts {
  items: { number: number; outcome: string | null }[];
}

describe('PostgreSQL restarted under a running serve', { skip, timeout: 150_000 }, () => {
  let root: string;
  let sourceDir: string;
  let sources: string[];
  let server: PrivatePostgres | undefined;
  let serve: ServeProcess | undefined;

  before(async () => {
    root = await makeTemp('live2vod-fault-pg-');
    sourceDir = path.join(root, 'sources');
    await mkdir(sourceDir);
    const pattern = await makeTestPattern(root, { seconds: 1, width: 160, height: 90, rate: 25, audio: 'sine', name: 'pattern.mp4' });
    sources = await Promise.all(Array.from({ length: 6 }, async (_, i) => {
      const file = path.join(sourceDir, `rec-${i}.mp4`);
      await link(pattern, file);
      return file;
    }));
    server = await startPrivatePostgres();
    const admin = new pg.Client({ connectionString: server.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE live2vod');
    await admin.end();
  });

  after(async () => {
    await serve?.stop(5000);
    await server?.dispose();
    await rm(root, { recursive: true, force: true });
  });

  it('recovers by itself and loses no job', async () => {
    assert.ok(server);
    const dataDir = path.join(root, 'data');
    serve = await startServeProcess({
      dataDir,
      config: {
        store: { kind: 'postgres', url: server.url('live2vod') },
        sourceRoots: [sourceDir],
        executor: { concurrency: 2 },
        transcode: { ladder: [{ width: 160, height: 90, bitrateKbps: 150, maxFrameRate: 25 }] },
      },
    });
    const url = serve.url;
    const ids: string[] = [];
    for (const source of sources.slice(0, 3)) ids.push((await submitJob(url, { source })).id);
    await waitFor('a job to run', async () => (await api<{ items: { state: string }[] }>(url, '/v1/jobs')).body.items.some((j) => j.state === 'running'), { timeoutMs: 30_000, intervalMs: 100 });

    // Down as in a crash, for long enough that workers report and the scheduler ticks against it.
    await server.stop('immediate');
    const down = await api<{ status: string; message?: string }>(url, '/readyz');
    assert.equal(down.status, 503, `not ready while the store is down: ${down.text}`);
    assert.match(down.body.message ?? '', /store/);
    await sleep(4000);
    assert.equal(serve.child.exitCode, null, `serve is still running:\n${serve.stderr()}`);
    await server.start();

    await waitFor('serve to be ready again', async () => (await api(url, '/readyz')).status === 200, { timeoutMs: 30_000, intervalMs: 250 });
    for (const source of sources.slice(3)) ids.push((await submitJob(url, { source })).id);
    await waitFor('every job to succeed', async () => {
      const jobs = (await api<{ items: { state: string }[] }>(url, '/v1/jobs?limit=100')).body.items;
      return jobs.length === ids.length && jobs.every((j) => j.state === 'succeeded') && jobs;
    }, { timeoutMs: 90_000, intervalMs: 250 });

    for (const id of ids) {
      const attempts = (await api<Attempts>(url, `/v1/jobs/${id}/attempts`)).body.items;
      assert.equal(attempts.filter((a) => a.outcome === 'succeeded').length, 1, `${id}: ${JSON.stringify(attempts)}`);
      await assertCompleteAsset(await loadAsset(path.join(dataDir, 'media', 'assets', id)));
    }
    assert.equal(serve.child.exitCode, null, 'the same serve process did all of it');
    const stopped = await serve.stop();
    assert.equal(stopped.code, 0, serve.stderr());
  });
});
