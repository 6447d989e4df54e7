// The HTTP API through buildApp + app.inject: a real SQLite store in a temp dir, the real intake
// service, adapters and metrics, and a real Scheduler whose LocalExecutor has no slots (capacity 0),
// so jobs stay queued and no worker ever starts.
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { LocalExecutor } from '../../src/executors/local-executor.ts';
import type { ApiJob } from '../../src/http/api-schemas.ts';
import { buildApp } from '../../src/http/app.ts';
import { buildAdapters } from '../../src/ingest/adapters.ts';
import { standardWebhookHeaders } from '../../src/webhooks/standard-webhooks.ts';
import { assetDirUrl } from '../../src/jobs/asset-urls.ts';
import { IntakeService } from '../../src/jobs/intake-service.ts';
import { jobToken } from '../../src/jobs/job-token.ts';
import type { WorkerReport } from '../../src/jobs/worker-report.ts';
import type { SourceKind } from '../../src/jobs/job.ts';
import { JobCommands } from '../../src/jobs/job-commands.ts';
import { JobEvents } from '../../src/jobs/job-events.ts';
import { Scheduler } from '../../src/jobs/scheduler.ts';
import { DiskUploadStaging } from '../../src/http/upload-staging-disk.ts';
import { SourcePolicy } from '../../src/jobs/source-policy.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { recordResponses } from '../helpers/openapi-responses.ts';
import { assetManifestReader } from '../../src/storage/read-asset-manifest.ts';
import { makeTemp, openSse } from '../helpers/serve.ts';

const hookToken = 'hook-token-123';
const genericSecret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
const apiToken = 'api-token-0001';

interface Harness {
  app: FastifyInstance;
  store: Store;
  scheduler: Scheduler;
  config: Config;
  close(): Promise<void>;
}

let root: string;
let recordDir: string;
let sourceDir: string;
let outsideDir: string;

async function harness(overrides: Record<string, unknown> = {}): Promise<Harness> {
  const dataDir = path.join(root, `data-${Math.random().toString(36).slice(2)}`);
  await mkdir(path.join(dataDir, 'media'), { recursive: true });
  const config = await loadConfig({
    env: {},
    overrides: {
      dataDir, recordDir, sourceRoots: [sourceDir], logLevel: 'silent',
      ingest: {
        nginxRtmp: { token: hookToken },
        srs: { token: hookToken },
        mediamtx: { token: hookToken },
        s3: { token: hookToken },
        generic: { secret: genericSecret },
      },
      ...overrides,
    },
  });
  const store = await openSqliteStore(path.join(dataDir, 'live2vod.db'));
  const events = new JobEvents();
  const executor = new LocalExecutor({ capacity: 0, taskDir: path.join(dataDir, 'tasks'), cliPath: '/nonexistent' });
  const scheduler = new Scheduler({
    store, executor, events, owner: 'routes-test', leaseMs: 30_000, backoff: { baseMs: 100, maxMs: 1000 },
    buildTask: () => { throw new Error('no task is ever built in this test'); },
  });
  const intake = new IntakeService({
    store, events,
    sources: new SourcePolicy([path.join(dataDir, 'inbox'), recordDir, sourceDir]),
    maxAttempts: config.jobs.maxAttempts,
    defaultPriority: (kind: SourceKind) => (kind === 'watch' ? 'low' : 'normal'),
    onCreated: () => scheduler.kick(),
    readAssetManifest: assetManifestReader(path.join(dataDir, 'media'), undefined),
  });
  const app = await buildApp({
    config, store, events, intake, scheduler,
    commands: new JobCommands({ store, events, scheduler }),
    metrics: createMetrics(store, () => executor.running().length),
    adapters: buildAdapters(config, recordDir),
    mediaRoot: path.join(dataDir, 'media'),
    uploads: new DiskUploadStaging(path.join(dataDir, 'uploads')),
    assetDirUrl: assetDirUrl({ kind: 'public', baseUrl: 'http://media.test/media' }),
    callbackSecret: 'test-secret',
  });
  // Every JSON answer this app gives in a test must match the document it serves.
  const responses = recordResponses(app);
  return {
    app, store, scheduler, config,
    async close() {
      const problems = await responses.check();
      assert.deepEqual(problems, [], 'responses that do not match /openapi.json');
      await app.close();
      await scheduler.stop();
      await store.close();
    },
  };
}

async function writeRecording(dir: string, name: string, bytes = 64): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, Buffer.alloc(bytes, 7));
  return file;
}

function json<T>(response: { body: string }): T {
  return JSON.parse(response.body) as T;
}

function nginxForm(fields: Record<string, string>): string {
  return new URLSearchParams({ app: 'live', flashver: 'FMLE/3.0', swfurl: '', tcurl: 'rtmp://127.0.0.1/live', pageurl: '', addr: '127.0.0.1', clientid: '1', call: 'record_done', recorder: '', name: 'keynote', ...fields }).toString();
}

