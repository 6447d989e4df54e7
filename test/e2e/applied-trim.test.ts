// An applied trim through a real `serve` with real ffmpeg: POST /v1/jobs with trim "auto" on a
// generated recording with a pre-show and a post-show; the job succeeds with a suggested trim, and
// the control plane makes the trimmed asset as a clip job of it, which succeeds too: as long as the
// suggested trim, starting on the source's picture at the trim's start, its timeline from 0.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiJob } from '../../src/http/api-schemas.ts';
import { assertCompleteAsset, assertMpdMatchesHls, loadAsset } from '../helpers/asset-checks.ts';
import { eventSlides, makeEventSlides } from '../helpers/event-media.ts';
import { browserSkip } from '../helpers/browser.ts';
import { framesRgb, joinedRendition, psnr } from '../helpers/frame-compare.ts';
import { assertPlaysFromZero } from '../helpers/hls-plays-from-zero.ts';
import { ffprobeJson } from '../helpers/media.ts';
import { api, makeTemp, startServeProcess, waitForJob, type ServeProcess } from '../helpers/serve.ts';

const transcode = { ladder: [{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }], thumbnails: true, download: false, instantRemux: false, loudness: false, quality: false };
/** makeEventSlides' frame rate: the rendition keeps it. */
const rate = 15;

describe('an applied trim through the service', { timeout: 420_000 }, () => {
  let dir: string;
  let source: string;
  let serve: ServeProcess;

  before(async () => {
    dir = await makeTemp('live2vod-applied-trim-');
    source = await makeEventSlides(dir);
    serve = await startServeProcess({ dataDir: path.join(dir, 'data'), config: { transcode, sourceRoots: [dir] } });
  });

  after(async () => {
    await serve?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('trim "auto": the job succeeds, then a clip job of it makes the trimmed asset, from the trim\'s start frame, playing from 0', async () => {
    const created = await api<ApiJob>(serve.url, '/v1/jobs', { body: { source, trim: 'auto', metadata: { title: 'All hands' } } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.trim, 'auto');
    const parent = await waitForJob(serve.url, created.body.id, 'succeeded', { timeoutMs: 240_000, intervalMs: 250 });
    const trim = parent.suggestedTrim;
    assert.ok(trim, 'the encode suggested a trim');
    assert.ok(Math.abs(trim.start - eventSlides.preShowEnd) <= 0.5 && Math.abs(trim.end - eventSlides.postShowStart) <= 0.5, `suggested ${trim.start}–${trim.end}`);

    // The trimmed asset is the parent's one clip job: found by ?parent=.
    const found = await waitFor(async () => (await api<{ items: ApiJob[] }>(serve.url, `/v1/jobs?parent=${parent.id}`)).body.items, (items) => items.length > 0, 30_000);
    assert.equal(found.length, 1);
    const child = await waitForJob(serve.url, found[0]?.id ?? '', 'succeeded', { timeoutMs: 240_000, intervalMs: 250 });
    assert.equal(child.kind, 'clip');
    assert.equal(child.parentJobId, parent.id);
    assert.deepEqual(child.clip, { start: trim.start, end: trim.end, title: 'All hands (trimmed)' });
    assert.equal(child.metadata['trimOf'], parent.id);
    // The full recording stays: the parent's asset is untouched.
    assert.ok(parent.asset && child.asset && parent.asset.master !== child.asset.master);

    const assetDir = path.join(dir, 'data', 'media', child.outputPrefix);
    const asset = await loadAsset(assetDir);
    await assertCompleteAsset(asset);
    assertMpdMatchesHls(asset);
    // As long as the trim, to a frame (1/15 s) and the audio's last frame.
    assert.ok(Math.abs(asset.manifest.duration - (trim.end - trim.start)) <= 0.1, `duration ${asset.manifest.duration}, trim ${trim.end - trim.start}`);

    // Its first picture is the source's at the trim's start (the first frame at or after it), not another slide's.
    const rendition = await joinedRendition(assetDir, '180p', dir, 'trimmed-180p.mp4');
    // Source and rendition are both 320x180.
    const size = { width: 320, height: 180 };
    const first = (await framesRgb(rendition, [0], size)).get(0);
    const [startFrame, secondSlideFrame] = [Math.ceil(trim.start * rate - 1e-3), (eventSlides.slideChanges[0] + 5) * rate];
    const sourceFrames = await framesRgb(source, [startFrame, secondSlideFrame], size);
    const atStart = psnr(first, sourceFrames.get(startFrame));
    const elsewhere = psnr(first, sourceFrames.get(secondSlideFrame));
    assert.ok(atStart >= 35, `PSNR at the trim's start ${atStart} dB`);
    assert.ok(atStart - elsewhere >= 15, `the second slide is ${elsewhere} dB, the start ${atStart} dB`);

    // Its timeline starts at 0: the first picture's time (HLS), and every DASH representation's first segment.
    for (const representation of asset.mpd.representations) assert.equal(representation.segments[0]?.t, 0, representation.id);
    // The first picture's time is the encoder's B-frame delay (composition offset), as in the
    // parent, whose timeline starts at 0: the trim adds nothing to it.
    const firstTime = await firstPictureTime(rendition);
    const parentTime = await firstPictureTime(await joinedRendition(path.join(dir, 'data', 'media', parent.outputPrefix), '180p', dir, 'parent-180p.mp4'));
    assert.ok(parentTime < 3 / rate, `the parent's first picture is at ${parentTime} s`);
    assert.ok(Math.abs(firstTime - parentTime) < 1e-3, `the trimmed asset's first picture is at ${firstTime} s, the parent's at ${parentTime} s`);
    if (!browserSkip) await assertPlaysFromZero(assetDir, { levels: 1, durationSeconds: asset.manifest.duration });
  });
});

async function firstPictureTime(file: string): Promise<number> {
  const probe = await ffprobeJson(file, ['-select_streams', 'v:0', '-show_frames', '-read_intervals', '%+#1']);
  return Number(probe.frames?.[0]?.pts_time ?? probe.frames?.[0]?.best_effort_timestamp_time);
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
