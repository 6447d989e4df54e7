// The dashboard's readable states and actions, in a real browser against a real `live2vod serve`
// (in-process, through startService, whose close() the unreachable-server test stops it with):
// the empty queue, a job that does not exist, a failed job with ffmpeg's stderr tail and the
// command, a job still processing (its source is a local HTTP server that never finishes sending)
// with priority change, cancel and retry from the pages, an unreachable server, and a server with
// API tokens. One browser for the file (each test has its own context: own storage, own page).
// Screenshots go to test-artifacts/dashboard/.
import assert from 'node:assert/strict';
import { writeFile, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { ApiJob } from '../../src/http/api-schemas.ts';
import { browserSkip, launchBrowser, openPage, screenshot, tabTo, unnamedControls, type WatchedPage } from '../helpers/browser.ts';
import { api, makeTemp, startTestService, waitFor, waitForJob, type TestService } from '../helpers/serve.ts';

/** Answers every GET with the start of a "recording" and then nothing more: the download hangs. */
async function startStallingServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(50_000_000) });
    response.write(Buffer.alloc(4096));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The file's one browser, launched by the first test that needs it, closed after the last. */
let sharedBrowser: Promise<Browser> | undefined;
const theBrowser = (): Promise<Browser> => (sharedBrowser ??= launchBrowser());
after(async () => {
  await (await sharedBrowser?.catch(() => undefined))?.close();
});

