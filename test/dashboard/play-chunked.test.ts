// A chunked asset plays in a real browser (hls.js in Debian's chromium, through the dashboard's
// job page) straight across its chunk seams: a 12 s recording encoded in 4 s chunks of 2 s segments
// by a real `bin/live2vod serve`, played from before the first seam to past it, then again across
// the second.
// The job's page shows the chunks the worker reported.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserSkip, launchBrowser, openPage, screenshot, waitInPage, type WatchedPage } from '../helpers/browser.ts';
import { makeTestPattern } from '../helpers/media.ts';
import { api, makeTemp, startServeProcess, submitJob, waitForJob, type ServeProcess } from '../helpers/serve.ts';

describe('dashboard: a chunked asset plays across its seams', { skip: browserSkip, timeout: 180_000 }, () => {
  let dir: string;
  let recording: string;
  let serve: ServeProcess;
  let browser: Browser;
  let watched: WatchedPage;

  before(async () => {
    dir = await makeTemp('live2vod-play-chunked-');
    // The three at once (none needs another); each is kept as it comes, so after() closes what started.
    const started = await Promise.allSettled([
      makeTestPattern(dir, { seconds: 12, width: 640, height: 360, rate: 30, audio: 'sine', name: 'keynote.mp4' }).then((file) => { recording = file; }),
      launchBrowser().then((launched) => { browser = launched; }),
      startServeProcess({
        dataDir: `${dir}/data`,
        config: {
          sourceRoots: [dir],
          transcode: { ladder: [{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }, { width: 640, height: 360, bitrateKbps: 900, maxFrameRate: 30 }], thumbnails: false, download: false, instantRemux: false, loudness: false, segmentSeconds: 2, chunkSeconds: 4 },
        },
      }).then((running) => { serve = running; }),
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

  it('plays from 2.5 s past the 4 s seam and from 7 s past the 8 s seam, without an error or a stall', async () => {
    const created = await submitJob(serve.url, { source: recording });
    const job = await waitForJob(serve.url, created.id, 'succeeded', { timeoutMs: 120_000 });
    assert.ok(job.asset);
    const manifest = await (await fetch(job.asset.manifest)).json() as { chunks: { count: number; seconds: number } | null };
    assert.deepEqual(manifest.chunks, { count: 3, seconds: 4 }, 'the asset was made in chunks');
    // The worker reported each chunk; the job's log keeps the reports.
    const log = await api<{ items: { type: string; data: Record<string, unknown> }[] }>(serve.url, `/v1/jobs/${job.id}/log`);
    const chunkEvents = log.body.items.filter((e) => e.type === 'job.chunk');
    assert.deepEqual(chunkEvents.filter((e) => e.data['state'] === 'done').map((e) => e.data['index']).sort(), [0, 1, 2]);
    assert.ok(chunkEvents.every((e) => e.data['count'] === 3));

    const { page } = watched;
    await page.goto(`${serve.url}/jobs/${job.id}`);
    await page.locator('#player').waitFor();
    // The timeline shows the chunks, all done.
    assert.equal(await page.locator('#chunks .chunks-summary').innerText(), '3 of 3 chunks done');
    assert.equal(await page.locator('#chunks .chunk-strip li[data-state="done"]').count(), 3);
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await waitInPage(page, 'document.querySelector("video").currentTime >= 1', 30_000);
    for (const [from, past] of [[2.5, 5.5], [7, 9.5]] as const) {
      await page.evaluate(`(() => { const v = document.querySelector("video"); v.currentTime = ${from}; return v.play(); })()`);
      await waitInPage(page, `document.querySelector("video").currentTime > ${past}`, 20_000);
      assert.equal(await page.evaluate('document.querySelector("video").error'), null, `no media error playing across ${Math.ceil(from / 4) * 4} s`);
      assert.equal(await page.locator('#player-error').isHidden(), true, 'no player error');
    }
    const quality = await page.evaluate('(() => { const q = document.querySelector("video").getVideoPlaybackQuality(); return { total: q.totalVideoFrames, dropped: q.droppedVideoFrames }; })()') as { total: number; dropped: number };
    assert.ok(quality.total > 100, `frames were decoded: ${JSON.stringify(quality)}`);
    await screenshot(page, 'chunked-asset-playing');
  });
});
