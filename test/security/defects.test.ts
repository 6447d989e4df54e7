// Issue 11's defects 1–7, one describe each: every test here failed on the code before the fix.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { InputError } from '../../src/errors/index.ts';
import { openIntakeWarning } from '../../src/http/open-intakes.ts';
import { toApiJob } from '../../src/http/job-view.ts';
import { ServerPaths } from '../../src/http/server-paths.ts';
import { limitBytes, EmptyUploadError, type UploadStaging } from '../../src/http/upload-staging.ts';
import { loadConfig } from '../../src/config/load.ts';
import { standardWebhookHeaders } from '../../src/webhooks/standard-webhooks.ts';
import { assetDirUrl } from '../../src/jobs/asset-urls.ts';
import { JobEvents, type JobChange } from '../../src/jobs/job-events.ts';
import type { Job } from '../../src/jobs/job.ts';
import { jobToken } from '../../src/jobs/job-token.ts';
import { checkMediaToken, mediaTokenKey, signMediaPath } from '../../src/jobs/media-token.ts';
import { AddressPolicy } from '../../src/pipeline/address-policy.ts';
import { fetchHttpSource, SourceFetchError } from '../../src/pipeline/fetch-http-source.ts';
import { checkTaskSource } from '../../src/pipeline/local-input.ts';
import { makeTemp, openSse, startTestService } from '../helpers/serve.ts';
import { filesUnder, jobCount, overrideStore, securityHarness } from './harness.ts';

const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
let root: string;
let outside: string;

before(async () => {
  root = await realpath(await makeTemp('live2vod-sec-'));
  outside = path.join(root, 'outside');
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(outside, 'secret.mp4'), 'not yours');
});
after(() => rm(root, { recursive: true, force: true }));

function signedGeneric(body: unknown): { headers: Record<string, string>; payload: string } {
  const payload = JSON.stringify(body);
  return { payload, headers: { 'content-type': 'application/json', ...standardWebhookHeaders(secret, `msg_${Math.random().toString(36).slice(2)}`, new Date(), payload) } };
}

describe('1. symbolic links, FIFOs, devices and directories at intake', () => {
  it('refuses a source reached through a link that leads out of the roots (API and generic webhook); no job', async () => {
    const h = await securityHarness(root, { overrides: { ingest: { generic: { secret } } } });
    try {
      await symlink(outside, path.join(h.dataDir, 'inbox', '.x'));
      const source = path.join(h.dataDir, 'inbox', '.x', 'secret.mp4');
      const api = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source } });
      assert.equal(api.statusCode, 422, api.body);
      assert.match(api.json<{ message: string }>().message, /symbolic link to a place outside the source roots/);
      assert.doesNotMatch(api.body, new RegExp(outside), 'the link target is not told');
      const withKey = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'idempotency-key': 'k1' }, payload: { source } });
      assert.equal(withKey.statusCode, 422);
      const { headers, payload } = signedGeneric({ source });
      const hook = await h.app.inject({ method: 'POST', url: '/hooks/generic', headers, payload });
      assert.equal(hook.statusCode, 403, hook.body);
      assert.equal(await jobCount(h.store), 0);
    } finally {
      await h.close();
    }
  });

  it('refuses a FIFO, a device and a directory even with an Idempotency-Key', async () => {
    const h = await securityHarness(root, { overrides: { sourceRoots: ['/dev'] } });
    try {
      const fifo = path.join(h.dataDir, 'inbox', 'pipe.mp4');
      execFileSync('mkfifo', [fifo]);
      const dir = path.join(h.dataDir, 'inbox', 'folder.mp4');
      await mkdir(dir);
      // A source root itself too: said to be a directory, not "must lie under" the path just given.
      for (const [source, kind] of [[fifo, /FIFO/], [dir, /directory/], ['/dev/zero', /device/], [path.join(h.dataDir, 'inbox'), /is a source root, a directory, not a recording: name a file in it/]] as const) {
        const response = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'idempotency-key': `k-${source}` }, payload: { source } });
        assert.equal(response.statusCode, 422, `${source}: ${response.body}`);
        assert.match(response.body, kind);
      }
      assert.equal(await jobCount(h.store), 0);
    } finally {
      await h.close();
    }
  });

  it('stores the real path of a source reached through a link inside the roots', async () => {
    const h = await securityHarness(root);
    try {
      const real = path.join(h.dataDir, 'inbox', 'real.mp4');
      await writeFile(real, 'x'.repeat(64));
      await symlink(real, path.join(h.dataDir, 'inbox', 'alias.mp4'));
      const response = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: path.join(h.dataDir, 'inbox', 'alias.mp4') } });
      assert.equal(response.statusCode, 201, response.body);
      assert.equal(response.json<{ source: string }>().source, real);
    } finally {
      await h.close();
    }
  });

  it('the worker refuses a task path on which a link or a FIFO was swapped in since', async () => {
    const dir = path.join(root, 'swap');
    await mkdir(path.join(dir, 'a'), { recursive: true });
    const file = path.join(dir, 'a', 'rec.mp4');
    await writeFile(file, 'x');
    await checkTaskSource({ kind: 'local', path: file });
    await rm(path.join(dir, 'a'), { recursive: true });
    await symlink(outside, path.join(dir, 'a'));
    await assert.rejects(checkTaskSource({ kind: 'local', path: path.join(dir, 'a', 'secret.mp4') }), (e: unknown) => e instanceof InputError && /symbolic link now lies on that path/.test(e.message));
    const fifo = path.join(dir, 'fifo.mp4');
    execFileSync('mkfifo', [fifo]);
    await assert.rejects(checkTaskSource({ kind: 'local', path: fifo }), /FIFO/);
  });
});

