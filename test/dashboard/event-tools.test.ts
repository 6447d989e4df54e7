// The job page's event tools end to end: a real `bin/live2vod serve` encodes a generated recording
// with a pre-show, three slides and a post-show (real ffmpeg), and Debian's chromium opens its page.
// The suggested trim is drawn at the right place on the timeline under the player, the chapters are
// listed with their thumbnails and a click seeks the video, an edit saves through the real
// PATCH /v1/jobs/{id}/chapters and the list follows. "Apply trim" and "Make clip" go to the real
// POST /v1/jobs/{id}/clips; only a refusal the real service cannot give here (409 for a parent that
// has not finished: this one has) is answered by an interception (playwright's page.route, named so).
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser, Request, Route } from 'playwright-core';
import type { ApiJob } from '../../src/http/api-schemas.ts';
import type { AssetManifest } from '../../src/media/asset-manifest.ts';
import { browserSkip, launchBrowser, openPage, screenshot, unnamedControls, waitInPage, type WatchedPage } from '../helpers/browser.ts';
import { eventSlides, makeEventSlides } from '../helpers/event-media.ts';
import { api, makeTemp, startServeProcess, submitJob, waitForJob, type ServeProcess } from '../helpers/serve.ts';

const transcode = { ladder: [{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }], thumbnails: true, download: false, instantRemux: false, loudness: false, quality: false };

