// The dashboard end to end, in a real browser against a real `bin/live2vod serve` with real
// ffmpeg: upload a generated recording through the page, watch the job reach done without a
// reload, open it, and check that the asset really plays, that a manual rendition switch takes
// effect, that hovering the seek bar shows a sprite thumbnail, and that refused (expired) links
// are renewed once without losing the place; the list's layout (first row visible at desktop and
// phone sizes), its poster, duration and upload filter, and the job page's facts. Screenshots of each page go to test-artifacts/dashboard/.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserSkip, launchBrowser, openPage, screenshot, unnamedControls, waitInPage, type WatchedPage } from '../helpers/browser.ts';
import { makeTestPattern } from '../helpers/media.ts';
import { makeTemp, startServeProcess, type ServeProcess } from '../helpers/serve.ts';

/** Two rungs, so there is a rendition to switch to; thumbnails for the seek-bar previews; the default quality sampling ({}) for the renditions table. */
const transcode = {
  ladder: [
    { width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 },
    { width: 640, height: 360, bitrateKbps: 900, maxFrameRate: 30 },
  ],
  thumbnails: true,
  download: true,
  instantRemux: true,
  loudness: false,
  quality: {},
};

describe('dashboard: upload, watch, play', { skip: browserSkip, timeout: 180_000 }, () => {
  let dir: string;
  let recording: string;
  let serve: ServeProcess;
  let browser: Browser;
  let watched: WatchedPage;

  before(async () => {
    dir = await makeTemp('live2vod-dashboard-');
    // The three at once (none needs another); each is kept as it comes, so after() closes what started.
    const started = await Promise.allSettled([
      makeTestPattern(dir, { seconds: 12, width: 640, height: 360, rate: 30, audio: 'sine', name: 'keynote.mp4' }).then((file) => { recording = file; }),
      startServeProcess({ dataDir: `${dir}/data`, config: { transcode } }).then((running) => { serve = running; }),
      launchBrowser().then((launched) => { browser = launched; }),
    ]);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    watched = await openPage(browser, { origin: serve.url });
  });

  after(async () => {
    await watched?.close();
    await browser?.close();
    await serve?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the empty queue, takes an upload and follows the job to done without reloading', async () => {
    const { page } = watched;
    await page.goto(`${serve.url}/`);
    await page.getByText('The queue is empty: no jobs yet.').waitFor();
    await page.locator('#connection[data-state="open"]').waitFor();
    // Survives only if the page is never reloaded.
    await page.evaluate('window.stayedHere = true');
    // Records every progress label the list shows while the job runs (they change every second).
    await page.evaluate(`window.progressLabels = new Set();
      new MutationObserver(() => document.querySelectorAll('.progress-label').forEach((l) => window.progressLabels.add(l.textContent)))
        .observe(document.getElementById('job-rows'), { childList: true, subtree: true, characterData: true })`);

    await page.setInputFiles('#upload-file', recording);
    await page.getByLabel('Priority').first().selectOption('high');
    await page.getByRole('button', { name: 'Upload and transcode' }).click();
    await page.locator('#submit-status').getByRole('link', { name: 'keynote.mp4' }).waitFor();

    const row = page.locator('#job-rows tr', { hasText: 'keynote.mp4' });
    await row.waitFor();
    assert.equal(await row.locator('td[data-label="Priority"]').innerText(), 'high');
    await row.and(page.locator('[data-state="succeeded"]')).waitFor({ timeout: 120_000 });
    assert.equal(await row.locator('.badge').innerText(), 'Done');
    assert.equal(await row.locator('progress').getAttribute('value'), '1');
    assert.match(await row.locator('td[data-label="Attempts"]').innerText(), /^1 \/ \d+$/);
    assert.equal(await page.evaluate('window.stayedHere'), true, 'the list updated live, without a reload');
    const labels: unknown = await page.evaluate('[...window.progressLabels]');
    assert.ok(Array.isArray(labels) && labels.some((l) => /^\d+ % · \d+\.\d× · ETA \d+:\d\d$/.test(String(l))), `speed and ETA were shown while it ran: ${JSON.stringify(labels)}`);

    // The row says what the job is: an upload, 12 s long, with the asset's poster.
    assert.equal(await row.locator('.tag').innerText(), 'upload');
    assert.equal(await row.locator('td[data-label="Duration"]').innerText(), '0:12');
    await row.locator('img.poster').waitFor();
    await waitInPage(page, 'document.querySelector("#job-rows img.poster").naturalWidth > 0');
    assert.match(await row.locator('img.poster').getAttribute('src') ?? '', /\/thumbnails\/poster\.jpg$/);
    assert.equal(await row.locator('.reason').count(), 0, 'no failure reason on a job that succeeded');
  });

  for (const [name, viewport] of [['list-desktop', { width: 1280, height: 800 }], ['list-phone', { width: 390, height: 844 }]] as const) {
    it(`puts the job list first at ${viewport.width}×${viewport.height}: the form folded, the first row visible without scrolling`, async () => {
      const { page } = watched;
      await page.setViewportSize(viewport);
      await page.goto(`${serve.url}/`);
      const first = page.locator('#job-rows tr').first();
      await first.waitFor();
      assert.equal(await page.locator('#submit').getAttribute('open'), null, 'the submit forms are folded away once there are jobs');
      assert.equal(await page.locator('#upload-form').isVisible(), false);
      assert.equal(await page.evaluate('scrollY'), 0);
      // The list re-renders its rows as events arrive: a row replaced between two calls has no box.
      let box = await first.boundingBox();
      for (let i = 0; !box && i < 50; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        box = await first.boundingBox();
      }
      assert.ok(box, 'the first row is laid out');
      assert.ok(box.y >= 0 && box.y + box.height <= viewport.height, `the first row (y ${box.y}, height ${box.height}) fits in the first screen`);
      assert.equal(await page.evaluate('document.documentElement.scrollWidth <= innerWidth'), true, 'no sideways scrolling');
      await screenshot(page, name);
      // Unfolding the forms is one click on the summary, and it takes the keyboard focus path.
      await page.getByText('Submit a recording').click();
      await page.locator('#upload-form').waitFor();
      await page.getByText('Submit a recording').click();
    });
  }

  it('filters uploads as uploads', async () => {
    const { page } = watched;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByLabel('Source', { exact: true }).selectOption({ label: 'Uploads' });
    await page.waitForURL(/[?&]upload=true/);
    await page.locator('#job-rows a', { hasText: 'keynote.mp4' }).waitFor();
    await page.getByLabel('Source', { exact: true }).selectOption('watch');
    await page.getByText('No jobs match these filters.').waitFor();
    await page.getByRole('button', { name: 'Show all jobs' }).click();
    await page.locator('#job-rows a', { hasText: 'keynote.mp4' }).waitFor();
  });

  it('opens the job and plays its asset: time advances, a manual rendition switch takes effect, the seek bar previews', async () => {
    const { page } = watched;
    await page.locator('#job-rows a', { hasText: 'keynote.mp4' }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f-]+$/);
    await page.locator('#player').waitFor();
    await page.locator('#current-rendition[data-height]').waitFor();
    assert.match(await page.locator('#current-rendition').innerText(), /^Playing \d+p · .* \(automatic\)$/, 'automatic choice to begin with');

    // Poster from the asset, loaded.
    const poster = await page.locator('#player').getAttribute('poster');
    assert.match(poster ?? '', /\/thumbnails\/poster\.jpg$/);
    assert.equal((await page.request.get(poster ?? '')).status(), 200);

    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await waitInPage(page, 'document.querySelector("video").currentTime >= 3', 30_000);
    assert.equal(await page.locator('#player-error').isHidden(), true, 'no player error');
    assert.equal(await page.evaluate('document.querySelector("video").error'), null);

    // Pin the other rendition: both the shown rendition and the decoded frames must change.
    const before = Number(await page.locator('#current-rendition').getAttribute('data-height'));
    const target = before === 360 ? 180 : 360;
    const option = page.locator('#rendition option', { hasText: `${target}p` });
    await page.locator('#rendition').selectOption(await option.getAttribute('value') ?? '');
    await page.locator(`#current-rendition[data-height="${target}"]`).waitFor();
    assert.match(await page.locator('#current-rendition').innerText(), new RegExp(`^Playing ${target}p · .*kb/s$`), 'manual choice, not marked automatic');
    await waitInPage(page, `document.querySelector("video").videoHeight === ${target}`);
    assert.equal(await page.locator('#player-error').isHidden(), true);

    // Hover the middle of the seek bar: the preview shows a frame cut from a loaded sprite.
    const seek = page.locator('#seek');
    const box = await seek.boundingBox();
    assert.ok(box);
    await seek.hover({ position: { x: box.width / 2, y: box.height / 2 } });
    const preview = page.locator('#seek-preview');
    await preview.waitFor({ state: 'visible' });
    const sprite = preview.locator('img');
    assert.match(await sprite.getAttribute('src') ?? '', /\/thumbnails\/sprite-\d+\.jpg$/);
    await waitInPage(page, 'document.querySelector("#seek-preview img").naturalWidth > 0');
    const shown = Number(await preview.getAttribute('data-time'));
    assert.ok(shown > 3 && shown < 9, `the preview is for the hovered time (${shown} s)`);
    await screenshot(page, 'job-playing');

    // Links: HLS, DASH, manifest.json, download; the playback URL copies.
    const files = page.locator('#asset-files a');
    const hrefs = await Promise.all((await files.all()).map(async (link) => new URL(await link.getAttribute('href') ?? '', page.url()).href));
    for (const pattern of [/master\.m3u8$/, /manifest\.mpd$/, /manifest\.json$/, /download\/.+\.mp4$/, /poster\.jpg$/, /thumbnails\.vtt$/]) {
      const href = hrefs.find((h) => pattern.test(h));
      assert.ok(href, `a link matching ${pattern}`);
      assert.equal((await page.request.head(href)).status(), 200, href);
    }
    // What was measured: each rendition with its size, bitrate and sampled quality; the job's cost.
    const rows = page.locator('#renditions tbody tr');
    assert.equal(await rows.count(), transcode.ladder.length, 'one row per rendition');
    for (const row of await rows.all()) {
      const ssim = Number(await row.locator('td[data-metric="ssim"]').innerText());
      assert.ok(ssim > 0.5 && ssim <= 1, `SSIM shown: ${ssim}`);
      assert.match(await row.locator('td[data-metric="psnr"]').innerText(), /^\d+\.\d dB$/);
    }
    assert.match(await page.locator('#asset-cost').innerText(), /^\d+\.\d CPU-s · \d+\.\d\d per source second/);
    const playback = await page.locator('#playback-url').inputValue();
    assert.match(playback, /^http:\/\/127\.0\.0\.1:\d+\/media\/assets\/[0-9a-f-]+\/master\.m3u8$/);
    await page.getByRole('button', { name: /^Copy Playback URL/ }).click();
    await page.getByText('Copied.').waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), playback);

    // Every asset link has its own Copy button.
    const items = await page.locator('#asset-files li').all();
    assert.ok(items.length >= 6);
    for (const item of items) assert.equal(await item.getByRole('button', { name: /^Copy the URL of / }).count(), 1);
    const dash = page.locator('#asset-files li', { hasText: 'DASH' });
    await dash.getByRole('button').click();
    await dash.getByText('Copied.').waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), new URL(await dash.locator('a').getAttribute('href') ?? '', page.url()).href);

    // The recording and timing facts.
    const fact = (key: string) => page.locator(`#job-facts [data-fact="${key}"]`).innerText();
    assert.equal(await fact('duration'), '0:12');
    assert.match(await fact('bytes'), /^\d+(\.\d)? (KB|MB)$/);
    assert.equal(await fact('picture'), '640×360');
    assert.equal(await fact('frame-rate'), '30 fps');
    assert.match(await fact('total'), /^\d+(\.\d)? s|min/);
    assert.match(await fact('speed'), /^\d+\.\d× real time$/);
    assert.match(await fact('playable'), /^\d+(\.\d)? s$|^\d+ ms$/);
    const jobId = page.url().split('/').pop() ?? '';
    assert.equal(await page.locator('#output-prefix').innerText(), `assets/${jobId}/`);
    assert.match(await page.locator('#asset-folder').inputValue(), new RegExp(`/media/assets/${jobId}/$`));

    // One bitrate per rendition: the player's menu and the renditions table say the same.
    for (const height of [180, 360]) {
      const option = (await page.locator('#rendition option', { hasText: `${height}p` }).innerText()).split(' · ')[1];
      const cell = await page.locator('#asset-links tr', { hasText: `×${height}` }).locator('td[data-bitrate]').innerText();
      assert.equal(option, cell, `${height}p: player "${option}", table "${cell}"`);
    }

    // Step timings and the timeline came from the job's events; Playable from the job itself.
    assert.ok(await page.locator('#steps tr[data-step="encode"]').count() === 1, 'the encode step is timed');
    await page.locator('#timeline li', { hasText: 'Asset ready' }).waitFor();
    const timeline = await page.locator('#timeline .what').allInnerTexts();
    assert.ok(timeline.indexOf('Playable') > 0 && timeline.indexOf('Playable') < timeline.indexOf('Asset ready'), `Playable before Asset ready: ${timeline.join(', ')}`);
    assert.deepEqual(await unnamedControls(page), [], 'every control, the player\'s included, has a name');
    await page.setViewportSize({ width: 390, height: 844 });
    assert.equal(await page.evaluate('document.documentElement.scrollWidth <= innerWidth'), true, 'no sideways scrolling on a phone');
    await screenshot(page, 'job-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    await screenshot(page, 'job-desktop');
    assert.deepEqual(watched.pageErrors, []);
    assert.deepEqual(watched.consoleErrors, []);
  });
  it('renews the links once when media requests are refused (an expired signed link: 403), and plays on where it was', async () => {
    const { page } = watched;
    // Into the second 6 s segment and playing (the short clip may have ended meanwhile).
    await page.evaluate('(() => { const v = document.querySelector("video"); v.currentTime = 7; return v.play(); })()');
    let refused = 0;
    let blocked = true;
    /** The first segment fetched on the fresh links: it says where the rebuilt player resumed. */
    let firstAfter: string | undefined;
    // Segments answer 403 until the player loads the master playlist again, which only a rebuild
    // on fresh links does (the job read again).
    await page.route(/\.m4s(\?|$)/, (route) => {
      if (!blocked) {
        firstAfter ??= route.request().url();
        return route.continue();
      }
      refused++;
      return route.fulfill({ status: 403, contentType: 'application/json', body: '{"error":"expired"}' });
    });
    const reloaded = page.waitForRequest((request) => /master\.m3u8(\?|$)/.test(request.url()));
    page.on('request', (request) => {
      if (/master\.m3u8(\?|$)/.test(request.url())) blocked = false;
    });
    const jobRead = page.waitForRequest((request) => /\/v1\/jobs\/[0-9a-f-]+$/.test(request.url()));
    // A manual switch flushes the buffer, so the next media must be fetched and is refused.
    const before = Number(await page.locator('#current-rendition').getAttribute('data-height'));
    const target = before === 360 ? 180 : 360;
    const at = Number(await page.evaluate('document.querySelector("video").currentTime'));
    await page.locator('#rendition').selectOption(await page.locator('#rendition option', { hasText: `${target}p` }).getAttribute('value') ?? '');
    await jobRead;
    await reloaded;
    assert.ok(refused > 0, 'media requests were refused');
    await waitInPage(page, `document.querySelector("video").currentTime > ${at + 1}`, 30_000);
    assert.match(firstAfter ?? '', /\/seg-00002\.m4s$/, 'the rebuilt player resumed where it was, not at the start');
    await page.locator('#player-error').waitFor({ state: 'hidden' });
    assert.equal(await page.evaluate('document.querySelector("video").error'), null);
    assert.equal(await page.locator('#rendition').inputValue(), await page.locator('#rendition option', { hasText: `${target}p` }).getAttribute('value'), 'the chosen rendition is kept');
    await page.unroute(/\.m4s(\?|$)/);
    assert.deepEqual(watched.pageErrors, []);
  });
});