describe('2. server-sent events and response sizes are bounded', () => {
  it('a change made while the log is read reaches the stream (subscribe first, then replay)', async () => {
    const events = new JobEvents();
    let inject: (() => void) | undefined;
    const h = await securityHarness(root, {
      events,
      wrapStore: (store) => overrideStore(store, {
        listEvents: async (jobId, afterId) => {
          const log = await store.listEvents(jobId, afterId);
          inject?.();
          return log;
        },
      }),
    });
    try {
      const file = path.join(h.dataDir, 'inbox', 'a.mp4');
      await writeFile(file, 'x'.repeat(64));
      const created = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: file } });
      const id = created.json<{ id: string }>().id;
      const job = await h.store.getJob(id);
      assert.ok(job);
      inject = () => events.emit({ type: 'job.updated', job: { ...job, priority: 'urgent' }, at: new Date().toISOString() });
      const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
      const sse = await openSse(`${address}/v1/jobs/${id}/events`);
      await sse.waitFor((e) => e.event === 'job.updated', 3000);
      sse.close();
    } finally {
      await h.close();
    }
  });

  it('answers 503 past server.eventStreams.max open streams', async () => {
    const h = await securityHarness(root, { overrides: { server: { eventStreams: { max: 2 } } } });
    try {
      const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
      const open = [await openSse(`${address}/v1/events`), await openSse(`${address}/v1/events`)];
      const third = await fetch(`${address}/v1/events`);
      assert.equal(third.status, 503);
      assert.match(await third.text(), /server\.eventStreams\.max/);
      for (const s of open) s.close();
    } finally {
      await h.close();
    }
  });

  it('closes the streams of clients that do not read, keeps the one that does', async () => {
    class CountingEvents extends JobEvents {
      active = 0;
      override subscribe(listener: (change: JobChange) => void): () => void {
        this.active++;
        const off = super.subscribe(listener);
        return () => { this.active--; off(); };
      }
    }
    const events = new CountingEvents();
    const h = await securityHarness(root, { events, overrides: { server: { eventStreams: { maxBufferedBytes: 64 * 1024 } } } });
    try {
      const address = new URL(await h.app.listen({ port: 0, host: '127.0.0.1' }));
      const stalled = await Promise.all(Array.from({ length: 5 }, () => new Promise<net.Socket>((resolve) => {
        const socket = net.connect(Number(address.port), '127.0.0.1', () => {
          socket.write(`GET /v1/events HTTP/1.1\r\nhost: x\r\n\r\n`);
          socket.pause();
          resolve(socket);
        });
        socket.on('error', () => undefined);
      })));
      const reader = await openSse(`${address.origin}/v1/events`);
      while (events.active < 6) await sleep(10);
      const file = path.join(h.dataDir, 'inbox', 'b.mp4');
      await writeFile(file, 'x'.repeat(64));
      const id = (await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: file, metadata: { note: 'y'.repeat(2000) } } })).json<{ id: string }>().id;
      const job = await h.store.getJob(id);
      assert.ok(job);
      // Paced so that a client that reads keeps up, while the ones that do not fall behind.
      for (let i = 0; i < 20_000 && events.active > 1; i++) {
        events.emit({ type: 'job.updated', job, at: new Date().toISOString() });
        if (i % 10 === 0) await sleep(2);
      }
      const deadline = Date.now() + 5000;
      while (events.active > 1 && Date.now() < deadline) await sleep(20);
      assert.equal(events.active, 1, 'only the reading client is still subscribed');
      assert.ok(h.logLines.some((l) => /does not keep up/.test(l)), 'the disconnect is logged');
      reader.close();
      for (const s of stalled) s.destroy();
    } finally {
      await h.close();
    }
  });

  it('caps metadata at intake (400 saying which cap) and keeps GET /v1/jobs pages bounded in bytes', async () => {
    // A 64 KiB page cap (1 MiB by default): a dozen jobs of 14 kB fill more than two pages.
    const h = await securityHarness(root, { overrides: { server: { maxListBytes: 64 * 1024 } } });
    try {
      const file = path.join(h.dataDir, 'inbox', 'c.mp4');
      await writeFile(file, 'x'.repeat(64));
      const huge = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: file, metadata: { blob: 'z'.repeat(900_000) } } });
      assert.equal(huge.statusCode, 400);
      assert.match(huge.body, /longer than 2048 characters/);
      const many = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: file, metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) } });
      assert.equal(many.statusCode, 400);
      assert.match(many.body, /at most 64/);
      const total = await h.app.inject({ method: 'POST', url: '/v1/jobs', payload: { source: file, metadata: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v'.repeat(2000)])) } });
      assert.equal(total.statusCode, 400);
      assert.match(total.body, /16384 bytes/);
      assert.equal(await jobCount(h.store), 0);

      const big = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`k${i}`, 'v'.repeat(2000)]));
      for (let i = 0; i < 12; i++) {
        const r = await h.app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'idempotency-key': `page-${i}` }, payload: { source: file, metadata: big } });
        assert.equal(r.statusCode, 201, r.body);
      }
      const seen = new Set<string>();
      let cursor: number | null = null;
      let pages = 0;
      do {
        const page: { body: string; json<T>(): T } = await h.app.inject({ method: 'GET', url: `/v1/jobs?limit=500${cursor ? `&cursor=${cursor}` : ''}` });
        assert.ok(page.body.length <= h.config.server.maxListBytes + 64, `page of ${page.body.length} bytes`);
        const body: { items: { id: string }[]; nextCursor: number | null } = page.json();
        for (const item of body.items) seen.add(item.id);
        cursor = body.nextCursor;
        pages++;
      } while (cursor !== null);
      assert.equal(seen.size, 12);
      assert.ok(pages >= 2);
    } finally {
      await h.close();
    }
  });
});

