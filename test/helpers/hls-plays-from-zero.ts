// An asset played by hls.js in chromium: it starts at 0, plays past 2 s without a fatal error, and
// the player's duration is the one expected (a clip's, a trimmed asset's).
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchBrowser, openPage, waitInPage } from './browser.ts';
import { serveAsset } from './serve-asset.ts';

const page = `<!doctype html><video muted playsinline></video><script type="module">
import Hls from '/hls.mjs';
const hls = new Hls();
hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) window.fatal = data.details; });
hls.loadSource('/asset/master.m3u8');
hls.attachMedia(document.querySelector('video'));
window.hls = hls;
</script>`;

export async function assertPlaysFromZero(assetDir: string, expected: { levels: number; durationSeconds: number }): Promise<void> {
  const server = await serveAsset(assetDir, page);
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const watched = await openPage(browser);
    const { port } = server.address() as AddressInfo;
    await watched.page.goto(`http://127.0.0.1:${port}/`);
    await waitInPage(watched.page, `window.hls && window.hls.levels.length === ${expected.levels}`);
    const startedAt = Number(await watched.page.evaluate('document.querySelector("video").currentTime'));
    assert.ok(startedAt < 0.1, `starts at 0, not ${startedAt}`);
    await watched.page.evaluate('document.querySelector("video").play()');
    await waitInPage(watched.page, 'document.querySelector("video").currentTime > 2', 30_000);
    const duration = Number(await watched.page.evaluate('document.querySelector("video").duration'));
    assert.ok(Math.abs(duration - expected.durationSeconds) < 0.2, `the player's duration ${duration}, expected ${expected.durationSeconds}`);
    assert.equal(await watched.page.evaluate('window.fatal ?? null'), null);
    assert.deepEqual(watched.pageErrors, []);
    await watched.close();
  } finally {
    await browser?.close();
    await new Promise((resolve) => server.close(resolve));
  }
}
