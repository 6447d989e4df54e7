// PATCH /v1/jobs/{id}/chapters against a real service: a real worker encodes a generated recording
// with a pre-show, three slides and a post-show; the job's view then carries the suggested trim and
// the chapter count (the worker's done report, kept by the store), and an edit rewrites chapters.vtt,
// chapters.json and manifest.json where the asset is — the media directory, or the bucket of an S3
// output (s3rver) — and nothing else. Every JSON answer is checked against /openapi.json.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import type { ApiChapter, ApiJob } from '../../src/http/api-schemas.ts';
import type { AssetManifest } from '../../src/media/asset-manifest.ts';
import { eventSlides, makeEventSlides } from '../helpers/event-media.ts';
import { makeTempDir, type TempDir } from '../helpers/media.ts';
import { answerProblems, type OpenApiDoc, type Seen } from '../helpers/openapi-responses.ts';
import { api, startTestService, submitJob, waitForJob, type TestService } from '../helpers/serve.ts';
import { getBytes, listAll, s3rverCredentials, startS3, useS3rverEnv, type RunningS3 } from '../storage/s3-helpers.ts';

/** Reads one file of a job's asset, wherever the service keeps it. */
type AssetReader = (job: ApiJob, name: string) => Promise<string>;

interface Edited { job: ApiJob; chapters: ApiChapter[] }