describe('3. a trickling http(s) source fails the attempt, retryably, saying which limit', () => {
  async function trickle(handler: (response: http.ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
    const server = http.createServer((_request, response) => handler(response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/rec.mp4`,
      close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
    };
  }
  const policy = new AddressPolicy({ allow: ['127.0.0.1'] });

  for (const [name, handler, limits, message] of [
    ['no answer at all', () => undefined, { idleTimeoutMs: 300, minBytesPerSecond: 0, windowMs: 1000 }, /stalled: nothing arrived for \d+ s \(sourceFetch\.idleTimeoutMs is 300\)/],
    ['headers, then silence', (r: http.ServerResponse) => { r.writeHead(200, { 'content-length': '1000' }); r.write('x'); }, { idleTimeoutMs: 300, minBytesPerSecond: 0, windowMs: 1000 }, /stalled/],
    ['one byte every 50 ms', (r: http.ServerResponse) => {
      r.writeHead(200, { 'content-length': '100000' });
      const timer = setInterval(() => (r.destroyed ? clearInterval(timer) : r.write('x')), 50);
    }, { idleTimeoutMs: 5000, minBytesPerSecond: 1000, windowMs: 400 }, /too slow: \d+ bytes\/s over the last \d+ s, below sourceFetch\.minBytesPerSecond \(1000\)/],
  ] as const) {
    it(name, async () => {
      const server = await trickle(handler);
      const file = path.join(root, `trickle-${Math.random().toString(36).slice(2)}.mp4`);
      try {
        const started = Date.now();
        await assert.rejects(fetchHttpSource(server.url, file, { policy, maxBytes: 1e9, timeoutMs: 10_000, stall: limits }), (error: unknown) => {
          assert.ok(error instanceof SourceFetchError, String(error));
          assert.equal(error.retryable, true);
          assert.match(error.message, message);
          return true;
        });
        assert.ok(Date.now() - started < 5000, 'failed long before the total timeout');
        assert.deepEqual(await filesUnder(path.dirname(file)).then((f) => f.filter((n) => n === path.basename(file))), []);
      } finally {
        await server.close();
      }
    });
  }

  it('the limits are settings with defaults (sourceFetch.idleTimeoutMs, minBytesPerSecond, throughputWindowMs)', async () => {
    const config = await loadConfig({ env: {}, overrides: { sourceFetch: { idleTimeoutMs: 1000, minBytesPerSecond: 0 } } });
    assert.equal(config.sourceFetch.idleTimeoutMs, 1000);
    assert.equal(config.sourceFetch.minBytesPerSecond, 0);
    assert.equal(config.sourceFetch.throughputWindowMs, 120_000);
  });
});

const s3Event = (bucket: string, key: string) => JSON.stringify({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key, size: 10, eTag: 'e1' } } }] });

describe('4. every job-creating intake needs a credential unless opened', () => {
  it('zero-config: /hooks/s3 without a token is refused 401 saying what to set; no job', async () => {
    const h = await securityHarness(root);
    try {
      const response = await h.app.inject({ method: 'POST', url: '/hooks/s3', headers: { 'content-type': 'text/plain' }, payload: s3Event('rec', 'live/a.mp4') });
      assert.equal(response.statusCode, 401, response.body);
      assert.match(response.body, /ingest\.s3\.token.*ingest\.s3\.open: true/);
      assert.equal(await jobCount(h.store), 0);
    } finally {
      await h.close();
    }
  });

  it('recorder hooks without a token are closed too; open: true opens one on purpose', async () => {
    const recordDir = path.join(root, 'rec4');
    await mkdir(recordDir, { recursive: true });
    await writeFile(path.join(recordDir, 'k.flv'), 'x'.repeat(32));
    const h = await securityHarness(root, { overrides: { recordDir, ingest: { srs: { open: true }, s3: { open: true } } } });
    try {
      const form = new URLSearchParams({ call: 'record_done', name: 'k', path: path.join(recordDir, 'k.flv') }).toString();
      const nginx = await h.app.inject({ method: 'POST', url: '/hooks/nginx-rtmp', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form });
      assert.equal(nginx.statusCode, 401);
      const s3 = await h.app.inject({ method: 'POST', url: '/hooks/s3', headers: { 'content-type': 'application/json' }, payload: s3Event('rec', 'live/a.mp4') });
      assert.equal(s3.statusCode, 200, s3.body);
      assert.equal(await jobCount(h.store), 1);
    } finally {
      await h.close();
    }
  });

  it('the API without tokens is open on loopback only, or where auth.open says so', async () => {
    const exposed = await securityHarness(root, { overrides: { server: { host: '0.0.0.0' } } });
    const opened = await securityHarness(root, { overrides: { server: { host: '0.0.0.0' }, auth: { open: true } } });
    try {
      const refused = await exposed.app.inject({ method: 'GET', url: '/v1/jobs' });
      assert.equal(refused.statusCode, 401);
      assert.match(refused.body, /auth\.tokens.*auth\.open: true/);
      assert.equal((await opened.app.inject({ method: 'GET', url: '/v1/jobs' })).statusCode, 200);
    } finally {
      await exposed.close();
      await opened.close();
    }
  });

  it('the start-up warning names every open intake', async () => {
    const zero = await loadConfig({ env: {}, overrides: {} });
    assert.match(openIntakeWarning(zero) ?? '', /\/v1\/jobs and \/v1\/uploads \(no auth\.tokens; listening on 127\.0\.0\.1 only\)/);
    assert.doesNotMatch(openIntakeWarning(zero) ?? '', /hooks/);
    const open = await loadConfig({ env: {}, overrides: { recordDir: '/srv/rec', auth: { tokens: ['api-token-1'] }, ingest: { nginxRtmp: { open: true }, mediamtx: { token: 'mtx-token-1' }, s3: { open: true } } } });
    const warning = openIntakeWarning(open) ?? '';
    assert.match(warning, /\/hooks\/nginx-rtmp \(ingest\.nginxRtmp\.open is true\)/);
    assert.match(warning, /\/hooks\/s3 \(ingest\.s3\.open is true\)/);
    assert.doesNotMatch(warning, /v1|mediamtx|srs/);
    const closed = await loadConfig({ env: {}, overrides: { auth: { tokens: ['api-token-1'] } } });
    assert.equal(openIntakeWarning(closed), undefined);
  });
});

describe('5. local media behind signed links while API tokens are set', () => {
  it('serve: /media/ answers 403 without a signed link; publicLocalMedia serves it on purpose', async () => {
    const closed = await startTestService({ overrides: { auth: { tokens: ['api-token-5'] } } });
    const open = await startTestService({ overrides: { auth: { tokens: ['api-token-5'] }, storage: { publicLocalMedia: true } } });
    try {
      for (const s of [closed, open]) {
        await mkdir(path.join(s.dataDir, 'media', 'assets', 'job5'), { recursive: true });
        await writeFile(path.join(s.dataDir, 'media', 'assets', 'job5', 'master.m3u8'), '#EXTM3U\n');
      }
      const refused = await fetch(`${closed.url}/media/assets/job5/master.m3u8`);
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.get('access-control-allow-origin'), null);
      assert.match(await refused.text(), /signed link/);
      assert.equal((await fetch(`${open.url}/media/assets/job5/master.m3u8`)).status, 200);
    } finally {
      await closed.dispose();
      await open.dispose();
    }
  });

  it('a signed link serves the local file (Range too); an altered one is refused', async () => {
    const key = mediaTokenKey('test-secret-0123456789');
    const h = await securityHarness(root, { mediaTokenKey: key, overrides: { auth: { tokens: ['api-token-5'] } } });
    try {
      const dir = path.join(h.dataDir, 'media', 'assets', 'job5');
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, 'master.m3u8'), '#EXTM3U\n');
      await writeFile(path.join(dir, 'seg.m4s'), Buffer.alloc(100, 1));
      const token = signMediaPath(key, 'assets/job5', Math.floor(Date.now() / 1000) + 600);
      const playlist = await h.app.inject({ method: 'GET', url: `/media/s/${token}/assets/job5/master.m3u8` });
      assert.equal(playlist.statusCode, 200);
      assert.equal(playlist.body, '#EXTM3U\n');
      const range = await h.app.inject({ method: 'GET', url: `/media/s/${token}/assets/job5/seg.m4s`, headers: { range: 'bytes=10-19' } });
      assert.equal(range.statusCode, 206);
      assert.equal(range.rawPayload.length, 10);
      const other = await h.app.inject({ method: 'GET', url: `/media/s/${token}/assets/job6/master.m3u8` });
      assert.equal(other.statusCode, 403);
    } finally {
      await h.close();
    }
  });
});

describe('6. a full disk during an upload, and readiness', () => {
  /** Stages uploads onto /dev/full: every write fails with ENOSPC, as on a full data disk. */
  const fullDisk = (dataDir: string): UploadStaging => ({
    async stage(ref, body, options) {
      await mkdir(path.join(dataDir, 'uploads', ref.id), { recursive: true });
      const counted = limitBytes(body, options.limit);
      await pipeline(counted.stream, createWriteStream('/dev/full'));
      if (counted.bytes() === 0) throw new EmptyUploadError();
      return { source: path.join(dataDir, 'uploads', ref.id, ref.name), bytes: counted.bytes() };
    },
    discard: (ref) => rm(path.join(dataDir, 'uploads', ref.id), { recursive: true, force: true }),
  });

  it('answers 507 with a log line, and leaves no job and no file', async () => {
    const h = await securityHarness(root, { uploads: fullDisk });
    try {
      const response = await h.app.inject({ method: 'POST', url: '/v1/uploads?filename=a.mp4', headers: { 'content-type': 'video/mp4' }, payload: Buffer.alloc(512 * 1024, 1) });
      assert.equal(response.statusCode, 507, response.body);
      assert.match(response.body, /no space left/);
      assert.ok(h.logLines.some((l) => /disk is full/.test(l)), 'logged');
      assert.deepEqual(await filesUnder(path.join(h.dataDir, 'uploads')), []);
      assert.equal(await jobCount(h.store), 0);
    } finally {
      await h.close();
    }
  });

  it('/readyz is not ready below server.minFreeDataBytes or when the data directory cannot be written', async () => {
    const short = await securityHarness(root, { overrides: { server: { minFreeDataBytes: 1e15 } } });
    const gone = await securityHarness(root);
    try {
      const low = await short.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(low.statusCode, 503);
      assert.match(low.body, /less than server\.minFreeDataBytes/);
      assert.equal((await gone.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
      await rm(gone.dataDir, { recursive: true, force: true });
      await writeFile(gone.dataDir, 'a file where the directory was');
      const unwritable = await gone.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(unwritable.statusCode, 503);
      assert.match(unwritable.body, /cannot be written/);
      await rm(gone.dataDir, { force: true });
    } finally {
      await short.close();
      await gone.close();
    }
  });
});

describe('7. the smaller ones', () => {
  it('Authorization: bearer (any case) works on the API and on worker reports', async () => {
    const h = await securityHarness(root, { overrides: { auth: { tokens: ['api-token-7'] } } });
    try {
      assert.equal((await h.app.inject({ method: 'GET', url: '/v1/jobs', headers: { authorization: 'bearer api-token-7' } })).statusCode, 200);
      assert.equal((await h.app.inject({ method: 'GET', url: '/v1/jobs', headers: { authorization: 'BEARER api-token-7' } })).statusCode, 200);
      assert.equal((await h.app.inject({ method: 'GET', url: '/v1/jobs', headers: { authorization: 'bearer wrong-token' } })).statusCode, 401);
      const report = await h.app.inject({ method: 'POST', url: '/internal/jobs/nojob/attempts/1/events', headers: { authorization: `bearer ${jobToken('test-secret-0123456789', 'nojob', 1)}` }, payload: { type: 'warning', message: 'hi' } });
      assert.notEqual(report.statusCode, 401, report.body);
    } finally {
      await h.close();
    }
  });

  it('a signed media link is valid in its canonical spelling only', () => {
    const key = mediaTokenKey('secret');
    const token = signMediaPath(key, 'assets/j', 2_000_000_000);
    assert.equal(checkMediaToken(key, 'assets/j', token, 1_000_000_000), 'ok');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token.at(-1) ?? '');
    const spellings = [0, 1, 2, 3].map((low) => token.slice(0, -1) + alphabet[(last & ~3) | low]).filter((t) => t !== token);
    assert.equal(spellings.length, 3);
    for (const t of spellings) assert.equal(checkMediaToken(key, 'assets/j', t, 1_000_000_000), 'invalid', t);
  });

  it('MediaMTX takes its token as Authorization: Bearer only, as documented', async () => {
    const recordDir = path.join(root, 'rec7');
    await mkdir(recordDir, { recursive: true });
    await writeFile(path.join(recordDir, 'seg.mp4'), 'x'.repeat(32));
    const h = await securityHarness(root, { overrides: { recordDir, ingest: { mediamtx: { token: 'mtx-token-7' } } } });
    try {
      const body = JSON.stringify({ path: 'cam', segmentPath: path.join(recordDir, 'seg.mp4') });
      const query = await h.app.inject({ method: 'POST', url: '/hooks/mediamtx?token=mtx-token-7', headers: { 'content-type': 'application/json' }, payload: body });
      assert.equal(query.statusCode, 401);
      const bearer = await h.app.inject({ method: 'POST', url: '/hooks/mediamtx', headers: { 'content-type': 'application/json', authorization: 'Bearer mtx-token-7' }, payload: body });
      assert.equal(bearer.statusCode, 200, bearer.body);
    } finally {
      await h.close();
    }
  });

  it('S3 events with NUL or control characters in a key, or a bucket like rec/../other, are refused (400)', async () => {
    const h = await securityHarness(root, { overrides: { ingest: { s3: { token: 's3-token-7' } } } });
    try {
      const cases = [
        s3Event('rec', 'live/a%00b.mp4'),
        s3Event('rec', 'live/a%01b.mp4'),
        s3Event('rec/../other', 'live/a.mp4'),
        JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'rec' }, object: { key: 'a\u001bb.mp4', etag: 'e' } } }),
      ];
      for (const payload of cases) {
        const response = await h.app.inject({ method: 'POST', url: '/hooks/s3', headers: { 'content-type': 'application/json', authorization: 'Bearer s3-token-7' }, payload });
        assert.equal(response.statusCode, 400, `${payload}: ${response.body}`);
        assert.match(response.body, /control characters|not a bucket name/);
      }
      assert.equal(await jobCount(h.store), 0);
    } finally {
      await h.close();
    }
  });

  it('job errors show paths relative to the data directory or source root', async () => {
    const config = await loadConfig({ env: {}, overrides: { dataDir: '/srv/live2vod', sourceRoots: ['/mnt/recordings'] } });
    const paths = ServerPaths.of(config);
    const job: Job = {
      id: 'j', kind: 'transcode', idempotencyKey: 'k', sourceFacts: {}, cancelRequested: false, state: 'failed', priority: 'normal', progress: 0, attempts: 1, maxAttempts: 3, source: '/mnt/recordings/a.mp4', sourceKind: 'api',
      metadata: {}, createdAt: '', updatedAt: '', seq: 1, outputPrefix: 'assets/j',
      error: { message: 'cannot read /mnt/recordings/live/a.mp4 into /srv/live2vod/media/assets/j', code: '3', retryable: false, stderrTail: '/srv/live2vod/tasks/x: boom', command: 'ffmpeg -i /mnt/recordings/live/a.mp4' },
    };
    const view = toApiJob(job, assetDirUrl({ kind: 'public', baseUrl: 'http://m' }), paths);
    assert.deepEqual(view.error, { message: 'cannot read live/a.mp4 into media/assets/j', code: '3', retryable: false, stderrTail: 'tasks/x: boom', command: 'ffmpeg -i live/a.mp4' });
  });
});