describe('dashboard: the event inside the recording on the job page', { skip: browserSkip, timeout: 240_000 }, () => {
  let dir: string;
  let serve: ServeProcess;
  let browser: Browser;
  let watched: WatchedPage;
  let job: ApiJob;

  /** Intercepts POST /v1/jobs/<job>/clips: records each body, answers with `answer`. */
  const interceptClips = async (answer: { status: number; body: unknown }): Promise<unknown[]> => {
    const bodies: unknown[] = [];
    await watched.page.route(`**/v1/jobs/${job.id}/clips`, async (route: Route, request: Request) => {
      bodies.push(request.postDataJSON());
      await route.fulfill({ status: answer.status, contentType: 'application/json', body: JSON.stringify(answer.body) });
    });
    return bodies;
  };

  before(async () => {
    dir = await makeTemp('live2vod-dashboard-event-');
    const source = await makeEventSlides(dir);
    serve = await startServeProcess({ dataDir: `${dir}/data`, config: { transcode, sourceRoots: [dir] } });
    const created = await submitJob(serve.url, { source });
    job = await waitForJob(serve.url, created.id, 'succeeded', { timeoutMs: 180_000, intervalMs: 250 });
    browser = await launchBrowser();
    watched = await openPage(browser);
  });

  after(async () => {
    await watched?.close();
    await browser?.close();
    await serve?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const openJob = async () => {
    const { page } = watched;
    await page.goto(`${serve.url}/jobs/${job.id}`);
    await page.locator('#event-track').waitFor();
    // The player has the media's duration: seeking works from here.
    await waitInPage(page, 'document.querySelector("video").readyState >= 1 && document.querySelector("video").duration > 100', 30_000);
  };

  it('draws the suggested trim under the player: the pre-show and post-show shaded where they are', async () => {
    const { page } = watched;
    await openJob();
    const track = await page.locator('#event-track').boundingBox();
    const pre = await page.locator('#pre-show').boundingBox();
    const post = await page.locator('#post-show').boundingBox();
    assert.ok(track && pre && post);
    const at = (x: number) => ((x - track.x) / track.width) * eventSlides.duration;
    const trim = job.suggestedTrim;
    assert.ok(trim);
    // Within a pixel of the trim, and the trim within half a second of the generated event.
    const pixel = eventSlides.duration / track.width;
    assert.ok(Math.abs(at(pre.x)) <= pixel, `the pre-show starts at the start (${at(pre.x)} s)`);
    assert.ok(Math.abs(at(pre.x + pre.width) - trim.start) <= 2 * pixel, `the pre-show ends at ${at(pre.x + pre.width)} s, the trim starts at ${trim.start} s`);
    assert.ok(Math.abs(at(post.x) - trim.end) <= 2 * pixel, `the post-show starts at ${at(post.x)} s, the trim ends at ${trim.end} s`);
    assert.ok(Math.abs(at(post.x + post.width) - eventSlides.duration) <= 2 * pixel, 'the post-show runs to the end');
    assert.ok(Math.abs(trim.start - eventSlides.preShowEnd) <= 0.5 && Math.abs(trim.end - eventSlides.postShowStart) <= 0.5);
    assert.match(await page.locator('#trim-summary').innerText(), /Suggested trim: the event runs 0:08–1:44/);
    assert.equal(await page.locator('.chapter-tick').count(), 3, 'a tick per chapter');
    assert.deepEqual(await unnamedControls(page), []);
    await screenshot(page, 'job-event-timeline');
  });

  it('lists the chapters with their thumbnails; a click seeks the player', async () => {
    const { page } = watched;
    const chapters = page.locator('#chapter-list .chapter');
    assert.equal(await chapters.count(), 3);
    assert.deepEqual(await page.locator('#chapter-list .chapter-title').allInnerTexts(), ['Chapter 1', 'Chapter 2', 'Chapter 3']);
    assert.deepEqual(await page.locator('#chapter-list .chapter-time').allInnerTexts(), ['0:08', '0:40', '1:12']);
    await waitInPage(page, '[...document.querySelectorAll("#chapter-list .chapter-thumb img")].every((img) => img.naturalWidth > 0) && document.querySelectorAll("#chapter-list .chapter-thumb img").length === 3');
    assert.match(await page.locator('#chapter-list .chapter-thumb img').first().getAttribute('src') ?? '', /\/thumbnails\/sprite-\d{3}\.jpg$/);
    // The pictures are painted, not only loaded: three slides of different colours look different
    // (a thumbnail that paints only its box's black background looks like every other).
    const thumbs = page.locator('#chapter-list .chapter-thumb');
    const [first, second, third] = await Promise.all([0, 1, 2].map((i) => thumbs.nth(i).screenshot()));
    assert.ok(first && second && third && !first.equals(second) && !second.equals(third) && !first.equals(third), 'the three chapter thumbnails show three different pictures');
    await screenshot(page, 'job-chapters');

    await chapters.nth(1).click();
    await waitInPage(page, 'Math.abs(document.querySelector("video").currentTime - 40) < 0.5 && !document.querySelector("video").seeking');
    assert.equal(await chapters.nth(1).getAttribute('aria-current'), 'true', 'the chapter playing is marked');
    await chapters.nth(2).click();
    await waitInPage(page, 'Math.abs(document.querySelector("video").currentTime - 72) < 0.5');
    assert.equal(await page.locator('#player-error').isHidden(), true, 'no player error');
  });

  it('edits the chapters: the save sends PATCH /v1/jobs/{id}/chapters, the list and the asset follow', async () => {
    const { page } = watched;
    await page.getByRole('button', { name: 'Edit chapters' }).click();
    await page.getByLabel('Title of chapter 2').fill('Q3 results');
    await page.getByLabel('Start of chapter 3 (m:ss or seconds)').fill('1:20.5');
    await page.getByRole('button', { name: 'Remove chapter 1' }).click();
    const patched = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().endsWith(`/v1/jobs/${job.id}/chapters`));
    await page.getByRole('button', { name: 'Save chapters' }).click();
    assert.deepEqual((await patched).postDataJSON(), { chapters: [{ start: 40, title: 'Q3 results' }, { start: 80.5, title: 'Chapter 3' }] });
    await page.locator('#chapter-status', { hasText: 'Chapters saved.' }).waitFor();
    assert.deepEqual(await page.locator('#chapter-list .chapter-title').allInnerTexts(), ['Q3 results', 'Chapter 3']);
    assert.deepEqual(await page.locator('#chapter-list .chapter-time').allInnerTexts(), ['0:40', '1:20.5']);
    assert.equal(await page.locator('.chapter-tick').count(), 2, 'the timeline\'s ticks follow');
    const asset = await api<{ manifest: AssetManifest }>(serve.url, `/v1/assets/${job.id}`);
    assert.deepEqual(asset.body.manifest.chapters?.list.map((c) => [c.start, c.title]), [[40, 'Q3 results'], [80.5, 'Chapter 3']]);

    // A refused edit says why and keeps the form.
    await page.getByRole('button', { name: 'Edit chapters' }).click();
    await page.getByLabel('Start of chapter 2 (m:ss or seconds)').fill('9:00');
    await page.getByRole('button', { name: 'Save chapters' }).click();
    await page.locator('#chapter-status[data-kind="error"]', { hasText: /at or after the asset's end/ }).waitFor();
    assert.equal(await page.locator('#chapter-form').isVisible(), true);
    await page.getByLabel('Start of chapter 2 (m:ss or seconds)').fill('soon');
    await page.getByRole('button', { name: 'Save chapters' }).click();
    await page.locator('#chapter-status', { hasText: 'Chapter 2: "soon" is not a time' }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.deepEqual(await page.locator('#chapter-list .chapter-title').allInnerTexts(), ['Q3 results', 'Chapter 3']);
  });

  it('"Make clip" sends the range set at the player\'s time: a refusal (interception) is shown, then the real API makes the clip job', async () => {
    const { page } = watched;
    await openJob();
    const refused = await interceptClips({ status: 409, body: { error: 'not_ready', message: 'the parent is not finished' } });
    await page.getByRole('button', { name: 'Make clip' }).click();
    await page.locator('#clip-status', { hasText: 'Set an in point and an out point first' }).waitFor();
    await page.evaluate('document.querySelector("video").currentTime = 10');
    await waitInPage(page, 'Math.abs(document.querySelector("video").currentTime - 10) < 0.01 && !document.querySelector("video").seeking');
    await page.getByRole('button', { name: 'Set in' }).click();
    await page.evaluate('document.querySelector("video").currentTime = 40.5');
    await waitInPage(page, 'Math.abs(document.querySelector("video").currentTime - 40.5) < 0.01 && !document.querySelector("video").seeking');
    await page.getByRole('button', { name: 'Set out' }).click();
    assert.equal(await page.locator('#clip-range-text').innerText(), 'In 0:10 · Out 0:40.5');
    const track = await page.locator('#event-track').boundingBox();
    const range = await page.locator('#clip-range').boundingBox();
    assert.ok(track && range);
    assert.ok(Math.abs(((range.x - track.x) / track.width) * eventSlides.duration - 10) < 0.5, 'the range is drawn from the in point');

    await page.getByRole('button', { name: 'Make clip' }).click();
    await page.locator('#clip-status[data-kind="error"]', { hasText: 'The clip could not be made: the parent is not finished' }).waitFor();
    assert.equal(refused.length, 1);
    const start = (refused[0] as { start: number }).start;
    assert.ok(Math.abs(start - 10) < 0.01, `start ${start}`);
    assert.equal(new URL(page.url()).pathname, `/jobs/${job.id}`, 'a refusal keeps the page');

    await page.unroute(`**/v1/jobs/${job.id}/clips`);
    // The real clip API from here on.
    await page.getByRole('button', { name: 'Make clip' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/jobs/') && url.pathname !== `/jobs/${job.id}`);
    const clip = await api<ApiJob>(serve.url, `/v1/jobs/${new URL(page.url()).pathname.split('/').at(-1)}`);
    assert.equal(clip.status, 200, clip.text);
    assert.equal(clip.body.kind, 'clip');
    assert.equal(clip.body.parentJobId, job.id);
    assert.ok(clip.body.clip && Math.abs(clip.body.clip.start - 10) < 0.01 && Math.abs(clip.body.clip.end - 40.5) < 0.01, JSON.stringify(clip.body.clip));
    assert.equal(clip.body.clip.title, 'event-slides.mp4 (0:10–0:40.5)');
    // Its page is named by its title, and links the job it was cut from.
    await page.locator('#job-title', { hasText: 'event-slides.mp4 (0:10–0:40.5)' }).waitFor();
    assert.equal(await page.locator('#job-meta').getByRole('link', { name: job.id }).getAttribute('href'), `/jobs/${job.id}`);
  });

  it('"Apply trim" makes the suggested trim a clip job that succeeds, and opens its page', async () => {
    const { page } = watched;
    await openJob();
    await page.getByRole('button', { name: 'Apply trim' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/jobs/') && url.pathname !== `/jobs/${job.id}`);
    const id = new URL(page.url()).pathname.split('/').at(-1) ?? '';
    const clip = await waitForJob(serve.url, id, 'succeeded', { timeoutMs: 120_000, intervalMs: 250 });
    assert.equal(clip.kind, 'clip');
    assert.equal(clip.parentJobId, job.id);
    assert.deepEqual(clip.clip, { start: job.suggestedTrim?.start, end: job.suggestedTrim?.end, title: 'event-slides.mp4 (trimmed)' });
    assert.deepEqual(watched.pageErrors, []);
  });
});
