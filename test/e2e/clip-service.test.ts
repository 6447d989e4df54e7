// A clip through the service, with real workers: a transcode finishes, POST /v1/jobs/{id}/clips
// (refused while the parent runs) makes a clip job that a worker of its own turns into an asset
// cut from the parent's, and the job, its log and its manifest say it is a clip of that parent.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiJob } from '../../src/http/api-schemas.ts';
import { assertCompleteAsset, assertMpdMatchesHls, loadAsset } from '../helpers/asset-checks.ts';
import { makeTestPattern } from '../helpers/media.ts';
import { api, makeTemp, startTestService, submitJob, waitForJob, type TestService } from '../helpers/serve.ts';

describe('a clip job through the service', { timeout: 240_000 }, () => {
  let service: TestService;
  let source: string;
  let sourceDir: string;

  before(async () => {
    sourceDir = await makeTemp('live2vod-clip-src-');
    source = await makeTestPattern(sourceDir, { seconds: 14, width: 320, height: 180, rate: 30, audio: 'sine' });
    // No quality sampling: nothing here reads it.
    service = await startTestService({ overrides: { sourceRoots: [sourceDir] } });
  });

  after(async () => {
    await service?.dispose();
    await rm(sourceDir, { recursive: true, force: true });
  });

  it('refuses a clip of a running job (409), then makes one of the finished asset: kind clip, its parent, its range', async () => {
    const parent = await submitJob(service.url, { source: path.resolve(source) });
    assert.equal(parent.kind, 'transcode');
    const early = await api<{ error: string }>(service.url, `/v1/jobs/${parent.id}/clips`, { body: { start: 1, end: 5 } });
    assert.equal(early.status, 409, early.text);
    assert.equal(early.body.error, 'not_finished');
    await waitForJob(service.url, parent.id, 'succeeded', { timeoutMs: 120_000 });

    const made = await api<ApiJob>(service.url, `/v1/jobs/${parent.id}/clips`, { body: { start: 3.5, end: 9.25, title: 'Highlights' } });
    assert.equal(made.status, 201, made.text);
    const done = await waitForJob(service.url, made.body.id, 'succeeded', { timeoutMs: 120_000 });
    assert.equal(done.kind, 'clip');
    assert.equal(done.parentJobId, parent.id);
    assert.deepEqual(done.clip, { start: 3.5, end: 9.25, title: 'Highlights' });
    assert.ok(done.asset, 'the clip has its own asset links');

    const asset = await loadAsset(path.join(service.dataDir, 'media', done.outputPrefix));
    await assertCompleteAsset(asset);
    assertMpdMatchesHls(asset);
    const manifest = asset.manifest as unknown as { duration: number; clip: { parentJobId: string; start: number; title: string }; chapters: { list: unknown[] } | null };
    // The parent's chapter in force at 3.5 s comes along; the job's view counts it, and has no trim.
    assert.equal(manifest.chapters?.list.length, 1);
    assert.equal(done.chapterCount, 1);
    assert.equal(done.suggestedTrim, null);
    assert.equal(manifest.clip.parentJobId, parent.id);
    assert.equal(manifest.clip.title, 'Highlights');
    // The first frame at or after 3.5 s at 30 fps is 3.5 s itself; 5.75 s of frames.
    assert.equal(manifest.clip.start, 3.5);
    assert.ok(Math.abs(manifest.duration - 5.75) < 0.05, `duration ${manifest.duration}`);
    const log = await api<{ items: { type: string; data: Record<string, unknown> }[] }>(service.url, `/v1/jobs/${done.id}/log`);
    assert.ok(log.body.items.some((e) => e.type === 'job.succeeded'), 'a clip has a job log like any job');
    // What its page shows while it runs: the clip's length, not the parent's.
    const probed = log.body.items.find((e) => e.type === 'job.probed')?.data;
    assert.ok(typeof probed?.durationSeconds === 'number' && Math.abs(probed.durationSeconds - 5.75) < 0.05, `job.probed ${JSON.stringify(probed)}`);
  });
});
