// Downloads of http(s) sources against real local servers (node:http on 127.0.0.1): byte-identical
// bodies, SSRF refusals (before any connection is made), redirects re-checked on every hop, a
// pinned resolution (no DNS rebinding), size limits, timeout, cancellation and status mapping.
// Host names like `media.test` resolve through a resolver injected into the policy.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CancelledError, InputError, Live2vodError } from '../../src/errors/index.ts';
import { AddressPolicy, type ResolvedAddress } from '../../src/pipeline/address-policy.ts';
import { fetchHttpSource, type FetchHttpSourceOptions } from '../../src/pipeline/fetch-http-source.ts';

// --- helpers ---------------------------------------------------------------------------------------------

interface TestServer {
  port: number;
  url: string;
  /** TCP connections accepted. */
  connections: number;
  /** Requests seen: path and Host header. */
  requests: Array<{ path: string; host: string | undefined }>;
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

async function serve(handler: Handler, host = '127.0.0.1'): Promise<TestServer> {
  const server = http.createServer((request, response) => {
    state.requests.push({ path: request.url ?? '', host: request.headers.host });
    handler(request, response);
  });
  const state: TestServer = {
    port: 0,
    url: '',
    connections: 0,
    requests: [],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://${host.includes(':') ? `[${host}]` : host}:${state.port}`;
  return state;
}

/** A resolver for made-up names; each call is recorded. */
function fakeResolver(answers: Record<string, string[] | (() => string[])>): ((hostname: string) => Promise<ResolvedAddress[]>) & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
    calls.push(hostname);
    const answer = answers[hostname];
    if (answer === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const addresses = typeof answer === 'function' ? answer() : answer;
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function isRetryable(error: unknown): boolean {
  return error instanceof Live2vodError && !(error instanceof InputError) && error.retryable && error.exitCode === 1;
}

let scratch: string;
let counter = 0;
const nextFile = (): string => path.join(scratch, `source-${++counter}.bin`);

before(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'live2vod-fetch-test-'));
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const body5MiB = randomBytes(5 * 1024 * 1024);
const MiB = 1024 * 1024;

// --- downloads that work ---------------------------------------------------------------------------------

describe('fetchHttpSource downloads', () => {
  let server: TestServer;
  before(async () => {
    server = await serve((request, response) => {
      if (request.url === '/video.ts') {
        response.writeHead(200, { 'content-type': 'video/mp2t', 'content-length': body5MiB.length });
        response.end(body5MiB);
      } else if (request.url === '/chunked') {
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        let sent = 0;
        const pump = (): void => {
          while (sent < body5MiB.length) {
            const chunk = body5MiB.subarray(sent, sent + 100_000);
            sent += chunk.length;
            if (!response.write(chunk)) {
              response.once('drain', pump);
              return;
            }
          }
          response.end();
        };
        pump();
      } else if (request.url === '/start') {
        response.writeHead(302, { location: 'next?x=1' }).end();
      } else if (request.url === '/next?x=1') {
        response.writeHead(301, { location: `http://media.test:${server.port}/final` }).end();
      } else if (request.url === '/final') {
        response.writeHead(200, { 'content-type': 'text/plain' }).end('final body');
      } else {
        response.writeHead(404).end();
      }
    });
  });
  after(() => server.close());

  test('a 5 MiB body arrives byte-identical, with progress', async () => {
    const file = nextFile();
    const progress: Array<[number, number | undefined]> = [];
    const policy = new AddressPolicy({ allow: ['127.0.0.1'] });
    const result = await fetchHttpSource(`${server.url}/video.ts`, file, { policy, maxBytes: 10 * MiB, timeoutMs: 10_000, onProgress: (bytes, total) => progress.push([bytes, total]) });
    assert.deepEqual(result, { bytes: body5MiB.length, finalUrl: `${server.url}/video.ts`, contentType: 'video/mp2t' });
    assert.ok((await readFile(file)).equals(body5MiB));
    assert.deepEqual(progress.at(-1), [body5MiB.length, body5MiB.length]);
  });

  test('a chunked body (no Content-Length) arrives byte-identical', async () => {
    const file = nextFile();
    const progress: Array<number | undefined> = [];
    const policy = new AddressPolicy({ allow: [`127.0.0.1:${server.port}`] });
    const result = await fetchHttpSource(`${server.url}/chunked`, file, { policy, maxBytes: 5 * MiB, timeoutMs: 10_000, onProgress: (_bytes, total) => progress.push(total) });
    assert.equal(result.bytes, body5MiB.length);
    assert.ok((await readFile(file)).equals(body5MiB));
    assert.ok(progress.every((total) => total === undefined));
  });

  test('redirects are followed (relative and absolute) and the Host header keeps the name', async () => {
    const file = nextFile();
    const resolve = fakeResolver({ 'media.test': ['127.0.0.1'] });
    const policy = new AddressPolicy({ allow: [`127.0.0.1:${server.port}`], resolve });
    const before = server.requests.length;
    const result = await fetchHttpSource(`${server.url}/start`, file, { policy, maxBytes: MiB, timeoutMs: 5000 });
    assert.equal(result.finalUrl, `http://media.test:${server.port}/final`);
    assert.equal(await readFile(file, 'utf8'), 'final body');
    assert.deepEqual(server.requests.slice(before), [
      { path: '/start', host: `127.0.0.1:${server.port}` },
      { path: '/next?x=1', host: `127.0.0.1:${server.port}` },
      { path: '/final', host: `media.test:${server.port}` },
    ]);
    assert.deepEqual(resolve.calls, ['media.test']);
  });

  test('a host allowlisted by name is fetched from the address it resolved to', async () => {
    const file = nextFile();
    const policy = new AddressPolicy({ allow: [`media.test:${server.port}`], resolve: fakeResolver({ 'media.test': ['127.0.0.1'] }) });
    const result = await fetchHttpSource(`http://media.test:${server.port}/final`, file, { policy, maxBytes: MiB, timeoutMs: 5000 });
    assert.equal(result.bytes, 'final body'.length);
  });

  test('the vetted address is the one connected to: a rebinding resolver gets no second chance', async () => {
    const file = nextFile();
    let calls = 0;
    const resolve = fakeResolver({ 'rebind.test': () => (++calls === 1 ? ['127.0.0.1'] : ['10.0.0.1']) });
    const policy = new AddressPolicy({ allow: [`127.0.0.1:${server.port}`], resolve });
    await fetchHttpSource(`http://rebind.test:${server.port}/video.ts`, file, { policy, maxBytes: 10 * MiB, timeoutMs: 10_000 });
    assert.ok((await readFile(file)).equals(body5MiB));
    assert.deepEqual(resolve.calls, ['rebind.test']);
  });
});

// --- refusals --------------------------------------------------------------------------------------------

describe('fetchHttpSource refuses', () => {
  let server: TestServer;
  let v6: TestServer | undefined;
  before(async () => {
    server = await serve((_request, response) => response.end('should never be served'));
    v6 = await serve((_request, response) => response.end('should never be served'), '::1').catch(() => undefined);
  });
  after(async () => {
    await server.close();
    await v6?.close();
  });

  const defaults = (): FetchHttpSourceOptions => ({ policy: new AddressPolicy(), maxBytes: MiB, timeoutMs: 5000 });

  test('loopback, private, metadata and unspecified addresses under the default policy, without connecting', async () => {
    const urls = [
      `http://127.0.0.1:${server.port}/`,
      `http://localhost:${server.port}/`,
      `http://[::ffff:127.0.0.1]:${server.port}/`,
      `http://0.0.0.0:${server.port}/`,
      `http://[::]:${server.port}/`,
      `http://2130706433:${server.port}/`, // 127.0.0.1 as one number
      `http://0x7f.1:${server.port}/`,
      `http://[::1]:${v6?.port ?? server.port}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://10.0.0.1/',
      'http://192.168.1.1/',
      'http://100.64.0.1/',
      'http://[fd00::1]/',
    ];
    for (const url of urls) {
      const file = nextFile();
      await assert.rejects(fetchHttpSource(url, file, defaults()), (error: unknown) => {
        assert.ok(error instanceof InputError, `${url}: ${String(error)}`);
        assert.equal(error.exitCode, 3);
        assert.equal(error.retryable, false);
        assert.match(error.message, /^refusing to download http:\/\/\S+: .* is (a|an) .*sourceFetch\.allow/, url);
        return true;
      });
      assert.equal(await exists(file), false, url);
    }
    assert.equal(server.connections, 0);
    assert.equal(v6?.connections ?? 0, 0);
  });

  test('the message says how to allow it', async () => {
    await assert.rejects(fetchHttpSource(`http://127.0.0.1:${server.port}/x?sig=SECRET`, nextFile(), defaults()), (error: Error) => {
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1 is a loopback address; to allow it, add "127\\.0\\.0\\.1:${server.port}"`));
      assert.doesNotMatch(error.message, /SECRET/);
      return true;
    });
    await assert.rejects(fetchHttpSource('http://169.254.169.254/', nextFile(), defaults()), /cloud metadata endpoint; these are refused unless "169\.254\.169\.254:80" itself is listed in sourceFetch\.allow/);
  });

  test('an allowlist entry for another port does not open this one', async () => {
    const policy = new AddressPolicy({ allow: [`127.0.0.1:${server.port + 1}`] });
    await assert.rejects(fetchHttpSource(`${server.url}/`, nextFile(), { ...defaults(), policy }), InputError);
    assert.equal(server.connections, 0);
  });

  test('a host with any refused address is refused, without connecting', async () => {
    const policy = new AddressPolicy({ allow: [`127.0.0.1:${server.port}`], resolve: fakeResolver({ 'both.test': ['127.0.0.1', '10.0.0.1'] }) });
    await assert.rejects(fetchHttpSource(`http://both.test:${server.port}/`, nextFile(), { ...defaults(), policy }), /10\.0\.0\.1 \(resolved from both\.test\) is a private-network address/);
    assert.equal(server.connections, 0);
  });

  test('schemes other than http and https', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/video.ts', `gopher://127.0.0.1:${server.port}/_GET`, 'data:text/plain,hi', 'javascript:alert(1)', 'not a url']) {
      await assert.rejects(fetchHttpSource(url, nextFile(), defaults()), (error: unknown) => {
        assert.ok(error instanceof InputError, url);
        assert.match(error.message, /only http: and https: sources|not a valid URL/, url);
        return true;
      });
    }
    assert.equal(server.connections, 0);
  });

  test('an unknown host is bad input', async () => {
    const policy = new AddressPolicy({ resolve: fakeResolver({}) });
    await assert.rejects(fetchHttpSource('http://nowhere.test/', nextFile(), { ...defaults(), policy }), (error: unknown) => error instanceof InputError && /does not exist \(ENOTFOUND\)/.test(error.message));
  });
});

describe('fetchHttpSource re-checks every redirect hop', () => {
  let entry: TestServer;
  let target: TestServer;
  let location = '';
  before(async () => {
    target = await serve((_request, response) => response.end('internal secret'));
    entry = await serve((request, response) => {
      if (request.url === '/loop') response.writeHead(302, { location: '/loop' }).end();
      else response.writeHead(307, { location }).end();
    });
  });
  after(async () => {
    await entry.close();
    await target.close();
  });

  const policy = (): AddressPolicy =>
    new AddressPolicy({ allow: [`127.0.0.1:${entry.port}`], resolve: fakeResolver({ 'evil.test': ['10.0.0.1'], 'sneaky.test': ['127.0.0.1'] }) });

  test('a redirect to a refused address is refused on that hop, without connecting to it', async () => {
    const cases: Array<[string, RegExp]> = [
      [`http://127.0.0.1:${0}/`, /reached by redirect 1\): 127\.0\.0\.1 is a loopback address/],
      [`http://sneaky.test:${0}/`, /reached by redirect 1\): 127\.0\.0\.1 \(resolved from sneaky\.test\) is a loopback address/],
      ['http://evil.test/', /reached by redirect 1\): 10\.0\.0\.1 \(resolved from evil\.test\) is a private-network address/],
      ['http://169.254.169.254/latest/meta-data/iam/', /cloud metadata endpoint/],
      ['http://[::ffff:a00:1]/', /10\.0\.0\.1 is a private-network address/],
    ];
    for (const [to, expected] of cases) {
      location = to.replace(':0/', `:${target.port}/`);
      const file = nextFile();
      await assert.rejects(fetchHttpSource(`${entry.url}/go`, file, { policy: policy(), maxBytes: MiB, timeoutMs: 5000 }), (error: unknown) => {
        assert.ok(error instanceof InputError, `${to}: ${String(error)}`);
        assert.match(error.message, expected);
        return true;
      });
      assert.equal(await exists(file), false);
    }
    assert.equal(target.connections, 0);
  });

  test('a redirect to another scheme is refused', async () => {
    for (const to of ['file:///etc/passwd', 'ftp://example.com/', `gopher://127.0.0.1:${target.port}/`]) {
      location = to;
      await assert.rejects(fetchHttpSource(`${entry.url}/go`, nextFile(), { policy: policy(), maxBytes: MiB, timeoutMs: 5000 }), (error: unknown) => {
        assert.ok(error instanceof InputError, to);
        assert.match(error.message, /^the redirect from http:\/\/127\.0\.0\.1:\d+ to .* uses \w+:, which is refused: only http: and https:/);
        return true;
      });
    }
    assert.equal(target.connections, 0);
  });

  test('a redirect loop stops after maxRedirects', async () => {
    let before = entry.requests.length;
    await assert.rejects(fetchHttpSource(`${entry.url}/loop`, nextFile(), { policy: policy(), maxBytes: MiB, timeoutMs: 5000, maxRedirects: 3 }), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, /redirected more than 3 times/);
      return true;
    });
    assert.equal(entry.requests.length - before, 4);
    before = entry.requests.length;
    await assert.rejects(fetchHttpSource(`${entry.url}/loop`, nextFile(), { policy: policy(), maxBytes: MiB, timeoutMs: 5000 }), /redirected more than 5 times/);
    assert.equal(entry.requests.length - before, 6);
    await assert.rejects(fetchHttpSource(`${entry.url}/loop`, nextFile(), { policy: policy(), maxBytes: MiB, timeoutMs: 5000, maxRedirects: 0 }), /redirected more than 0 times/);
  });
});