function chapterTests(setup: () => { service: TestService; tmp: TempDir; read: AssetReader }): void {
  const seen: Seen[] = [];
  let job: ApiJob;

  const patch = async (id: string, body: unknown) => {
    const response = await api<Edited & { error: string; message: string }>(setup().service.url, `/v1/jobs/${id}/chapters`, { method: 'PATCH', body });
    seen.push({ method: 'patch', route: '/v1/jobs/:id/chapters', status: response.status, body: response.text });
    return response;
  };

  before(async () => {
    const { service, tmp } = setup();
    const source = await makeEventSlides(tmp.dir);
    const created = await submitJob(service.url, { source });
    job = await waitForJob(service.url, created.id, 'succeeded', { timeoutMs: 240_000, intervalMs: 250 });
  });

  it("the job's view carries the suggested trim and the chapter count", () => {
    assert.ok(job.suggestedTrim, JSON.stringify(job));
    assert.ok(Math.abs(job.suggestedTrim.start - eventSlides.preShowEnd) <= 0.5, `start ${job.suggestedTrim.start}`);
    assert.ok(Math.abs(job.suggestedTrim.end - eventSlides.postShowStart) <= 0.5, `end ${job.suggestedTrim.end}`);
    assert.equal(job.suggestedTrim.why.length, 2);
    assert.equal(job.chapterCount, 3);
  });

  it('rewrites chapters.vtt, chapters.json and manifest.json, and nothing else; the job shows the new count', async () => {
    const { read } = setup();
    const master = await read(job, 'master.m3u8');
    const response = await patch(job.id, { chapters: [{ start: 8, title: 'Welcome' }, { start: 50.5, title: 'Q3 results' }] });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body.chapters.map((c) => [c.start, c.title]), [[8, 'Welcome'], [50.5, 'Q3 results']]);
    assert.match(response.body.chapters[1]?.thumbnail ?? '', /^thumbnails\/sprite-\d{3}\.jpg#xywh=\d+,\d+,\d+,\d+$/, 'thumbnails are picked again for the new starts');
    assert.equal(response.body.job.chapterCount, 2);
    assert.deepEqual(response.body.job.suggestedTrim, job.suggestedTrim, 'the trim is not the edit\'s to change');
    assert.equal((await api<ApiJob>(setup().service.url, `/v1/jobs/${job.id}`)).body.chapterCount, 2);

    const vtt = await read(job, 'chapters.vtt');
    assert.match(vtt, /^WEBVTT\n/);
    assert.match(vtt, /00:00:08\.000 --> 00:00:50\.500\nWelcome\n/);
    assert.match(vtt, /00:00:50\.500 --> \d\d:\d\d:\d\d\.\d{3}\nQ3 results\n/);
    const apple = JSON.parse(await read(job, 'chapters.json')) as { 'start-time': number; titles: { title: string }[]; images?: { url: string }[] }[];
    assert.deepEqual(apple.map((c) => [c['start-time'], c.titles[0]?.title]), [[8, 'Welcome'], [50.5, 'Q3 results']]);
    assert.equal(apple[1]?.images?.[0]?.url, response.body.chapters[1]?.thumbnail);
    const manifest = JSON.parse(await read(job, 'manifest.json')) as AssetManifest;
    assert.deepEqual(manifest.chapters?.list, response.body.chapters);
    assert.equal(manifest.files.find((f) => f.path === 'chapters.vtt')?.bytes, Buffer.byteLength(vtt), 'manifest.json has the new sizes');
    assert.equal(manifest.files.find((f) => f.path === 'chapters.json')?.bytes, Buffer.byteLength(await read(job, 'chapters.json')));
    assert.equal(await read(job, 'master.m3u8'), master, 'master.m3u8 names the chapter file; it is not rewritten');

    // What GET /v1/assets answers is the rewritten manifest.
    const asset = await api<{ manifest: AssetManifest }>(setup().service.url, `/v1/assets/${job.id}`);
    assert.deepEqual(asset.body.manifest.chapters?.list.map((c) => c.title), ['Welcome', 'Q3 results']);
  });

  it('400 with the reason for starts out of order, past the end, or a body the schema refuses; nothing changes', async () => {
    const { read } = setup();
    const before = await read(job, 'manifest.json');
    const unordered = await patch(job.id, { chapters: [{ start: 30, title: 'A' }, { start: 20, title: 'B' }] });
    assert.equal(unordered.status, 400);
    assert.equal(unordered.body.error, 'invalid_edit');
    assert.match(unordered.body.message, /chapter 2 starts at 20 s, not after chapter 1 \(30 s\)/);
    const late = await patch(job.id, { chapters: [{ start: 0, title: 'A' }, { start: 500, title: 'B' }] });
    assert.equal(late.status, 400);
    assert.match(late.body.message, /chapter 2 starts at 500 s, at or after the asset's end/);
    const blank = await patch(job.id, { chapters: [{ start: 0, title: '   ' }] });
    assert.equal(blank.status, 400, blank.text);
    assert.match(blank.body.message, /title/);
    const none = await patch(job.id, { chapters: [] });
    assert.equal(none.status, 400);
    assert.equal(await read(job, 'manifest.json'), before);
  });

  it('404 for an unknown job', async () => {
    const response = await patch('no-such-job', { chapters: [{ start: 0, title: 'A' }] });
    assert.equal(response.status, 404);
    assert.equal(response.body.error, 'not_found');
  });

  it('409 for a job that has not succeeded', async () => {
    const { service, tmp } = setup();
    const notVideo = path.join(tmp.dir, 'notes.mp4');
    await writeFile(notVideo, 'these are meeting notes, not a recording\n');
    const created = await submitJob(service.url, { source: notVideo });
    const failed = await waitForJob(service.url, created.id, (j) => j.state === 'failed', { timeoutMs: 60_000 });
    const response = await patch(failed.id, { chapters: [{ start: 0, title: 'A' }] });
    assert.equal(response.status, 409);
    assert.equal(response.body.error, 'not_succeeded');
    assert.match(response.body.message, /it is failed/);
  });

  it('every answer above is one /openapi.json declares', async () => {
    const doc = (await api<OpenApiDoc>(setup().service.url, '/openapi.json')).body;
    assert.deepEqual([...new Set(seen.map((s) => s.status))].sort(), [200, 400, 404, 409]);
    assert.deepEqual(answerProblems(doc, seen), []);
  });
}

/** Thumbnails for the chapters' pictures; no quality sampling (an ffmpeg per rendition that nothing here reads). */
const chapterTranscode = { thumbnails: true, quality: false };

describe('PATCH /v1/jobs/{id}/chapters, assets in the media directory', { timeout: 300_000 }, () => {
  let tmp: TempDir;
  let service: TestService;
  before(async () => {
    tmp = await makeTempDir('live2vod-chapters-');
    service = await startTestService({ overrides: { sourceRoots: [tmp.dir], transcode: chapterTranscode } });
  });
  after(async () => {
    await service?.dispose();
    await tmp?.cleanup();
  });
  chapterTests(() => ({ service, tmp, read: (job, name) => readFile(path.join(service.dataDir, 'media', job.outputPrefix, name), 'utf8') }));
});

describe('PATCH /v1/jobs/{id}/chapters, assets in S3 (s3rver)', { timeout: 300_000 }, () => {
  let s3: RunningS3;
  let tmp: TempDir;
  let client: S3Client;
  let service: TestService;
  let restoreEnv: (() => void) | undefined;
  before(async () => {
    [s3, tmp] = await Promise.all([startS3(['vod']), makeTempDir('live2vod-chapters-s3-')]);
    restoreEnv = useS3rverEnv(s3.endpoint);
    client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: s3rverCredentials });
    service = await startTestService({ overrides: { sourceRoots: [tmp.dir], storage: { output: 's3://vod/out' }, transcode: chapterTranscode } });
  });
  after(async () => {
    await service?.dispose();
    client?.destroy();
    restoreEnv?.();
    await s3?.dispose();
    await tmp?.cleanup();
  });
  chapterTests(() => ({
    service, tmp,
    read: async (job, name) => {
      const key = `out/${job.outputPrefix}/${name}`;
      assert.ok((await listAll(client, 'vod', key)).length === 1, `s3://vod/${key} exists`);
      return (await getBytes(client, 'vod', key)).toString('utf8');
    },
  }));
});
