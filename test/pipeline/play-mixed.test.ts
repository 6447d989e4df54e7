// A mixed H.264 + HEVC asset in a real browser: hls.js in chromium plays it, on H.264 levels when
// this chromium cannot decode the HEVC ones (the usual case without a hardware decoder), and only
// on levels whose codec it decodes in any case. What the browser reports is the oracle.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserSkip, launchBrowser, openPage, waitInPage, type WatchedPage } from '../helpers/browser.ts';
import { parseMaster } from '../helpers/asset-checks.ts';
import { makeTempDir, makeTestPattern, runCliOk, writeLadder, type TempDir } from '../helpers/media.ts';
import { serveAsset } from '../helpers/serve-asset.ts';

const page = `<!doctype html><video muted playsinline></video><script type="module">
import Hls from '/hls.mjs';
const hls = new Hls();
window.hls = hls;
window.played = [];
hls.on(Hls.Events.LEVEL_SWITCHED, (_, data) => window.played.push(hls.levels[data.level].videoCodec));
hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) window.fatal = data.details; });
hls.loadSource('/asset/master.m3u8');
hls.attachMedia(document.querySelector('video'));
</script>`;

describe('a mixed H.264 + HEVC asset plays in hls.js on what the browser decodes', { skip: browserSkip, timeout: 240_000 }, () => {
  let tmp: TempDir;
  let out: string;
  let server: Server;
  let browser: Browser;
  let watched: WatchedPage;

  before(async () => {
    tmp = await makeTempDir('live2vod-play-mixed-');
    // Two H.264 levels (and their HEVC twins), small: what the browser decodes is the point, not the size.
    // 4 s in 2 s segments: playback gets past 2 s into the second segment.
    const ladder = await writeLadder(tmp.dir, 'two', [
      { width: 160, height: 90, bitrateKbps: 150, maxFrameRate: 30 },
      { width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 },
    ]);
    const source = await makeTestPattern(tmp.dir, { seconds: 4, width: 320, height: 180, rate: 30, audio: 'sine' });
    out = path.join(tmp.dir, 'asset');
    await runCliOk(['transcode', source, '--out', out, '--ladder', ladder, '--preset', 'ultrafast', '--chunk-seconds', '0', '--segment', '2', '--mixed-hevc', '--no-quality', '--no-thumbnails', '--no-download', '--no-loudnorm', '--json'], { timeoutMs: 200_000 });
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

  it('keeps the HEVC levels only where MediaSource decodes them, and plays an H.264 level', async (t) => {
    const master = parseMaster(await readFile(path.join(out, 'master.m3u8'), 'utf8'));
    const hevcCodec = master.variants.map((v) => v.attributes.CODECS?.split(',')[0] ?? '').find((c) => c.startsWith('hvc1.'));
    assert.ok(hevcCodec, 'the master lists HEVC variants');
    const { page: tab } = watched;
    const { port } = server.address() as AddressInfo;
    await tab.goto(`http://127.0.0.1:${port}/`);
    const hevcDecodes = await tab.evaluate(`MediaSource.isTypeSupported('video/mp4; codecs="${hevcCodec}"')`);
    t.diagnostic(`this chromium ${hevcDecodes ? 'decodes' : 'does not decode'} ${hevcCodec}`);
    await waitInPage(tab, 'window.hls && window.hls.levels.length > 0');
    const levels = (await tab.evaluate('window.hls.levels.map((l) => l.videoCodec)')) as string[];
    const avc = levels.filter((c) => c.startsWith('avc1.'));
    assert.equal(avc.length, 2, `both H.264 levels are offered: ${levels.join(', ')}`);
    if (!hevcDecodes) assert.deepEqual(levels.filter((c) => !c.startsWith('avc1.')), [], 'a browser without HEVC is offered no HEVC level');

    await tab.evaluate('document.querySelector("video").play()');
    await waitInPage(tab, 'document.querySelector("video").currentTime > 2', 30_000);
    const played = (await tab.evaluate('window.played')) as string[];
    assert.ok(played.length > 0, 'a level was chosen');
    if (!hevcDecodes) assert.ok(played.every((c) => c.startsWith('avc1.')), `plays H.264 only: ${played.join(', ')}`);
    assert.equal(await tab.evaluate('window.fatal ?? null'), null);
    assert.deepEqual(watched.pageErrors, []);
  });
});