// --- limits, time, cancellation, status --------------------------------------------------------------------

describe('fetchHttpSource limits and failures', () => {
  let server: TestServer;
  let chunkedFinished: boolean | undefined;
  before(async () => {
    server = await serve((request, response) => {
      switch (request.url) {
        case '/declared-large': {
          response.writeHead(200, { 'content-length': 10 * MiB });
          response.write(Buffer.alloc(64 * 1024));
          // The rest never comes; the client must refuse on the header alone.
          break;
        }
        case '/chunked-large': {
          response.writeHead(200, { 'content-type': 'application/octet-stream' });
          chunkedFinished = undefined;
          let sent = 0;
          const chunk = Buffer.alloc(64 * 1024, 7);
          const pump = (): void => {
            while (sent < 64 * MiB && !response.destroyed) {
              sent += chunk.length;
              if (!response.write(chunk)) {
                response.once('drain', pump);
                return;
              }
            }
            if (!response.destroyed) response.end();
          };
          response.on('close', () => {
            chunkedFinished = response.writableFinished;
          });
          pump();
          break;
        }
        case '/stall-headers':
          // Never answers.
          break;
        case '/stall-body':
          response.writeHead(200, { 'content-length': MiB });
          response.write(Buffer.alloc(1000));
          break;
        case '/cut':
          response.writeHead(200, { 'content-length': MiB });
          response.write(Buffer.alloc(300_000), () => response.socket?.destroy());
          break;
        case '/404':
          response.writeHead(404, { 'content-type': 'text/plain' }).end('SECRET-BODY-404 internal path /var/lib/x');
          break;
        case '/403':
          response.writeHead(403).end('SECRET-BODY-403');
          break;
        case '/503':
          response.writeHead(503, 'SECRET-REASON').end('SECRET-BODY-503');
          break;
        case '/429':
          response.writeHead(429).end();
          break;
        default:
          response.writeHead(500).end();
      }
    });
  });
  after(() => server.close());

  const options = (extra: Partial<FetchHttpSourceOptions> = {}): FetchHttpSourceOptions => ({ policy: new AddressPolicy({ allow: ['127.0.0.1'] }), maxBytes: MiB, timeoutMs: 5000, ...extra });

  test('a Content-Length over maxBytes is refused before the body is read', async () => {
    const file = nextFile();
    let progressed = false;
    await assert.rejects(fetchHttpSource(`${server.url}/declared-large`, file, options({ onProgress: () => (progressed = true) })), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, /too large: it is 10485760 bytes, the limit is 1048576 bytes/);
      return true;
    });
    assert.equal(progressed, false);
    assert.equal(await exists(file), false);
  });

  test('a chunked body over maxBytes is aborted mid-stream and the partial file removed', async () => {
    const file = nextFile();
    let lastProgress = 0;
    await assert.rejects(fetchHttpSource(`${server.url}/chunked-large`, file, options({ onProgress: (bytes) => (lastProgress = bytes) })), (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.match(error.message, /too large: more than 1048576 bytes arrived/);
      return true;
    });
    assert.ok(lastProgress > 0 && lastProgress <= MiB, `progress ${lastProgress}`);
    assert.equal(await exists(file), false);
    // The server was cut off long before its 64 MiB were sent.
    for (let wait = 0; chunkedFinished === undefined && wait < 50; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(chunkedFinished, false);
  });

  test('the overall timeout, while waiting for headers or for the body, is retryable', async () => {
    for (const url of ['/stall-headers', '/stall-body']) {
      const file = nextFile();
      const started = Date.now();
      await assert.rejects(fetchHttpSource(`${server.url}${url}`, file, options({ timeoutMs: 300 })), (error: unknown) => {
        assert.ok(isRetryable(error), `${url}: ${String(error)}`);
        assert.match((error as Error).message, /timed out after 300 ms/);
        return true;
      });
      assert.ok(Date.now() - started < 3000);
      assert.equal(await exists(file), false, url);
    }
  });

  test('the abort signal cancels a download and removes the partial file', async () => {
    const file = nextFile();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    await assert.rejects(fetchHttpSource(`${server.url}/stall-body`, file, options({ signal: controller.signal })), CancelledError);
    assert.equal(await exists(file), false);

    const before = server.connections;
    await assert.rejects(fetchHttpSource(`${server.url}/stall-body`, nextFile(), options({ signal: AbortSignal.abort() })), CancelledError);
    assert.equal(server.connections, before);
  });

  test('a connection cut before Content-Length bytes arrived is retryable and leaves no file', async () => {
    const file = nextFile();
    await assert.rejects(fetchHttpSource(`${server.url}/cut`, file, options()), (error: unknown) => isRetryable(error));
    assert.equal(await exists(file), false);
  });

  test('404 and 403 are bad input; 503 and 429 are retryable; no body or reason text leaks', async () => {
    for (const [url, status] of [['/404', 404], ['/403', 403]] as const) {
      await assert.rejects(fetchHttpSource(`${server.url}${url}`, nextFile(), options()), (error: unknown) => {
        assert.ok(error instanceof InputError, url);
        assert.equal(error.exitCode, 3);
        assert.match(error.message, new RegExp(`HTTP ${status}`));
        assert.doesNotMatch(error.message, /SECRET|\/var\/lib/);
        return true;
      });
    }
    for (const [url, status] of [['/503', 503], ['/429', 429]] as const) {
      await assert.rejects(fetchHttpSource(`${server.url}${url}`, nextFile(), options()), (error: unknown) => {
        assert.ok(isRetryable(error), url);
        assert.match((error as Error).message, new RegExp(`HTTP ${status}`));
        assert.doesNotMatch((error as Error).message, /SECRET/);
        return true;
      });
    }
  });

  test('a refused connection is retryable', async () => {
    const closed = await serve(() => {});
    await closed.close();
    await assert.rejects(fetchHttpSource(`${closed.url}/`, nextFile(), options()), (error: unknown) => {
      assert.ok(isRetryable(error));
      assert.match((error as Error).message, /ECONNREFUSED/);
      return true;
    });
  });

  test('a scratch file that cannot be written is an output error, and nothing is left', async () => {
    const file = path.join(scratch, 'missing-dir', 'source.bin');
    await assert.rejects(fetchHttpSource(`${server.url}/declared-large`, file, options({ maxBytes: 20 * MiB, timeoutMs: 2000 })), (error: unknown) => {
      assert.ok(error instanceof Live2vodError);
      assert.equal(error.exitCode, 4);
      return true;
    });
    assert.equal(await exists(file), false);
  });
});