before(async () => {
  root = await makeTemp('live2vod-routes-');
  recordDir = path.join(root, 'rec');
  sourceDir = path.join(root, 'sources');
  outsideDir = path.join(root, 'outside');
  await Promise.all([recordDir, sourceDir, outsideDir].map((d) => mkdir(d, { recursive: true })));
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('/v1/jobs', () => {
  let h: Harness;
  before(async () => { h = await harness(); });
  after(async () => { await h.close(); });

  it('creates a job (201) and answers a duplicate Idempotency-Key with the same job (200)', async () => {
    const source = await writeRecording(sourceDir, 'idem.mp4');
    const first = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'idempotency-key': 'cms-1' }, payload: { source, priority: 'high', metadata: { title: 'Keynote' } } });
    assert.equal(first.statusCode, 201, first.body);
    const job = json<ApiJob>(first);
    assert.equal(first.headers.location, `/v1/jobs/${job.id}`);
    assert.equal(job.state, 'queued');
    assert.equal(job.priority, 'high');
    assert.equal(job.sourceKind, 'api');
    assert.deepEqual(job.metadata, { title: 'Keynote' });
    assert.equal(job.playableUrl, null);
    assert.equal(job.asset, null);

    const again = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'idempotency-key': 'cms-1' }, payload: { source, priority: 'high', metadata: { title: 'Keynote' } } });
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(json<ApiJob>(again).id, job.id);
    // The same key with another body is a mistake, not a replay: 409, naming the job.
    for (const payload of [{ source }, { source, metadata: { title: 'Other' } }, { source: await writeRecording(sourceDir, 'idem-other.mp4'), metadata: { title: 'Keynote' } }]) {
      const reused = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'idempotency-key': 'cms-1' }, payload });
      assert.equal(reused.statusCode, 409, `${JSON.stringify(payload)}: ${reused.body}`);
      assert.equal(json<{ error: string }>(reused).error, 'idempotency_key_reused');
      assert.match(json<{ message: string }>(reused).message, new RegExp(job.id));
    }
    // Another key for the same file is another job.
    const other = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'idempotency-key': 'cms-2' }, payload: { source } });
    assert.equal(other.statusCode, 201);
    assert.notEqual(json<ApiJob>(other).id, job.id);
  });

  it('without a key, the same unchanged file is the same job; a changed file is a new one', async () => {
    const source = await writeRecording(sourceDir, 'nokey.mp4');
    const first = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source } });
    assert.equal(first.statusCode, 201, first.body);
    const second = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source } });
    assert.equal(second.statusCode, 200, second.body);
    assert.equal(json<ApiJob>(second).id, json<ApiJob>(first).id);
    await writeRecording(sourceDir, 'nokey.mp4', 128);
    const third = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source } });
    assert.equal(third.statusCode, 201, third.body);
  });

  it('with an Idempotency-Key, a missing or empty file is refused as without one', async () => {
    for (const source of [path.join(sourceDir, 'not-there.mp4'), await writeRecording(sourceDir, 'keyed-empty.mp4', 0)]) {
      const response = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'idempotency-key': `missing-${path.basename(source)}` }, payload: { source } });
      assert.equal(response.statusCode, 422, response.body);
      assert.match(json<{ message: string }>(response).message, /does not exist|empty/);
    }
  });

  it('a URL is one job while its job runs, and a new one once that job ended', async () => {
    const source = 'https://media.example.com/rec/reposted.mp4';
    const first = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source } });
    assert.equal(first.statusCode, 201, first.body);
    const same = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source } });
    assert.equal(same.statusCode, 200, same.body);
    assert.equal(json<ApiJob>(same).id, json<ApiJob>(first).id);
    const cancel = await h.app.inject({ method: 'POST', url: `/v1/jobs/${json<ApiJob>(first).id}/cancel` });
    assert.equal(cancel.statusCode, 202, cancel.body);
    // The content behind a URL may have changed: a re-post after the job ended is a new job…
    const second = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source } });
    assert.equal(second.statusCode, 201, second.body);
    assert.notEqual(json<ApiJob>(second).id, json<ApiJob>(first).id);
    // …and while that one runs, re-posts find it.
    const third = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source } });
    assert.equal(third.statusCode, 200, third.body);
    assert.equal(json<ApiJob>(third).id, json<ApiJob>(second).id);
  });

  it('refuses unusable sources with 422 and says why', async () => {
    const outside = await writeRecording(outsideDir, 'elsewhere.mp4');
    const cases: [string, RegExp][] = [
      [outside, /must lie under/],
      [path.join(sourceDir, 'missing.mp4'), /does not exist/],
      ['relative/file.mp4', /absolute path/],
      ['gopher://example.com/x.mp4', /scheme "gopher:\/\/" is not supported.*s3:\/\/bucket\/key/],
      ['ftp://example.com/x.mp4', /scheme "ftp:\/\/" is not supported/],
      ['s3://-bad/x.mp4', /invalid bucket name "-bad"/],
      ['s3://rec/live/', /names an S3 prefix/],
      [`${sourceDir}/../outside/elsewhere.mp4`, /must lie under/],
    ];
    for (const [source, message] of cases) {
      const response = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source } });
      assert.equal(response.statusCode, 422, `${source}: ${response.body}`);
      const body = json<{ error: string; message: string }>(response);
      assert.equal(body.error, 'unusable_source');
      assert.match(body.message, message, source);
    }
    // An empty file in a root is not a recording either.
    const empty = await writeRecording(sourceDir, 'empty.mp4', 0);
    const response = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: empty } });
    assert.equal(response.statusCode, 422);
    assert.match(json<{ message: string }>(response).message, /empty/);
    // An s3:// source is accepted without looking at anything.
    const s3 = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: 's3://rec/live/show.mp4' } });
    assert.equal(s3.statusCode, 201, s3.body);
    // So is an https:// source: the address policy applies where it is fetched, on every hop.
    const https = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: 'https://media.example.com/rec/show.mp4' } });
    assert.equal(https.statusCode, 201, https.body);
  });

  it('answers 400 for unknown body keys, a bad priority and non-JSON', async () => {
    const source = await writeRecording(sourceDir, 'bad-body.mp4');
    const unknown = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source, colour: 'red' } });
    assert.equal(unknown.statusCode, 400);
    assert.equal(json<{ error: string }>(unknown).error, 'invalid_request');
    assert.match(json<{ message: string }>(unknown).message, /colour/);
    const priority = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source, priority: 'asap' } });
    assert.equal(priority.statusCode, 400);
    assert.match(json<{ message: string }>(priority).message, /priority/);
    const missing = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: {} });
    assert.equal(missing.statusCode, 400);
    const notJson = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'content-type': 'application/json' }, payload: '{"source": ' });
    assert.equal(notJson.statusCode, 400);
    const longKey = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'idempotency-key': 'k'.repeat(201) }, payload: { source } });
    assert.equal(longKey.statusCode, 422);
  });

  it('lists with filters and cursor paging, newest first', async () => {
    const created: ApiJob[] = [];
    for (let i = 0; i < 7; i++) {
      const response = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'idempotency-key': `page-${i}` }, payload: { source: `s3://pages/obj-${i}.mp4`, priority: i % 2 === 0 ? 'low' : 'urgent' } });
      assert.equal(response.statusCode, 201);
      created.push(json<ApiJob>(response));
    }
    const ids = new Set(created.map((j) => j.id));
    // Page through the low ones, 2 at a time.
    const seen: ApiJob[] = [];
    let cursor: number | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/jobs?priority=low&limit=2${cursor !== null ? `&cursor=${cursor}` : ''}`;
      const response: LightMyRequestResponse = await h.app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 200, response.body);
      const page = json<{ items: ApiJob[]; nextCursor: number | null }>(response);
      assert.ok(page.items.length <= 2);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    const lowCreated = created.filter((j) => j.priority === 'low').map((j) => j.id);
    assert.equal(seen.length, lowCreated.length, 'every low job once');
    assert.ok(seen.every((j) => j.priority === 'low'));
    assert.deepEqual(seen.map((j) => j.id), [...lowCreated].reverse(), 'newest first across pages');
    assert.equal(pages, 2);

    const urgent = json<{ items: ApiJob[] }>(await h.app.inject({ method: 'GET', url: '/v1/jobs?priority=urgent,high&state=queued&source=api&limit=500' }));
    const createdUrgent = created.filter((j) => j.priority === 'urgent').map((j) => j.id);
    assert.deepEqual(urgent.items.filter((j) => ids.has(j.id)).map((j) => j.id), [...createdUrgent].reverse());
    assert.ok(urgent.items.every((j) => (j.priority === 'urgent' || j.priority === 'high') && j.state === 'queued'));
    const none = json<{ items: ApiJob[]; nextCursor: number | null }>(await h.app.inject({ method: 'GET', url: '/v1/jobs?state=succeeded' }));
    assert.deepEqual(none, { items: [], nextCursor: null });
    const s3only = json<{ items: ApiJob[] }>(await h.app.inject({ method: 'GET', url: '/v1/jobs?source=s3' }));
    assert.equal(s3only.items.length, 0, 'these were created through the API');

    for (const bad of ['state=done', 'priority=asap', 'limit=0', 'limit=501', 'cursor=abc', 'colour=red']) {
      const response = await h.app.inject({ method: 'GET', url: `/v1/jobs?${bad}` });
      assert.equal(response.statusCode, 400, `${bad}: ${response.body}`);
    }
  });

  it('gets one job, and 404 for an unknown one', async () => {
    const created = json<ApiJob>(await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: 's3://get/one.mp4' } }));
    const response = await h.app.inject({ method: 'GET', url: `/v1/jobs/${created.id}` });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(json<ApiJob>(response), created);
    for (const url of ['/v1/jobs/nope', '/v1/jobs/nope/attempts', '/v1/jobs/nope/log', '/v1/jobs/nope/events', '/v1/assets/nope']) {
      const missing = await h.app.inject({ method: 'GET', url });
      assert.equal(missing.statusCode, 404, url);
      assert.equal(json<{ error: string }>(missing).error, 'not_found');
    }
    for (const url of ['/v1/jobs/nope/cancel', '/v1/jobs/nope/retry']) {
      assert.equal((await h.app.inject({ method: 'POST', url })).statusCode, 404, url);
    }
    assert.equal((await h.app.inject({ method: 'PATCH', url: '/v1/jobs/nope', payload: { priority: 'low' } })).statusCode, 404);
    // Not a finished asset yet: 409 with the job.
    const asset = await h.app.inject({ method: 'GET', url: `/v1/assets/${created.id}` });
    assert.equal(asset.statusCode, 409);
    assert.equal(json<{ error: string }>(asset).error, 'not_ready');
  });

  it('clips: 404 for an unknown job, 409 until the parent succeeded, 400 for a range outside it; 201 with a clip job naming its parent', async () => {
    // A harness of its own: the claim below must find this parent, not a job another test left queued.
    const h = await harness();
    try {
      const parent = json<ApiJob>(await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: 's3://clips/parent.mp4' } }));
      assert.equal(parent.kind, 'transcode');
      assert.equal(parent.parentJobId, null);
      const clip = (id: string, payload: unknown) => h.app.inject({ method: 'POST', url: `/v1/jobs/${id}/clips`, payload: payload as Record<string, unknown> });
      assert.equal((await clip('nope', { start: 1, end: 5 })).statusCode, 404);
      const unfinished = await clip(parent.id, { start: 1, end: 5 });
      assert.equal(unfinished.statusCode, 409);
      assert.equal(json<{ error: string }>(unfinished).error, 'not_finished');
      assert.match(json<{ message: string }>(unfinished).message, /is queued; .* wait until the job has succeeded/);
      // An ended job will not finish by waiting: the answer says to retry it.
      const ended = json<ApiJob>(await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: 's3://clips/ended.mp4' } }));
      assert.equal((await h.app.inject({ method: 'POST', url: `/v1/jobs/${ended.id}/cancel` })).statusCode, 202);
      assert.match(json<{ message: string }>(await clip(ended.id, { start: 1, end: 5 })).message, new RegExp(`is cancelled; .* so retry it \\(POST /v1/jobs/${ended.id}/retry\\)`));
      // The parent finishes: claimed and settled as the scheduler would, with its manifest.json in place.
      assert.equal((await h.store.claimNext({ owner: 'routes-test', now: new Date(), leaseMs: 30_000 }))?.id, parent.id);
      await h.store.finishAttempt(parent.id, 'routes-test', { state: 'succeeded' }, new Date());
      const dir = path.join(h.config.dataDir, 'media', parent.outputPrefix);
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ duration: 30 }));
      const refused: [unknown, RegExp][] = [
        [{ start: 10, end: 31 }, /past the end of the asset \(30 s\)/],
        [{ start: 12, end: 12 }, /must be after start/],
        [{ start: 12, end: 12.5 }, /at least 1 s/],
        [{ start: -1, end: 5 }, /start/],
        [{ start: 1 }, /end/],
        [{ start: 1, end: 5, extra: true }, /extra/],
      ];
      for (const [body, message] of refused) {
        const answer = await clip(parent.id, body);
        assert.equal(answer.statusCode, 400, JSON.stringify(body));
        assert.match(json<{ message: string }>(answer).message, message);
      }
      const made = await clip(parent.id, { start: 2.5, end: 12, title: 'Q3 results', priority: 'high' });
      assert.equal(made.statusCode, 201);
      const job = json<ApiJob>(made);
      assert.equal(made.headers.location, `/v1/jobs/${job.id}`);
      assert.equal(job.kind, 'clip');
      assert.equal(job.parentJobId, parent.id);
      assert.deepEqual(job.clip, { start: 2.5, end: 12, title: 'Q3 results' });
      assert.equal(job.priority, 'high');
      assert.equal(job.state, 'queued');
      assert.deepEqual(json<ApiJob>(await h.app.inject({ method: 'GET', url: `/v1/jobs/${job.id}` })), job);
    } finally {
      // Checks every answer above against /openapi.json.
      await h.close();
    }
  });

  it('trim: 400 for a bad one, saying what is wrong; kept and shown as asked; a job\'s clips listed by ?parent=', async () => {
    const source = await writeRecording(sourceDir, 'trim.mp4');
    const refused: [unknown, RegExp][] = [
      ['always', /trim must be "auto", "none" or \{start, end\}/],
      [{ start: -1, end: 5 }, /trim\.start must be ≥ 0/],
      [{ start: 10, end: 10 }, /trim\.end must be after trim\.start/],
      [{ start: 10, end: 4 }, /trim\.end must be after trim\.start/],
      [{ start: 1 }, /trim must be "auto", "none" or \{start, end\}/],
      [{ start: 1, end: 5, title: 'x' }, /trim must be|title/],
      [7, /trim must be "auto", "none" or \{start, end\}/],
    ];
    for (const [trim, message] of refused) {
      const answer = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source, trim } });
      assert.equal(answer.statusCode, 400, JSON.stringify(trim));
      assert.equal(json<{ error: string }>(answer).error, 'invalid_request');
      assert.match(json<{ message: string }>(answer).message, message, JSON.stringify(trim));
    }
    const asked = async (key: string, trim?: unknown) => json<ApiJob>(await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'idempotency-key': key }, payload: { source, ...(trim === undefined ? {} : { trim }) } }));
    const auto = await asked('trim-auto', 'auto');
    assert.equal(auto.trim, 'auto');
    assert.deepEqual((await asked('trim-range', { start: 14.5, end: 50 })).trim, { start: 14.5, end: 50 });
    assert.equal((await asked('trim-none', 'none')).trim, null);
    assert.equal((await asked('trim-absent')).trim, null);
    assert.deepEqual(json<ApiJob>(await h.app.inject({ method: 'GET', url: `/v1/jobs/${auto.id}` })).trim, 'auto');
    // The trimmed asset is a clip job of its parent: found by ?parent=.
    const { job: child } = await h.store.createJob({ kind: 'clip', parentJobId: auto.id, clip: { start: 1, end: 5 }, idempotencyKey: `clip:${auto.id}:trim`, source: auto.source, sourceKind: 'api', priority: 'normal', metadata: { clipOf: auto.id, trimOf: auto.id }, maxAttempts: 3 }, new Date());
    const listed = json<{ items: ApiJob[] }>(await h.app.inject({ method: 'GET', url: `/v1/jobs?parent=${auto.id}` }));
    assert.deepEqual(listed.items.map((j) => j.id), [child.id]);
    assert.equal(listed.items[0]?.metadata['trimOf'], auto.id);
  });

  it('changes the priority while queued (409 otherwise); cancels a queued job; retries a cancelled one', async () => {
    const created = json<ApiJob>(await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: 's3://life/cycle.mp4', priority: 'low' } }));
    const patched = await h.app.inject({ method: 'PATCH', url: `/v1/jobs/${created.id}`, payload: { priority: 'urgent' } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(json<ApiJob>(patched).priority, 'urgent');
    assert.equal((await h.store.getJob(created.id))?.priority, 'urgent');
    const badPatch = await h.app.inject({ method: 'PATCH', url: `/v1/jobs/${created.id}`, payload: { priority: 'urgent', state: 'running' } });
    assert.equal(badPatch.statusCode, 400);

    // A queued job cannot be retried.
    assert.equal((await h.app.inject({ method: 'POST', url: `/v1/jobs/${created.id}/retry` })).statusCode, 409);

    const cancelled = await h.app.inject({ method: 'POST', url: `/v1/jobs/${created.id}/cancel` });
    assert.equal(cancelled.statusCode, 202, cancelled.body);
    assert.equal(json<ApiJob>(cancelled).state, 'cancelled');
    assert.equal((await h.store.getJob(created.id))?.state, 'cancelled');

    const late = await h.app.inject({ method: 'PATCH', url: `/v1/jobs/${created.id}`, payload: { priority: 'low' } });
    assert.equal(late.statusCode, 409);
    assert.equal(json<{ error: string }>(late).error, 'not_queued');

    const retried = await h.app.inject({ method: 'POST', url: `/v1/jobs/${created.id}/retry` });
    assert.equal(retried.statusCode, 200, retried.body);
    assert.equal(json<ApiJob>(retried).state, 'queued');
    assert.equal(json<ApiJob>(retried).attempts, 0);

    const attempts = await h.app.inject({ method: 'GET', url: `/v1/jobs/${created.id}/attempts` });
    assert.equal(attempts.statusCode, 200);
    assert.deepEqual(json<{ items: unknown[] }>(attempts), { items: [] }, 'never ran');

    const log = await h.app.inject({ method: 'GET', url: `/v1/jobs/${created.id}/log` });
    assert.equal(log.statusCode, 200);
    const items = json<{ items: { id: number; type: string; data: Record<string, unknown> }[] }>(log).items;
    assert.deepEqual(items.map((e) => e.type), ['job.queued', 'job.cancelled', 'job.retried']);
    assert.ok(items.every((e, i) => i === 0 || e.id > (items[i - 1]?.id ?? 0)), 'ids ascend');
    assert.equal(items[1]?.data['reason'], 'cancelled while queued');
  });

  it('reports the attempts of a job that ran', async (t) => {
    // Its own store: the queue must hold this job only.
    const h = await harness();
    t.after(() => h.close());
    const created = json<ApiJob>(await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: 's3://ran/once.mp4', priority: 'urgent' } }));
    // Claim it as a control plane would, and let the attempt fail with a retry.
    const claimed = await h.store.claimNext({ owner: 'other', now: new Date(), leaseMs: 60_000 });
    assert.equal(claimed?.id, created.id);
    await h.store.finishAttempt(created.id, 'other', { state: 'queued', outcome: 'failed', reason: 'exit 1', runAfter: new Date(Date.now() + 60_000), error: { message: 'boom', code: 'exit-1', retryable: true } }, new Date());
    const attempts = json<{ items: { number: number; outcome: string; reason: string; counts: boolean; finishedAt: string | null }[] }>(await h.app.inject({ method: 'GET', url: `/v1/jobs/${created.id}/attempts` }));
    assert.equal(attempts.items.length, 1);
    assert.equal(attempts.items[0]?.number, 1);
    assert.equal(attempts.items[0]?.outcome, 'failed');
    assert.equal(attempts.items[0]?.counts, true);
    assert.ok(attempts.items[0]?.finishedAt);
    const job = json<ApiJob>(await h.app.inject({ method: 'GET', url: `/v1/jobs/${created.id}` }));
    assert.equal(job.state, 'queued');
    assert.equal(job.attempts, 1);
    assert.equal(job.error?.message, 'boom');
  });

  it('100 concurrent duplicate nginx-rtmp webhooks for one file make exactly one job', async () => {
    const file = await writeRecording(recordDir, 'keynote-dup.flv', 4096);
    const before = (await h.store.listJobs({ limit: 500, sourceKinds: ['nginx-rtmp'] })).items.length;
    const responses = await Promise.all(Array.from({ length: 100 }, () => h.app.inject({
      method: 'POST', url: `/hooks/nginx-rtmp?token=${hookToken}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: nginxForm({ path: file }),
    })));
    assert.ok(responses.every((r) => r.statusCode === 200), responses.map((r) => r.statusCode).join(','));
    const jobs = (await h.store.listJobs({ limit: 500, sourceKinds: ['nginx-rtmp'] })).items.filter((j) => j.source === file);
    assert.equal(jobs.length, 1, 'exactly one job');
    assert.equal((await h.store.listJobs({ limit: 500, sourceKinds: ['nginx-rtmp'] })).items.length, before + 1);
    const listed = json<{ items: ApiJob[] }>(await h.app.inject({ method: 'GET', url: '/v1/jobs?source=nginx-rtmp&limit=500' }));
    assert.equal(listed.items.filter((j) => j.source === file).length, 1);
    assert.deepEqual(jobs[0]?.metadata, { app: 'live', stream: 'keynote', addr: '127.0.0.1', clientId: '1' });
  });
});

