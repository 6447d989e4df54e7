// One recording is one job whichever way it arrives: the watch folder, the API and the three
// recorder hooks (nginx-rtmp, SRS, MediaMTX) all report the same file here, the way the banner's
// own example (a curl of a file in data/inbox) and a recorder that records into the inbox do,
// through the real service (its watch folder polling).

import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ApiJob } from '../../src/http/api-schemas.ts';
import { api, makeTemp, startTestService, waitFor, type TestService } from '../helpers/serve.ts';

const token = 'hook-token-0123456789';

describe('one recording, one job', () => {
  let service: TestService;
  let inbox: string;

  let dataDir: string;

  before(async () => {
    dataDir = await makeTemp('live2vod-one-job-');
    inbox = path.join(dataDir, 'inbox');
    await mkdir(inbox, { recursive: true });
    // The inbox is the recorders' directory too: every intake can name one file.
    service = await startTestService({
      dataDir,
      overrides: { recordDir: inbox, ingest: { nginxRtmp: { token }, srs: { token }, mediamtx: { token } } },
    });
  });
  after(async () => {
    await service.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  const jobsFor = async (file: string): Promise<ApiJob[]> => {
    const list = await api<{ items: ApiJob[] }>(service.url, '/v1/jobs?limit=500');
    return list.body.items.filter((j) => j.source === file);
  };
  const post = (route: string, body: string, contentType: string, headers: Record<string, string> = {}) =>
    fetch(`${service.url}${route}`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });

  test('the watch folder first, then the API and the three recorder hooks', async () => {
    const file = path.join(inbox, 'keynote.flv');
    await writeFile(file, Buffer.alloc(4096, 7));
    const [watched] = await waitFor('the watch folder\'s job', async () => (await jobsFor(file)).length > 0 && jobsFor(file), { timeoutMs: 10_000, intervalMs: 100 });
    assert.ok(watched);
    assert.equal(watched.sourceKind, 'watch');

    const viaApi = await api<ApiJob>(service.url, '/v1/jobs', { body: { source: file } });
    assert.equal(viaApi.status, 200, `the API finds the watch folder's job: ${viaApi.text}`);
    assert.equal(viaApi.body.id, watched.id);

    const nginx = await post(`/hooks/nginx-rtmp?token=${token}`, new URLSearchParams({ app: 'live', call: 'record_done', name: 'keynote', path: file }).toString(), 'application/x-www-form-urlencoded');
    assert.equal(nginx.status, 200, await nginx.text());
    const srs = await post(`/hooks/srs?token=${token}`, JSON.stringify({ action: 'on_dvr', client_id: '1', ip: '127.0.0.1', vhost: '__defaultVhost__', app: 'live', stream: 'keynote', param: '', cwd: inbox, file }), 'application/json');
    assert.equal(srs.status, 200, await srs.text());
    const mediamtx = await post('/hooks/mediamtx', JSON.stringify({ path: 'keynote', segmentPath: file }), 'application/json', { authorization: `Bearer ${token}` });
    assert.equal(mediamtx.status, 200, await mediamtx.text());

    const jobs = await jobsFor(file);
    assert.deepEqual(jobs.map((j) => j.id), [watched.id], 'one job for the file');
  });

  test('the API first, then the watch folder: still one job', async () => {
    const file = path.join(inbox, 'panel.mp4');
    await writeFile(file, Buffer.alloc(2048, 9));
    const created = await api<ApiJob>(service.url, '/v1/jobs', { body: { source: file } });
    assert.equal(created.status, 201, created.text);
    // A file written after it: once the watch folder has made the later file's job, it has seen
    // the earlier one stable too (not merely a test that ran before the watcher looked).
    const later = path.join(inbox, 'panel-later.mp4');
    await writeFile(later, Buffer.alloc(2048, 8));
    await waitFor('the watch folder\'s job for the later file', async () => (await jobsFor(later)).length > 0, { timeoutMs: 10_000, intervalMs: 100 });
    assert.deepEqual((await jobsFor(file)).map((j) => j.id), [created.body.id]);
  });

  test('a caller asking for a job of its own (its own Idempotency-Key) gets one', async () => {
    const file = path.join(inbox, 'rerun.mp4');
    await writeFile(file, Buffer.alloc(1024, 3));
    const first = await api<ApiJob>(service.url, '/v1/jobs', { body: { source: file } });
    assert.equal(first.status, 201, first.text);
    const again = await api<ApiJob>(service.url, '/v1/jobs', { body: { source: file }, headers: { 'idempotency-key': 'rerun-2' } });
    assert.equal(again.status, 201, again.text);
    assert.notEqual(again.body.id, first.body.id);
  });
});