// --- TLS -----------------------------------------------------------------------------------------------

describe('fetchHttpSource over https', () => {
  let key: string | undefined;
  let cert: string | undefined;
  before(async () => {
    try {
      const dir = await mkdtemp(path.join(tmpdir(), 'live2vod-tls-'));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=media.test', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
      key = await readFile(path.join(dir, 'key.pem'), 'utf8');
      cert = await readFile(path.join(dir, 'cert.pem'), 'utf8');
      await rm(dir, { recursive: true, force: true });
    } catch {
      key = undefined;
    }
  });

  test('sends SNI for the original host name, connects to the vetted address, and verifies the certificate', async (t) => {
    if (key === undefined || cert === undefined) {
      t.skip('openssl is not available');
      return;
    }
    const names: string[] = [];
    const server = https.createServer({ key, cert, SNICallback: (name, callback) => {
      names.push(name);
      callback(null, undefined);
    } }, (_request, response) => response.end('tls body'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    try {
      const policy = new AddressPolicy({ allow: [`media.test:${port}`], resolve: fakeResolver({ 'media.test': ['127.0.0.1'] }) });
      const file = nextFile();
      await assert.rejects(fetchHttpSource(`https://media.test:${port}/video.ts`, file, { policy, maxBytes: MiB, timeoutMs: 5000 }), (error: unknown) => {
        assert.ok(error instanceof InputError, String(error));
        assert.match(error.message, /TLS certificate of https:\/\/media\.test:\d+ could not be verified \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
        return true;
      });
      assert.deepEqual(names, ['media.test']);
      assert.equal(await exists(file), false);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