describe('webhooks: /hooks/<source>', () => {
  let h: Harness;
  before(async () => { h = await harness({ server: { bodyLimitBytes: 2048 } }); });
  after(async () => { await h.close(); });

  const hook = (source: string, payload: string, headers: Record<string, string> = {}, query = '') =>
    h.app.inject({ method: 'POST', url: `/hooks/${source}${query}`, headers: { 'content-type': 'application/json', ...headers }, payload });

  async function jobsOf(kind: SourceKind) {
    return (await h.store.listJobs({ limit: 500, sourceKinds: [kind] })).items;
  }

  it('415 for a JSON route sent another type (curl -d sends a form): says to send JSON', async () => {
    const response = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '{"source":"s3://a/b.mp4"}' });
    assert.equal(response.statusCode, 415);
    assert.deepEqual(json(response), { error: 'unsupported_media_type', message: 'a body of type application/x-www-form-urlencoded cannot be read here: send JSON with content-type: application/json' });
  });

  it('404 for an unknown source', async () => {
    const response = await hook('rtsp', '{}');
    assert.equal(response.statusCode, 404);
    assert.equal(json<{ error: string }>(response).error, 'unknown_source');
    assert.match(json<{ message: string }>(response).message, /nginx-rtmp/);
    // A hook asked for with GET is no route: the answer has the API's shape and not the query (a token).
    const wrongMethod = await h.app.inject({ method: 'GET', url: `/hooks/nginx-rtmp?token=${hookToken}` });
    assert.equal(wrongMethod.statusCode, 404);
    assert.deepEqual(json(wrongMethod), { error: 'not_found', message: 'nothing is served at GET /hooks/nginx-rtmp' });
  });

  it('nginx-rtmp: refuses a missing path, a path outside the record dir and a wrong token; accepts a good one', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const outside = await writeRecording(outsideDir, 'evil.flv');
    const inside = await writeRecording(recordDir, 'keynote-1.flv');
    const cases: [string, string, number, RegExp][] = [
      [nginxForm({}), `?token=${hookToken}`, 400, /missing field path/],
      [nginxForm({ path: '' }), `?token=${hookToken}`, 400, /missing field path/],
      [nginxForm({ path: outside }), `?token=${hookToken}`, 403, /outside the record directory/],
      [nginxForm({ path: `${recordDir}/../outside/evil.flv` }), `?token=${hookToken}`, 403, /\.\./],
      [nginxForm({ path: inside }), '?token=wrong-token', 401, /invalid token/],
      [nginxForm({ path: inside }), '', 401, /missing token/],
      [nginxForm({ path: path.join(recordDir, 'gone.flv') }), `?token=${hookToken}`, 422, /no such file/],
      [nginxForm({ path: inside, call: 'publish' }), `?token=${hookToken}`, 400, /record_done/],
    ];
    for (const [body, query, status, message] of cases) {
      const response = await hook('nginx-rtmp', body, form, query);
      assert.equal(response.statusCode, status, `${query} ${body}: ${response.body}`);
      assert.match(json<{ message: string }>(response).message, message);
    }
    const wrongType = await hook('nginx-rtmp', nginxForm({ path: inside }), {}, `?token=${hookToken}`);
    assert.equal(wrongType.statusCode, 400);
    assert.equal((await jobsOf('nginx-rtmp')).filter((j) => j.source === inside).length, 0, 'nothing was created by refused hooks');

    // The publisher's token, appended by nginx at the end of the body, works too.
    const ok = await hook('nginx-rtmp', `${nginxForm({ path: inside })}&token=${hookToken}`, form);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.body, 'ok');
    const jobs = (await jobsOf('nginx-rtmp')).filter((j) => j.source === inside);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]?.sourceKind, 'nginx-rtmp');
  });

  it('srs: refuses a wrong action and a wrong token; answers {"code":0} on success', async () => {
    const file = await writeRecording(recordDir, 'livestream.1700000000000.flv');
    const body = (fields: Record<string, unknown>) => JSON.stringify({ action: 'on_dvr', client_id: '341w361a', ip: '127.0.0.1', vhost: '__defaultVhost__', app: 'live', stream: 'livestream', param: '', cwd: recordDir, file, ...fields });
    const wrongAction = await hook('srs', body({ action: 'on_publish' }), {}, `?token=${hookToken}`);
    assert.equal(wrongAction.statusCode, 400);
    assert.match(json<{ message: string }>(wrongAction).message, /on_dvr only/);
    const wrongToken = await hook('srs', body({}), {}, '?token=nope-nope-nope');
    assert.equal(wrongToken.statusCode, 401);
    const noToken = await hook('srs', body({}));
    assert.equal(noToken.statusCode, 401);
    const paramToken = await hook('srs', body({ param: `?token=${hookToken}` }));
    assert.equal(paramToken.statusCode, 200, paramToken.body);
    assert.deepEqual(json<unknown>(paramToken), { code: 0 });
    const jobs = (await jobsOf('srs')).filter((j) => j.source === file);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]?.metadata['stream'], 'livestream');
  });

  it('mediamtx: refuses a request without a bearer token; accepts one with it', async () => {
    const file = await writeRecording(recordDir, 'cam1-segment.mp4');
    const body = JSON.stringify({ path: 'cam1', segmentPath: file });
    const noBearer = await hook('mediamtx', body);
    assert.equal(noBearer.statusCode, 401);
    assert.equal(json<{ error: string }>(noBearer).error, 'unauthorized');
    const wrong = await hook('mediamtx', body, { authorization: 'Bearer not-the-token' });
    assert.equal(wrong.statusCode, 401);
    const ok = await hook('mediamtx', body, { authorization: `Bearer ${hookToken}` });
    assert.equal(ok.statusCode, 200, ok.body);
    const jobs = (await jobsOf('mediamtx')).filter((j) => j.source === file);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]?.metadata['stream'], 'cam1');
  });

  it('s3: malformed JSON 400, a test event 200 ignored, an object-created event → a job with an s3:// source', async () => {
    const auth = { authorization: `Bearer ${hookToken}` };
    const malformed = await hook('s3', '{"Records": [', auth);
    assert.equal(malformed.statusCode, 400);
    assert.match(json<{ message: string }>(malformed).message, /not valid JSON/);
    const unauthorised = await hook('s3', JSON.stringify({ Records: [] }));
    assert.equal(unauthorised.statusCode, 401);

    const before = (await jobsOf('s3')).length;
    const test = await hook('s3', JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-01-01T00:00:00Z', Bucket: 'rec' }), auth);
    assert.equal(test.statusCode, 200, test.body);
    assert.equal((await jobsOf('s3')).length, before, 'a test event creates nothing');
    // The answer tells an ignored event from one that made a job.
    const ignored = json<{ ok: boolean; jobIds: string[]; ignored?: string }>(test);
    assert.deepEqual({ ...ignored, ignored: typeof ignored.ignored }, { ok: true, jobIds: [], ignored: 'string' });

    const created = await hook('s3', JSON.stringify({
      Records: [{
        eventVersion: '2.1', eventSource: 'aws:s3', eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: 'rec' }, object: { key: 'live/my+show.mp4', size: 1234, eTag: '"abc123"', sequencer: '0055AED6DCD90281E5' } },
      }],
    }), auth);
    assert.equal(created.statusCode, 200, created.body);
    const jobs = await jobsOf('s3');
    assert.equal(jobs.length, before + 1);
    const job = jobs.find((j) => j.source === 's3://rec/live/my show.mp4');
    assert.ok(job, `no job for s3://rec/live/my show.mp4 in ${jobs.map((j) => j.source).join(', ')}`);
    assert.equal(job.metadata['etag'], 'abc123');
    assert.deepEqual(json(created), { ok: true, jobIds: [job.id] });
  });

  it('generic: 401 for a bad signature or an old timestamp; a valid signed request makes a job', async () => {
    const body = JSON.stringify({ source: 's3://cms/uploads/talk.mp4', priority: 'high', metadata: { event: 'conf' }, idempotencyKey: 'cms-4711' });
    const now = Math.floor(Date.now() / 1000);
    const good = standardWebhookHeaders(genericSecret, 'msg_1', now, body);

    const badSignature = await hook('generic', body, { ...good, 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}` });
    assert.equal(badSignature.statusCode, 401);
    assert.match(json<{ message: string }>(badSignature).message, /does not match/);
    const tampered = await hook('generic', body.replace('talk', 'other'), good);
    assert.equal(tampered.statusCode, 401);
    const old = await hook('generic', body, standardWebhookHeaders(genericSecret, 'msg_2', now - 600, body));
    assert.equal(old.statusCode, 401);
    assert.match(json<{ message: string }>(old).message, /too old/);
    const unsigned = await hook('generic', body);
    assert.equal(unsigned.statusCode, 401);
    assert.equal((await jobsOf('generic')).length, 0);

    const ok = await hook('generic', body, good);
    assert.equal(ok.statusCode, 200, ok.body);
    const { jobIds } = json<{ jobIds: string[] }>(ok);
    assert.equal(jobIds.length, 1);
    const job = await h.store.getJob(jobIds[0] ?? '');
    assert.equal(job?.source, 's3://cms/uploads/talk.mp4');
    assert.equal(job?.priority, 'high');
    assert.equal(job?.sourceKind, 'generic');
    assert.equal(job?.metadata['event'], 'conf');
    // A redelivery (same webhook) is the same job.
    const again = await hook('generic', body, good);
    assert.deepEqual(json<{ jobIds: string[] }>(again).jobIds, jobIds);
    // A new delivery of the same recording under the key is that job; another recording under it is
    // refused (409), not answered with the first one's job as if it had been queued.
    const resent = await hook('generic', body, standardWebhookHeaders(genericSecret, 'msg_1b', now, body));
    assert.deepEqual(json<{ jobIds: string[] }>(resent).jobIds, jobIds);
    const otherBody = JSON.stringify({ source: 's3://cms/uploads/other.mp4', idempotencyKey: 'cms-4711' });
    const reused = await hook('generic', otherBody, standardWebhookHeaders(genericSecret, 'msg_1c', now, otherBody));
    assert.equal(reused.statusCode, 409, reused.body);
    assert.match(json<{ message: string }>(reused).message, new RegExp(`already names job ${job?.id} for another recording \\(s3://cms/uploads/talk\\.mp4\\); send a new key for s3://cms/uploads/other\\.mp4`));
    assert.equal((await jobsOf('generic')).length, 1, 'no job for the other recording');
    // A link signed anew (another query) names the same recording: that job, not a refusal.
    const signed = (sig: string) => JSON.stringify({ source: `https://cdn.example.com/rec/talk.mp4?X-Amz-Signature=${sig}`, idempotencyKey: 'cms-url-1' });
    const firstLink = await hook('generic', signed('aaa'), standardWebhookHeaders(genericSecret, 'msg_u1', now, signed('aaa')));
    const renewedLink = await hook('generic', signed('bbb'), standardWebhookHeaders(genericSecret, 'msg_u2', now, signed('bbb')));
    assert.equal(renewedLink.statusCode, 200, renewedLink.body);
    assert.deepEqual(json<{ jobIds: string[] }>(renewedLink).jobIds, json<{ jobIds: string[] }>(firstLink).jobIds);
    // A signed request naming a file outside the roots is refused.
    const outsideBody = JSON.stringify({ source: path.join(outsideDir, 'x.mp4') });
    const outside = await hook('generic', outsideBody, standardWebhookHeaders(genericSecret, 'msg_3', now, outsideBody));
    assert.equal(outside.statusCode, 403);
  });

  it('413 for a body over server.bodyLimitBytes', async () => {
    const big = JSON.stringify({ path: 'cam1', segmentPath: `${recordDir}/${'x'.repeat(4096)}` });
    const response = await hook('mediamtx', big, { authorization: `Bearer ${hookToken}` });
    assert.equal(response.statusCode, 413);
    assert.equal(json<{ error: string }>(response).error, 'too_large');
    // Counted as a refused webhook, as the handler's own refusals are.
    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /^live2vod_webhooks_rejected_total\{source="mediamtx",status="413"\} 1$/m);
    const api = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: 's3://a/b.mp4', metadata: { pad: 'y'.repeat(4096) } } });
    assert.equal(api.statusCode, 413);
  });

  it('/metrics: queue depth by priority and webhook counters', async () => {
    const response = await h.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] ?? '', /text\/plain/);
    const text = response.body;
    const value = (line: RegExp) => Number(line.exec(text)?.[1]);
    for (const p of ['urgent', 'high', 'normal', 'low']) assert.match(text, new RegExp(`^live2vod_queue_depth\\{priority="${p}"\\} \\d+$`, 'm'), p);
    const queued = (await h.store.countByStateAndPriority()).filter((c) => c.state === 'queued');
    for (const c of queued) assert.equal(value(new RegExp(`^live2vod_queue_depth\\{priority="${c.priority}"\\} (\\d+)$`, 'm')), c.count, c.priority);
    assert.ok(value(/^live2vod_queue_depth\{priority="high"\} (\d+)$/m) >= 1, 'the generic job is high');
    // Every hook above counted, refused ones by status.
    assert.ok(value(/^live2vod_webhooks_received_total\{source="nginx-rtmp"\} (\d+)$/m) >= 10);
    assert.ok(value(/^live2vod_webhooks_rejected_total\{source="nginx-rtmp",status="403"\} (\d+)$/m) >= 2);
    assert.ok(value(/^live2vod_webhooks_rejected_total\{source="generic",status="401"\} (\d+)$/m) >= 4);
    assert.equal(value(/^live2vod_jobs_created_total\{source="generic"\} (\d+)$/m), 2, 'the redeliveries did not count (two recordings: the talk and the signed link)');
    assert.match(text, /^live2vod_jobs_running 0$/m);
  });

  it('generic: the request may ask for a trim; a bad one is refused naming it', async () => {
    const now = Math.floor(Date.now() / 1000);
    // The request may ask for a trim; a bad one is refused naming it.
    const trimBody = JSON.stringify({ source: 's3://cms/uploads/trim.mp4', trim: { start: 3, end: 40 } });
    const trimmed = await hook('generic', trimBody, standardWebhookHeaders(genericSecret, 'msg_4', now, trimBody));
    assert.equal(trimmed.statusCode, 200, trimmed.body);
    assert.deepEqual((await h.store.getJob(json<{ jobIds: string[] }>(trimmed).jobIds[0] ?? ''))?.trim, { start: 3, end: 40 });
    const badTrimBody = JSON.stringify({ source: 's3://cms/uploads/trim.mp4', trim: { start: 40, end: 3 } });
    const badTrim = await hook('generic', badTrimBody, standardWebhookHeaders(genericSecret, 'msg_5', now, badTrimBody));
    assert.equal(badTrim.statusCode, 400);
    assert.match(json<{ message: string }>(badTrim).message, /trim\.end must be after trim\.start/);
  });
});

