// The whole service on the PostgreSQL store (real server: LIVE2VOD_TEST_POSTGRES_URL, by default
// the local one with trust auth). This file gets its own database, dropped at the end. Real
// workers and ffmpeg; tiny sources and a one-rung ladder.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { ApiJob } from '../../src/http/api-schemas.ts';
import { assertCompleteAsset, exists, loadAsset } from '../helpers/asset-checks.ts';
import { makeTestPattern } from '../helpers/media.ts';
import { api, makeTemp, startTestService, submitJob, waitForJob, type TestService } from '../helpers/serve.ts';
import { admin, postgresServerUrl as serverUrl, throwawayDatabase } from '../helpers/postgres.ts';

const { database, databaseUrl } = throwawayDatabase('live2vod_e2e');

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const skip = (await reachable()) ? false : `no PostgreSQL at ${serverUrl}`;

interface Attempts {
  items: { number: number; outcome: string | null; counts: boolean }[];
}

describe('live2vod serve on PostgreSQL', { skip, timeout: 120_000 }, () => {
  let root: string;
  let sourceDir: string;
  let original: string;
  const services: TestService[] = [];

  before(async () => {
    await admin(`CREATE DATABASE ${database}`);
    root = await makeTemp('live2vod-e2e-pg-');
    sourceDir = path.join(root, 'sources');
    await mkdir(sourceDir);
    original = await makeTestPattern(sourceDir, { seconds: 3, width: 320, height: 180, rate: 30, audio: 'sine', name: 'original.mp4' });
  });

  after(async () => {
    for (const s of services) await s.dispose();
    await rm(root, { recursive: true, force: true });
    await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  async function start(schema: string, name: string): Promise<TestService> {
    const service = await startTestService({
      dataDir: path.join(root, name),
      // No quality sampling: one ffmpeg less per job, and nothing here looks at it.
      overrides: { store: { kind: 'postgres', url: databaseUrl, schema }, sourceRoots: [sourceDir], executor: { concurrency: 1 } },
    });
    services.push(service);
    return service;
  }

  async function copyOfSource(name: string): Promise<string> {
    const file = path.join(sourceDir, name);
    await copyFile(original, file);
    return file;
  }

  it('a job submitted through the API completes', async () => {
    const service = await start('single', 'data-single');
    assert.equal(service.config.store.kind, 'postgres');
    const created = await submitJob(service.url, { source: await copyOfSource('single.mp4'), priority: 'high' });
    const again = await api<ApiJob>(service.url, '/v1/jobs', { body: { source: created.source } });
    assert.equal(again.status, 200, 'the same recording is the same job');
    assert.equal(again.body.id, created.id);
    const done = await waitForJob(service.url, created.id, 'succeeded', { timeoutMs: 60_000 });
    assert.equal(done.attempts, 1);
    assert.ok(done.asset);
    const master = await fetch(done.asset.master);
    assert.equal(master.status, 200);
    assert.match(await master.text(), /^#EXTM3U/);
    const attempts = await api<Attempts>(service.url, `/v1/jobs/${created.id}/attempts`);
    assert.deepEqual(attempts.body.items.map((a) => [a.number, a.outcome, a.counts]), [[1, 'succeeded', true]]);
    const asset = await loadAsset(path.join(service.dataDir, 'media', 'assets', created.id));
    await assertCompleteAsset(asset);
    // It is in PostgreSQL, not in a SQLite file.
    assert.equal(await exists(path.join(service.dataDir, 'live2vod.db')), false);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ state: string }>('SELECT state FROM single.jobs WHERE id = $1', [created.id]);
      assert.deepEqual(rows, [{ state: 'succeeded' }]);
    } finally {
      await client.end();
    }
    const ready = await api<{ status: string }>(service.url, '/readyz');
    assert.equal(ready.status, 200);
  });

  it('two services on one database with one slot each never run a job twice', async () => {
    const a = await start('shared', 'data-a');
    const b = await start('shared', 'data-b');
    const jobs: ApiJob[] = [];
    for (let i = 0; i < 4; i++) {
      // Half through each service's API.
      jobs.push(await submitJob(i % 2 === 0 ? a.url : b.url, { source: await copyOfSource(`shared-${i}.mp4`) }));
    }
    for (const job of jobs) {
      // Either service answers for every job: one store.
      const done = await waitForJob(a.url, job.id, 'succeeded', { timeoutMs: 90_000 });
      assert.equal(done.attempts, 1);
      const attempts = await api<Attempts>(b.url, `/v1/jobs/${job.id}/attempts`);
      assert.deepEqual(attempts.body.items.map((x) => [x.outcome, x.counts]), [['succeeded', true]], `job ${job.id} ran exactly once`);
    }
    // Each asset was written by exactly one of them (into its own data dir), completely.
    const ranOn = { a: 0, b: 0 };
    for (const job of jobs) {
      const inA = await exists(path.join(a.dataDir, 'media', 'assets', job.id, 'manifest.json'));
      const inB = await exists(path.join(b.dataDir, 'media', 'assets', job.id, 'manifest.json'));
      assert.ok(inA !== inB, `job ${job.id}: asset in a: ${inA}, in b: ${inB}`);
      ranOn[inA ? 'a' : 'b'] += 1;
      await assertCompleteAsset(await loadAsset(path.join(inA ? a.dataDir : b.dataDir, 'media', 'assets', job.id)));
    }
    assert.ok(ranOn.a > 0 && ranOn.b > 0, `both services took jobs: ${JSON.stringify(ranOn)}`);
    const list = await api<{ items: ApiJob[] }>(b.url, '/v1/jobs?state=succeeded');
    assert.deepEqual(new Set(list.body.items.map((j) => j.id)), new Set(jobs.map((j) => j.id)));
  });
});