describe('dashboard: error states and actions', { skip: browserSkip, timeout: 150_000 }, () => {
  let dir: string;
  let serve: TestService;
  let stalling: Awaited<ReturnType<typeof startStallingServer>>;
  let watched: WatchedPage;

  before(async () => {
    const browser = theBrowser(); // launching while the servers start
    dir = await makeTemp('live2vod-dashboard-states-');
    stalling = await startStallingServer();
    // Private addresses are refused for http(s) sources unless allowed: allow the test server's.
    serve = await startTestService({ dataDir: path.join(dir, 'data'), overrides: { sourceFetch: { allow: ['127.0.0.1'] } } });
    watched = await openPage(await browser);
  });

  after(async () => {
    await watched?.close();
    await serve?.close();
    await stalling?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('says the queue is empty, and says so when a job does not exist', async () => {
    const { page } = watched;
    await page.goto(`${serve.url}/`);
    await page.getByText('The queue is empty: no jobs yet.').waitFor();
    assert.equal(await page.locator('#jobs').isHidden(), true, 'no empty table');
    await screenshot(page, 'list-empty');

    // Keyboard: the first Tab reaches the skip link, with a visible focus ring; the forms follow.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'Skip to the jobs');
    assert.equal(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle'), 'solid');
    assert.ok(await tabTo(page, /^Upload and transcode$/), 'the upload button is reachable by Tab');
    assert.deepEqual(await unnamedControls(page), [], 'every control has a name');

    await page.goto(`${serve.url}/jobs/01900000-0000-7000-8000-000000000000`);
    await page.getByText('There is no job 01900000-0000-7000-8000-000000000000.').waitFor();
    assert.equal(await page.locator('#job').isHidden(), true);
  });

  it('shows a failed job with its error, the stderr tail and the command that failed', async () => {
    const { page } = watched;
    const broken = path.join(dir, 'broken.mp4');
    await writeFile(broken, Buffer.from('this is not a video file, just text pretending to be one\n'.repeat(50)));
    await page.goto(`${serve.url}/`);
    await page.setInputFiles('#upload-file', broken);
    await page.getByRole('button', { name: 'Upload and transcode' }).click();
    const row = page.locator('#job-rows tr', { hasText: 'broken.mp4' });
    // Bad input is never retried: straight to failed, seen live, with the reason in the row. Retry
    // stays possible but quiet: the error says it will not help (the name changed with that).
    await row.and(page.locator('[data-state="failed"]')).waitFor({ timeout: 60_000 });
    assert.match(await row.locator('.reason').innerText(), /not a complete MP4\/MOV/);
    const retry = row.getByRole('button', { name: 'Retry broken.mp4 anyway' });
    assert.equal(await retry.count(), 1);
    assert.equal(await retry.getAttribute('class'), 'quiet');
    await screenshot(page, 'list-failed');

    await row.getByRole('link', { name: 'broken.mp4' }).click();
    const panel = page.locator('#job-error');
    await panel.waitFor();
    assert.match(await page.locator('#error-message').innerText(), /not a complete MP4\/MOV/);
    assert.match(await page.locator('#error-code').innerText(), /retrying will not help/);
    assert.match(await page.locator('#error-stderr').innerText(), /moov atom not found/);
    assert.match(await page.locator('#error-command').innerText(), /^\S*ffprobe .*broken\.mp4/);
    await page.locator('#timeline li', { hasText: 'Failed' }).waitFor();
    assert.equal(await page.locator('#asset').isHidden(), true, 'no player for a failed job');
    // The main action is to submit a fixed recording, before the quiet Retry.
    const actions = page.locator('#job-actions > *');
    assert.deepEqual(await actions.allInnerTexts(), ['Submit a fixed recording', 'Retry anyway']);
    assert.equal(await page.locator('[data-fact="total"]').count(), 1, 'the facts are there for a failed job too');
    assert.equal(await page.locator('[data-fact="playable"]').innerText(), 'never (failed)');
    await screenshot(page, 'job-failed');
    await page.getByRole('link', { name: 'Submit a fixed recording' }).click();
    await page.waitForURL(/\/#submit$/);
    await page.locator('#submit[open] #upload-form').waitFor();
  });

  it('shows a job still processing; priority, cancel and retry work from the pages and show up live', async () => {
    const { page } = watched;
    await page.goto(`${serve.url}/`);
    // With a job in the list the forms are folded away: unfold them.
    await page.locator('#job-rows tr').first().waitFor();
    await page.getByText('Submit a recording').click();
    for (const name of ['first.mp4', 'second.mp4']) {
      await page.getByLabel('Or give a source URI').fill(`${stalling.url}/${name}`);
      await page.getByRole('button', { name: 'Submit', exact: true }).click();
      await page.locator('#submit-status').getByRole('link', { name }).waitFor();
    }
    const first = page.locator('#job-rows tr', { hasText: 'first.mp4' });
    const second = page.locator('#job-rows tr', { hasText: 'second.mp4' });
    await first.and(page.locator('[data-state="running"]')).waitFor({ timeout: 30_000 });
    await second.and(page.locator('[data-state="queued"]')).waitFor();

    // One worker: the second waits, and its priority can still change.
    await page.getByLabel('Priority of second.mp4').selectOption('high');
    await page.getByText('Done: set the priority of second.mp4 to high.').waitFor();
    const secondId = await second.getAttribute('data-job-id');
    assert.ok(secondId);
    assert.equal((await api<ApiJob>(serve.url, `/v1/jobs/${secondId}`)).body.priority, 'high');
    await screenshot(page, 'list-active');

    await first.getByRole('link', { name: 'first.mp4' }).click();
    const notice = page.locator('#job-notice');
    await notice.waitFor();
    assert.match(await notice.innerText(), /Still processing/);
    assert.equal(await page.locator('#job-progress').isVisible(), true);
    assert.equal(await page.locator('#asset').isHidden(), true);
    await screenshot(page, 'job-processing');

    await page.getByRole('button', { name: 'Cancel first.mp4' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#job-state .badge[data-state="cancelled"]').waitFor();
    await page.getByRole('button', { name: 'Retry first.mp4' }).waitFor();
    assert.equal(await page.evaluate('document.activeElement.getAttribute("aria-label")'), 'Retry first.mp4', 'keyboard focus moves from Cancel to Retry, not to the page');
    assert.match(await notice.innerText(), /cancelled/);
    await page.getByRole('button', { name: 'Retry first.mp4' }).click();
    // Back in the queue behind the high-priority job that took the worker.
    await page.locator('#job-state .badge[data-state="queued"]').waitFor();
    await page.locator('#timeline li', { hasText: 'Retried by hand' }).waitFor();
    const firstId = page.url().split('/').pop() ?? '';
    await waitForJob(serve.url, secondId, 'running');
    for (const id of [firstId, secondId]) assert.equal((await api(serve.url, `/v1/jobs/${id}/cancel`, { method: 'POST' })).status, 202);
    await page.locator('#job-state .badge[data-state="cancelled"]').waitFor();
  });

  it('filters the list by state, priority and source, and pages through it, keeping both in the URL', async () => {
    const { page } = watched;
    // Three jobs by now, newest first: second.mp4 (high), first.mp4, broken.mp4 (failed).
    await page.goto(`${serve.url}/?limit=2`);
    const names = () => page.locator('#job-rows td.source a').allInnerTexts();
    await page.locator('#job-rows tr').first().waitFor();
    assert.deepEqual(await names(), ['second.mp4', 'first.mp4']);
    await page.getByRole('button', { name: 'Older →' }).click();
    await waitFor('the URL to say /cursor=\d+/', () => /cursor=\d+/.test(page.url()));
    await page.locator('#job-rows a', { hasText: 'broken.mp4' }).waitFor();
    assert.deepEqual(await names(), ['broken.mp4']);
    assert.equal(await page.getByRole('button', { name: 'Older →' }).isDisabled(), true, 'the last page');
    await page.getByRole('button', { name: '← Newer' }).click();
    await page.locator('#job-rows a', { hasText: 'second.mp4' }).waitFor();
    assert.deepEqual(await names(), ['second.mp4', 'first.mp4']);

    await page.getByLabel('State', { exact: true }).selectOption('failed');
    await waitFor('the URL to say /state=failed/', () => /state=failed/.test(page.url()));
    await page.locator('#job-rows tr[data-state="failed"]').first().waitFor();
    assert.deepEqual(await names(), ['broken.mp4']);
    await page.getByLabel('State', { exact: true }).selectOption('');
    await page.getByLabel('Priority', { exact: true }).last().selectOption('high');
    await waitFor('the URL to say /priority=high/', () => /priority=high/.test(page.url()));
    // The list reloads after the URL changes: wait for the filtered rows, not for any row (under
    // load the unfiltered ones are still there for a moment).
    await waitFor('only the high-priority job to be listed', async () => (await names()).join() === 'second.mp4', { timeoutMs: 10_000 });
    await page.getByLabel('Priority', { exact: true }).last().selectOption('');
    await page.getByLabel('Source', { exact: true }).selectOption({ label: 'Uploads' });
    await waitFor('only the upload to be listed', async () => (await names()).join() === 'broken.mp4', { timeoutMs: 10_000 });
    await page.getByLabel('Source', { exact: true }).selectOption('watch');
    await page.getByText('No jobs match these filters.').waitFor();
    await page.reload();
    assert.equal(await page.getByLabel('Source', { exact: true }).inputValue(), 'watch', 'filters survive a reload');
    await page.getByRole('button', { name: 'Show all jobs' }).click();
    await page.locator('#job-rows a', { hasText: 'second.mp4' }).waitFor();
    assert.equal(new URL(page.url()).search, '?limit=2');
  });

  it('says when the server cannot be reached', async () => {
    const { page } = watched;
    await page.goto(`${serve.url}/`);
    await page.locator('#connection[data-state="open"]').waitFor();
    await serve.close();
    const banner = page.locator('#banner');
    await banner.getByText(/cannot reach the live2vod server/).waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('#connection').getAttribute('data-state'), 'unreachable');
    await banner.getByRole('button', { name: 'Retry now' }).click();
    await banner.getByText(/cannot reach the live2vod server/).waitFor();
    await screenshot(page, 'list-unreachable');
    assert.deepEqual(watched.pageErrors, []);
  });
});

describe('dashboard: a server with API tokens', { skip: browserSkip, timeout: 60_000 }, () => {
  it('asks for the token, refuses a wrong one, remembers the right one, and shows API refusals readably', async () => {
    const token = 'dashboard-secret-1';
    const service = await startTestService({ overrides: { auth: { tokens: [token] } } });
    const { page, pageErrors, close } = await openPage(await theBrowser());
    try {
      await page.goto(`${service.url}/`);
      const input = page.getByLabel(/^Token/);
      await input.waitFor();
      assert.match(await page.locator('#banner').innerText(), /needs an API token/);
      assert.equal(await page.locator('#connection').getAttribute('data-state'), 'unauthorized');
      await screenshot(page, 'token-needed');

      await input.fill('wrong-token-123');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText(/The saved token was refused/).waitFor();

      await input.fill(token);
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('The queue is empty: no jobs yet.').waitFor();
      await page.locator('#connection[data-state="open"]').waitFor();
      assert.equal(await page.locator('#banner').isHidden(), true);

      await page.reload();
      await page.getByText('The queue is empty: no jobs yet.').waitFor();
      assert.equal(await page.locator('#token-button').innerText(), 'API token ✓', 'kept in this browser');

      // A source outside the source roots: the API's refusal, in words, next to the form.
      await page.getByLabel('Or give a source URI').fill('/etc/passwd');
      await page.getByRole('button', { name: 'Submit', exact: true }).click();
      await page.locator('#submit-status[data-kind="error"]').getByText(/was refused: local sources must lie under/).waitFor();
      assert.deepEqual(pageErrors, []);
    } finally {
      await close();
      await service.dispose();
    }
  });
});