describe('health, OpenAPI and auth', () => {
  let open: Harness;
  let locked: Harness;
  before(async () => {
    open = await harness();
    locked = await harness({ auth: { tokens: [apiToken, 'second-token-2'] } });
  });
  after(async () => {
    await open.close();
    await locked.close();
  });

  it('/healthz and /readyz', async () => {
    const health = await open.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(json<unknown>(health), { status: 'ok' });
    const ready = await open.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(json<unknown>(ready), { status: 'ready' });
  });

  it('/openapi.json is an OpenAPI 3.1 document generated from the routes: every API route is in it', async () => {
    const response = await open.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    const doc = json<{ openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, { responses: Record<string, unknown>; summary: string; requestBody?: unknown; security?: unknown }>>; components: { securitySchemes: Record<string, unknown> } }>(response);
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.equal(doc.info.title, 'live2vod');
    assert.ok(doc.info.version);
    assert.ok(doc.components.securitySchemes['bearer']);
    // The API as its users know it (docs/api.md): each operation is documented, is a route, and
    // names its answers (success and error); /v1 ones need the bearer token.
    const operations = [
      ['post', '/v1/jobs'], ['post', '/v1/uploads'], ['get', '/v1/jobs'], ['get', '/v1/jobs/{id}'], ['patch', '/v1/jobs/{id}'],
      ['post', '/v1/jobs/{id}/cancel'], ['post', '/v1/jobs/{id}/clips'], ['post', '/v1/jobs/{id}/retry'], ['get', '/v1/jobs/{id}/attempts'], ['get', '/v1/jobs/{id}/log'],
      ['get', '/v1/jobs/{id}/events'], ['get', '/v1/events'], ['get', '/v1/assets/{id}'], ['patch', '/v1/jobs/{id}/chapters'],
      ['get', '/healthz'], ['get', '/readyz'], ['get', '/metrics'], ['post', '/hooks/{source}'], ['post', '/internal/jobs/{id}/attempts/{attempt}/events'],
    ] as const;
    for (const [method, path] of operations) {
      const documented = doc.paths[path]?.[method];
      assert.ok(documented, `${method} ${path} is in the document`);
      assert.ok(documented.summary, `${method} ${path} says what it does`);
      const url = path.replace(/\{(\w+)\}/g, ':$1');
      assert.ok(open.app.hasRoute({ method: method.toUpperCase() as 'GET', url }), `${method.toUpperCase()} ${url} is a registered route`);
      if (path.startsWith('/v1/')) {
        assert.ok(Object.keys(documented.responses).length >= 2, `${method} ${path} has responses`);
        assert.deepEqual(documented.security, [{ bearer: [] }], `${method} ${path} needs the token`);
      }
    }
    // Nothing else in /v1 (a route added without being listed above fails here).
    const v1 = Object.entries(doc.paths).flatMap(([path, methods]) => path.startsWith('/v1/') ? Object.keys(methods).map((m) => `${m} ${path}`) : []);
    assert.deepEqual(v1.sort(), operations.filter(([, p]) => p.startsWith('/v1/')).map(([m, p]) => `${m} ${p}`).sort());
    const create = doc.paths['/v1/jobs']?.['post'];
    assert.ok(create?.requestBody, 'POST /v1/jobs documents its body');
    assert.ok(JSON.stringify(create.requestBody).includes('"source"'));
    // The applied trim: asked in the body, shown in the job's view, and ?parent= to find the trimmed asset.
    const createBody = JSON.stringify(create.requestBody);
    assert.ok(createBody.includes('"trim"') && createBody.includes('"auto"') && createBody.includes('"none"'), 'POST /v1/jobs documents trim');
    assert.ok(JSON.stringify(doc.paths['/v1/jobs/{id}']?.['get']?.responses).includes('"trim"'), 'the job view documents trim');
    assert.ok(JSON.stringify(doc.paths['/v1/jobs']?.['get']).includes('"parent"'), 'GET /v1/jobs documents ?parent=');
    assert.ok(!JSON.stringify(doc.paths['/healthz']).includes('bearer'), 'health needs no token');
  });

  it('bearer auth: 401 without a token or with a wrong one, 200 with any configured token', async () => {
    const without = await locked.app.inject({ method: 'GET', url: '/v1/jobs' });
    assert.equal(without.statusCode, 401);
    assert.equal(without.headers['www-authenticate'], 'Bearer');
    const wrong = await locked.app.inject({ method: 'GET', url: '/v1/jobs', headers: { authorization: 'Bearer not-a-token' } });
    assert.equal(wrong.statusCode, 401);
    const basic = await locked.app.inject({ method: 'GET', url: '/v1/jobs', headers: { authorization: `Basic ${apiToken}` } });
    assert.equal(basic.statusCode, 401);
    for (const token of [apiToken, 'second-token-2']) {
      const ok = await locked.app.inject({ method: 'GET', url: '/v1/jobs', headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.statusCode, 200, token);
    }
    const create = await locked.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: 's3://locked/a.mp4' } });
    assert.equal(create.statusCode, 401);
    assert.equal((await locked.store.listJobs({ limit: 10 })).items.length, 0, 'an unauthenticated POST created nothing');
    for (const url of ['/v1/jobs/x/attempts', '/v1/events', '/v1/assets/x']) {
      assert.equal((await locked.app.inject({ method: 'GET', url })).statusCode, 401, url);
    }
    const editChapters = await locked.app.inject({ method: 'PATCH', url: '/v1/jobs/x/chapters', payload: { chapters: [{ start: 0, title: 'A' }] } });
    assert.equal(editChapters.statusCode, 401, 'editing chapters needs the token');
    // Health, metrics and the OpenAPI document stay open (probes and scrapers carry no token).
    for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json']) {
      assert.equal((await locked.app.inject({ method: 'GET', url })).statusCode, 200, url);
    }
    // Without configured tokens, the API is open.
    assert.equal((await open.app.inject({ method: 'GET', url: '/v1/jobs' })).statusCode, 200);
  });

  it('SSE: a job stream replays the log, then a snapshot and live changes; close() ends open streams', async () => {
    const h = await harness();
    let closed = false;
    const streams: { close(): void }[] = [];
    try {
      const created = json<ApiJob>(await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: 's3://sse/a.mp4' } }));
      const base = await h.app.listen({ port: 0, host: '127.0.0.1' });
      const one = await openSse(`${base}/v1/jobs/${created.id}/events`);
      const all = await openSse(`${base}/v1/events`);
      streams.push(one, all);
      await one.waitFor((e) => e.event === 'job.snapshot', 5000);
      assert.deepEqual(one.events.map((e) => e.event), ['job.queued', 'job.snapshot']);
      assert.equal(one.events[0]?.id, '1', 'log events carry their id for Last-Event-ID');
      const patched = await h.app.inject({ method: 'PATCH', url: `/v1/jobs/${created.id}`, payload: { priority: 'high' } });
      assert.equal(patched.statusCode, 200);
      const updated = await one.waitFor((e) => e.event === 'job.updated', 5000);
      assert.equal((updated.data as { job: ApiJob }).job.priority, 'high');
      await all.waitFor((e) => e.event === 'job.updated', 5000);
      // Resuming after the first event replays only what came later.
      const resumed = await openSse(`${base}/v1/jobs/${created.id}/events`, { 'last-event-id': '1' });
      await resumed.waitFor((e) => e.event === 'job.snapshot', 5000);
      assert.equal(resumed.events.filter((e) => e.event === 'job.queued').length, 0);
      resumed.close();
      // Two clients still listening must not hold up close().
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([h.app.close(), new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('app.close() waited for the SSE clients')), 5000); })]);
      clearTimeout(timer);
      closed = true;
      assert.ok(Date.now() - started < 5000);
      one.close();
      all.close();
    } finally {
      for (const stream of streams) stream.close();
      if (!closed) await h.app.close();
      await h.scheduler.stop();
      await h.store.close();
    }
  });

  it('/readyz answers 503 when the store is gone', async () => {
    const h = await harness();
    await h.store.close();
    const response = await h.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(response.statusCode, 503);
    await h.app.close();
    await h.scheduler.stop();
  });
});

