// The dashboard's server side: the two pages, their CSP, every module they load (followed through
// the import graph, so a missing or misnamed file fails here rather than in a browser), hls.js
// from node_modules, and what /ui/ must not serve. The service has API tokens: the pages and their
// files must load without one, the API must not.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestService, type TestService } from '../helpers/serve.ts';

const token = 'dashboard-token-01';

async function get(base: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; text: string; headers: Headers }> {
  const response = await fetch(new URL(path, base), { headers, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text(), headers: response.headers };
}

describe('dashboard routes', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ overrides: { auth: { tokens: [token] } } });
  });
  after(() => service.dispose());

  it('serves the job list at / and a job page at /jobs/<id>, as HTML with a strict script policy, without a token', async () => {
    for (const [path, script] of [['/', '/ui/jobs-page.js'], ['/jobs/01a22867-3eae-7fb6-84b3-bf3f219cdd9a', '/ui/job-page.js']] as const) {
      const page = await get(service.url, path);
      assert.equal(page.status, 200, path);
      assert.equal(page.type, 'text/html; charset=utf-8');
      assert.ok(page.text.includes(`<script type="module" src="${script}"></script>`), `${path} loads ${script}`);
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /script-src 'self'(;|$)/, 'no inline or eval scripts');
      assert.match(csp, /style-src 'self'(;|$)/);
      assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    }
    assert.equal((await get(service.url, '/v1/jobs')).status, 401, 'while the API needs the token');
  });

  it('gives both pages the one shared header, token panel and banner, marking the list as the current page', async () => {
    const list = (await get(service.url, '/')).text;
    const job = (await get(service.url, '/jobs/01a22867-3eae-7fb6-84b3-bf3f219cdd9a')).text;
    for (const html of [list, job]) {
      for (const id of ['connection', 'token-button', 'token-panel', 'token-form', 'banner']) {
        assert.equal(html.split(`id="${id}"`).length - 1, 1, `one #${id}`);
      }
      assert.ok(!html.includes('page-header'), 'no marker or fragment comment is left in the page');
    }
    assert.ok(list.includes('<a href="/" aria-current="page">Jobs</a>'));
    assert.ok(!job.includes('aria-current'), 'the job page is not the list');
  });

  it('answers 404 for /jobs/ paths that cannot be a job id', async () => {
    const page = await get(service.url, '/jobs/not%20a%20job%3Cscript%3E');
    assert.equal(page.status, 404);
    assert.match(page.text, /No such job/);
    assert.ok(!page.text.includes('<script'), 'nothing of the path is echoed into a script');
  });

  it('serves every file the pages reference and every module they import, with the right content type', async () => {
    const seen = new Map<string, string>();
    const queue: string[] = [];
    for (const path of ['/', '/jobs/01a22867-3eae-7fb6-84b3-bf3f219cdd9a']) {
      const html = (await get(service.url, path)).text;
      for (const match of html.matchAll(/(?:src|href)="(\/ui\/[^"]+)"/g)) queue.push(match[1]!);
    }
    while (queue.length > 0) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      const file = await get(service.url, path);
      assert.equal(file.status, 200, `${path} is served`);
      seen.set(path, file.type);
      if (path.endsWith('.js')) {
        // Static imports of the dashboard's own modules: './x.js' or './vendor/hls.mjs'.
        for (const match of file.text.matchAll(/^import [^;]*? from '(\.\/[^']+)';$/gm)) queue.push(new URL(match[1]!, `http://x${path}`).pathname);
      }
    }
    // Module scripts need a JavaScript MIME type (either spelling) with nosniff.
    const expected: Record<string, RegExp> = { '.js': /^(text|application)\/javascript/, '.mjs': /^(text|application)\/javascript/, '.css': /^text\/css/, '.svg': /^image\/svg\+xml/ };
    for (const [path, type] of seen) {
      const extension = path.slice(path.lastIndexOf('.'));
      assert.match(type, expected[extension] ?? /^$/, `${path}: ${type}`);
    }
    for (const module of ['/ui/jobs-page.js', '/ui/job-page.js', '/ui/player.js', '/ui/event-stream.js', '/ui/vendor/hls.mjs', '/ui/app.css']) {
      assert.ok(seen.has(module), `${module} is reachable from the pages`);
    }
  });

  it('serves hls.js from node_modules as an ES module (no CDN)', async () => {
    const hls = await get(service.url, '/ui/vendor/hls.mjs');
    assert.equal(hls.status, 200);
    assert.match(hls.type, /^text\/javascript/);
    assert.ok(hls.text.length > 100_000, 'the whole library');
    assert.match(hls.text, /export\s*\{[^}]*as default/, 'an ES module with a default export');
  });

  it('does not serve what is not a browser file: the HTML shells, tsconfig, type declarations, paths outside src/web', async () => {
    for (const path of ['/ui/index.html', '/ui/page-header.html', '/ui/tsconfig.json', '/ui/vendor/hls.d.mts', '/ui/../http/app.ts', '/ui/%2e%2e/http/app.ts', '/ui/vendor/hls.min.mjs', '/ui/']) {
      assert.equal((await get(service.url, path)).status, 404, path);
    }
  });
});
