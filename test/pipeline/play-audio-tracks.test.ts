// The two-language asset in a real browser: hls.js (as the dashboard's player uses it) lists both
// audio tracks with their languages and names, plays, and switches to the second while playing.
// The asset is served by a bare static server, so the test is about the asset, not the dashboard.
// Made in this process with only what playback needs (no thumbnails, download, quality, loudness pass).
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserSkip, launchBrowser, openPage, waitInPage, type WatchedPage } from '../helpers/browser.ts';
import { makeTempDir, makeTwoLanguages, writeLadder, type TempDir } from '../helpers/media.ts';
import { serveAsset } from '../helpers/serve-asset.ts';
import { runCliInProcess } from '../helpers/cli-in-process.ts';

const page = `<!doctype html><video muted playsinline></video><script type="module">
import Hls from '/hls.mjs';
const hls = new Hls();
window.hls = hls;
window.switched = [];
hls.on(Hls.Events.AUDIO_TRACK_SWITCHED, (_, data) => window.switched.push(data.id));
hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) window.fatal = data.details; });
hls.loadSource('/asset/master.m3u8');
hls.attachMedia(document.querySelector('video'));
</script>`;

describe('a two-language asset plays in hls.js with both audio tracks', { skip: browserSkip, timeout: 180_000 }, () => {
  let tmp: TempDir;
  let server: Server;
  let browser: Browser;
  let watched: WatchedPage;

  before(async () => {
    tmp = await makeTempDir('live2vod-play-tracks-');
    const ladder = await writeLadder(tmp.dir, 'one', [{ width: 320, height: 180, bitrateKbps: 250, maxFrameRate: 30 }]);
    const source = await makeTwoLanguages(tmp.dir, 12);
    const out = path.join(tmp.dir, 'asset');
    await runCliInProcess(['transcode', source, '--out', out, '--ladder', ladder, '--preset', 'ultrafast', '--chunk-seconds', '0', '--no-thumbnails', '--no-download', '--no-quality', '--no-loudnorm', '--json']);
    server = await serveAsset(out, page);
    browser = await launchBrowser();
    watched = await openPage(browser);
  });

  after(async () => {
    await watched?.close();
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await tmp?.cleanup();
  });

  it('lists two audio tracks with language and name, and switches to the German one while playing', async () => {
    const { page: tab } = watched;
    const { port } = server.address() as AddressInfo;
    await tab.goto(`http://127.0.0.1:${port}/`);
    await waitInPage(tab, 'window.hls && window.hls.audioTracks.length === 2');
    const tracks = await tab.evaluate('window.hls.audioTracks.map((t) => [t.lang, t.name, t.default])');
    assert.deepEqual(tracks, [['en', 'English', true], ['de', 'Dolmetscher', false]]);
    await tab.evaluate('document.querySelector("video").play()');
    await waitInPage(tab, 'document.querySelector("video").currentTime > 0.5', 20_000);
    await tab.evaluate('window.hls.audioTrack = 1');
    await waitInPage(tab, 'window.switched.includes(1)', 20_000);
    const position = Number(await tab.evaluate('document.querySelector("video").currentTime'));
    await waitInPage(tab, `document.querySelector("video").currentTime > ${position + 1}`, 20_000);
    assert.equal(await tab.evaluate('window.hls.audioTrack'), 1);
    assert.equal(await tab.evaluate('window.fatal ?? null'), null);
    assert.deepEqual(watched.pageErrors, []);
  });
});