describe('worker reports: /internal/jobs/:id/attempts/:n/events', () => {
  let h: Harness;
  before(async () => { h = await harness(); });
  after(async () => { await h.close(); });
  const jobId = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
  const url = `/internal/jobs/${jobId}/attempts/1/events`;
  const post = (payload: unknown, token = jobToken('test-secret', jobId, 1)) => h.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload: payload as Record<string, unknown> });

  it('accepts every WorkerReport the worker sends (204), extra fields from a newer worker stripped', async () => {
    const reports: WorkerReport[] = [
      { type: 'plan', renditions: ['1080p', '720p'], encoder: 'libx264' },
      { type: 'step', step: 'encode', state: 'end', ms: 1234 },
      { type: 'progress', percent: 42.5, fps: 60, speed: 2, etaSeconds: 12, outTime: 84 },
      { type: 'playable', playlist: 'instant/index.m3u8' },
      { type: 'warning', message: 'no audio stream' },
      { type: 'done', manifest: 'manifest.json' },
      { type: 'done', manifest: 'manifest.json', event: { suggestedTrim: { start: 15, end: 50, why: ['black picture and silence from the start to 15.00 s'] }, chapterCount: 3 } },
      { type: 'failed', message: 'moov atom not found', exitCode: 3, retryable: false, stderrTail: 'x'.repeat(20_000), command: 'ffprobe -i in.mp4' },
    ];
    for (const report of reports) {
      const response = await post({ ...report, addedByANewerWorker: true });
      assert.equal(response.statusCode, 204, `${report.type}: ${response.body}`);
    }
  });

  it('refuses a report type it does not know with 400 unknown_report_type, naming the known ones', async () => {
    const response = await post({ type: 'chunk-done', index: 3 });
    assert.equal(response.statusCode, 400);
    const body = json<{ error: string; message: string }>(response);
    assert.equal(body.error, 'unknown_report_type');
    assert.match(body.message, /"chunk-done" is not understood here \(known: plan, source, step, progress, chunk, chunks, playable, warning, done, failed\): upgrade the control plane/);
  });

  it('refuses malformed reports and reports over the size caps with 400 naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ percent: 10 }, /type: /],
      [{ type: 'progress', percent: 140, outTime: 1 }, /invalid progress report: percent: /],
      [{ type: 'step', step: 'dance', state: 'end' }, /step: /],
      [{ type: 'failed', message: 'm'.repeat(4001), exitCode: 3, retryable: false }, /message: /],
      [{ type: 'failed', message: 'x', exitCode: 3, retryable: false, stderrTail: 's'.repeat(20_001) }, /stderrTail: /],
      [{ type: 'failed', message: 'x', exitCode: 3, retryable: false, command: 'c'.repeat(8001) }, /command: /],
      [{ type: 'failed', message: 'x' }, /exitCode: /],
      [{ type: 'done', manifest: 'manifest.json', event: { suggestedTrim: { start: 1, end: 2, why: [] }, chapterCount: -1 } }, /event\.chapterCount: /],
    ];
    for (const [payload, message] of cases) {
      const response = await post(payload);
      assert.equal(response.statusCode, 400, JSON.stringify(payload).slice(0, 80));
      assert.match(json<{ message: string }>(response).message, message);
    }
  });

  it('refuses a token of another job or attempt (401)', async () => {
    const response = await post({ type: 'done', manifest: 'manifest.json' }, jobToken('test-secret', jobId, 2));
    assert.equal(response.statusCode, 401);
  });
});
