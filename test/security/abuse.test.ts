// The abuse suite: hostile inputs across sources, webhook bodies, headers, uploads, signed links,
// cursors and configuration. Each must be refused with a 4xx and a message that says what was
// wrong, never a 5xx; and nothing may be stored (no job) or left on disk (no upload, no stray file).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InjectOptions } from 'fastify';
import { loadConfig } from '../../src/config/load.ts';
import { standardWebhookHeaders } from '../../src/webhooks/standard-webhooks.ts';
import { mediaTokenKey, signMediaPath } from '../../src/jobs/media-token.ts';
import { makeTemp } from '../helpers/serve.ts';
import { filesUnder, jobCount, securityHarness, type SecurityHarness } from './harness.ts';

const apiToken = 'api-token-abuse';
const hookToken = 'hook-token-abuse';
const secret = `whsec_${Buffer.from('abcdefabcdefabcdefabcdefabcdefab').toString('base64')}`;
const auth = { authorization: `Bearer ${apiToken}` };
const key = mediaTokenKey('test-secret-0123456789');

let root: string;
let h: SecurityHarness;
let recordDir: string;
let inbox: string;
let filesBefore: string[];

interface Probe {
  name: string;
  request: () => InjectOptions;
  /** The status expected (a 4xx). */
  status: number;
  /** What the message must say. */
  says: RegExp;
}

const json = (body: unknown): Pick<InjectOptions, 'payload' | 'headers'> => ({ payload: JSON.stringify(body), headers: { ...auth, 'content-type': 'application/json' } });
const job = (source: string, extra: Record<string, unknown> = {}): InjectOptions => ({ method: 'POST', url: '/v1/jobs', ...json({ source, ...extra }) });
const s3 = (body: unknown, headers: Record<string, string> = { authorization: `Bearer ${hookToken}` }): InjectOptions => ({ method: 'POST', url: '/hooks/s3', headers: { 'content-type': 'application/json', ...headers }, payload: typeof body === 'string' ? body : JSON.stringify(body) });
const s3Record = (bucket: string, objectKey: string) => ({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: bucket }, object: { key: objectKey, size: 5, eTag: 'e' } } }] });
const generic = (body: unknown, at = new Date(), sign = secret): InjectOptions => {
  const payload = JSON.stringify(body);
  return { method: 'POST', url: '/hooks/generic', headers: { 'content-type': 'application/json', ...standardWebhookHeaders(sign, `msg_${Math.random().toString(36).slice(2)}`, at, payload) }, payload };
};
const form = (url: string, fields: Record<string, string>): InjectOptions => ({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
const hookJson = (url: string, body: unknown, headers: Record<string, string> = {}): InjectOptions => ({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(body) });
const upload = (query: string, body: Buffer | string, contentType = 'video/mp4'): InjectOptions => ({ method: 'POST', url: `/v1/uploads${query}`, headers: { ...auth, 'content-type': contentType }, payload: body });
const get = (url: string, headers: Record<string, string> = auth): InjectOptions => ({ method: 'GET', url, headers });
const media = (token: string, file: string): InjectOptions => ({ method: 'GET', url: `/media/s/${token}/${file}` });
const valid = () => signMediaPath(key, 'assets/job1', Math.floor(Date.now() / 1000) + 600);

const probes: Probe[] = [
  // Sources
  { name: 'a relative path', request: () => job('inbox/good.mp4'), status: 422, says: /not an absolute path/ },
  { name: 'a path outside the roots', request: () => job('/etc/passwd'), status: 422, says: /must lie under/ },
  { name: 'dot-dot out of the inbox', request: () => job(`${inbox}/../../../etc/passwd`), status: 422, says: /must lie under/ },
  { name: 'a symbolic link out of the roots', request: () => job(`${inbox}/.x/secret.mp4`), status: 422, says: /symbolic link/ },
  { name: 'a FIFO', request: () => job(`${inbox}/pipe.mp4`), status: 422, says: /FIFO/ },
  { name: 'a directory', request: () => job(`${inbox}/folder.mp4`), status: 422, says: /directory/ },
  { name: 'an empty file', request: () => job(`${inbox}/empty.mp4`), status: 422, says: /empty/ },
  { name: 'a file that does not exist', request: () => job(`${inbox}/missing.mp4`), status: 422, says: /does not exist/ },
  { name: 'an ftp:// source', request: () => job('ftp://host/a.mp4'), status: 422, says: /not supported/ },
  { name: 'an ffmpeg protocol (concat:)', request: () => job('concat:/a.mp4|/b.mp4'), status: 422, says: /not an absolute path/ },
  { name: 'file:// outside the roots', request: () => job('file:///etc/shadow'), status: 422, says: /must lie under/ },
  { name: 'an invalid bucket name', request: () => job('s3://-bad/x.mp4'), status: 422, says: /invalid bucket name/ },
  { name: 'an S3 prefix', request: () => job('s3://rec/live/'), status: 422, says: /prefix/ },
  { name: 'an S3 key with a control character', request: () => job('s3://rec/a\u0007b.mp4'), status: 422, says: /control characters/ },
  { name: 'a NUL in the path', request: () => job(`${inbox}/good.mp4\u0000.txt`), status: 422, says: /NUL/ },
  { name: 'a URL that does not parse', request: () => job('https://exa mple.com/a.mp4'), status: 422, says: /malformed/ },
  { name: 'javascript: as a source', request: () => job('javascript:alert(1)'), status: 422, says: /not an absolute path/ },
  { name: 'an Idempotency-Key of 201 characters', request: () => ({ ...job(`${inbox}/good.mp4`), headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': 'k'.repeat(201) } }), status: 422, says: /longer than 200/ },
  // Bodies
  { name: 'an empty source', request: () => job(''), status: 400, says: /source/ },
  { name: 'metadata of 900 KB', request: () => job(`${inbox}/good.mp4`, { metadata: { a: 'x'.repeat(900_000) } }), status: 400, says: /longer than 2048 characters/ },
  { name: 'metadata over the total cap', request: () => job(`${inbox}/good.mp4`, { metadata: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v'.repeat(2048)])) }), status: 400, says: /16384 bytes/ },
  { name: 'metadata with a non-string value', request: () => job(`${inbox}/good.mp4`, { metadata: { n: 1 } }), status: 400, says: /metadata/ },
  { name: 'an unknown body key', request: () => job(`${inbox}/good.mp4`, { shell: 'rm -rf /' }), status: 400, says: /shell/ },
  { name: 'a priority that does not exist', request: () => job(`${inbox}/good.mp4`, { priority: 'ultra' }), status: 400, says: /priority/ },
  { name: 'a body that is not JSON', request: () => ({ method: 'POST', url: '/v1/jobs', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"source":' }), status: 400, says: /JSON/ },
  { name: 'a __proto__ key', request: () => ({ method: 'POST', url: '/v1/jobs', headers: { ...auth, 'content-type': 'application/json' }, payload: `{"source":"${inbox}/good.mp4","__proto__":{"admin":true}}` }), status: 400, says: /not valid JSON/ },
  // Webhook bodies
  { name: 'generic: a wrong signature', request: () => generic({ source: `${inbox}/good.mp4` }, new Date(), `whsec_${Buffer.from('another-secret-another-secret!!').toString('base64')}`), status: 401, says: /signature/ },
  { name: 'generic: a replayed old timestamp', request: () => generic({ source: `${inbox}/good.mp4` }, new Date(Date.now() - 3600_000)), status: 401, says: /timestamp/ },
  { name: 'generic: a signed source outside the roots', request: () => generic({ source: '/etc/passwd' }), status: 403, says: /must lie under/ },
  { name: 'generic: a signed source through a link', request: () => generic({ source: `${inbox}/.x/secret.mp4` }), status: 403, says: /symbolic link/ },
  { name: 's3: malformed JSON', request: () => s3('{"Records": ['), status: 400, says: /not valid JSON/ },
  { name: 's3: Records not an array', request: () => s3({ Records: 'x' }), status: 400, says: /Records must be an array/ },
  { name: 's3: a NUL in the key', request: () => s3(s3Record('rec', 'a%00.mp4')), status: 400, says: /control characters/ },
  { name: 's3: bucket rec/../other', request: () => s3(s3Record('rec/../other', 'a.mp4')), status: 400, says: /not a bucket name/ },
  { name: 's3: broken URL encoding in the key', request: () => s3(s3Record('rec', '%E0%A4%A.mp4')), status: 400, says: /URL encoding/ },
  { name: 's3: without a token', request: () => s3(s3Record('rec', 'a.mp4'), {}), status: 401, says: /missing token/ },
  { name: 'nginx-rtmp: a .. path', request: () => form(`/hooks/nginx-rtmp?token=${hookToken}`, { call: 'record_done', name: 'k', path: `${recordDir}/../outside/secret.mp4` }), status: 403, says: /"\.\."/ },
  { name: 'nginx-rtmp: a path outside the record dir', request: () => form(`/hooks/nginx-rtmp?token=${hookToken}`, { call: 'record_done', name: 'k', path: '/etc/passwd' }), status: 403, says: /outside the record directory/ },
  { name: 'srs: a link out of the record dir', request: () => hookJson(`/hooks/srs?token=${hookToken}`, { action: 'on_dvr', app: 'live', stream: 'k', file: `${recordDir}/out/secret.mp4` }), status: 403, says: /symbolic link/ },
  { name: 'mediamtx: a relative segment path', request: () => hookJson('/hooks/mediamtx', { path: 'cam', segmentPath: 'recordings/a.mp4' }, { authorization: `Bearer ${hookToken}` }), status: 422, says: /relative/ },
  { name: 'mediamtx: the token in the query', request: () => hookJson(`/hooks/mediamtx?token=${hookToken}`, { path: 'cam', segmentPath: `${recordDir}/rec.flv` }), status: 401, says: /missing token/ },
  { name: 'a hook that does not exist', request: () => hookJson('/hooks/ftp', {}), status: 404, says: /no intake/ },
  { name: 'a hook body over the limit', request: () => s3(JSON.stringify({ pad: 'x'.repeat(1024 * 1024) })), status: 413, says: /larger than/ },
  // Headers
  { name: 'no Authorization', request: () => get('/v1/jobs', {}), status: 401, says: /Bearer/ },
  { name: 'Basic instead of Bearer', request: () => get('/v1/jobs', { authorization: `Basic ${Buffer.from(`u:${apiToken}`).toString('base64')}` }), status: 401, says: /Bearer/ },
  { name: 'Bearer without a token', request: () => get('/v1/jobs', { authorization: 'Bearer ' }), status: 401, says: /Bearer/ },
  { name: 'the token with trailing junk', request: () => get('/v1/jobs', { authorization: `Bearer ${apiToken} junk` }), status: 401, says: /Bearer/ },
  { name: 'a worker report with another job\'s token', request: () => ({ method: 'POST', url: '/internal/jobs/x/attempts/1/events', headers: { authorization: 'Bearer forged', 'content-type': 'application/json' }, payload: '{"type":"warning","message":"x"}' }), status: 401, says: /job token/ },
  // Uploads
  { name: 'an upload as text/plain', request: () => upload('?filename=a.mp4', 'data', 'text/plain'), status: 415, says: /content-type/ },
  { name: 'an empty upload', request: () => upload('?filename=a.mp4', ''), status: 400, says: /empty/ },
  { name: 'an upload without a file name', request: () => upload('', 'data'), status: 400, says: /filename/ },
  { name: 'an upload over sourceFetch.maxBytes', request: () => upload('?filename=a.mp4', Buffer.alloc(5000, 1)), status: 413, says: /larger than 4096 bytes/ },
  // Signed links
  { name: 'a signed link with a changed signature', request: () => media(valid().replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), 'assets/job1/master.m3u8'), status: 403, says: /not valid/ },
  { name: 'an expired signed link', request: () => media(signMediaPath(key, 'assets/job1', 1000), 'assets/job1/master.m3u8'), status: 403, says: /expired/ },
  { name: 'a signed link for another asset', request: () => media(valid(), 'assets/job2/master.m3u8'), status: 403, says: /not valid/ },
  { name: 'a signed link with .. in the path', request: () => media(valid(), 'assets/job1/%2e%2e/%2e%2e/callback.secret'), status: 404, says: /no such media/ },
  { name: 'local media without a signed link', request: () => get('/media/assets/job1/master.m3u8', {}), status: 403, says: /signed link/ },
  // Cursors and list queries
  { name: 'a negative cursor', request: () => get('/v1/jobs?cursor=-1'), status: 400, says: /cursor/ },
  { name: 'a cursor that is not a number', request: () => get('/v1/jobs?cursor=abc'), status: 400, says: /cursor/ },
  { name: 'a cursor of 1e400', request: () => get('/v1/jobs?cursor=1e400'), status: 400, says: /cursor/ },
  { name: 'a limit of 100000', request: () => get('/v1/jobs?limit=100000'), status: 400, says: /limit/ },
  { name: 'an unknown state filter', request: () => get('/v1/jobs?state=pwned'), status: 400, says: /state/ },
  { name: 'a job id of 100 characters', request: () => get(`/v1/jobs/${'a'.repeat(100)}`), status: 400, says: /id/ },
  { name: 'events of a job that does not exist', request: () => get('/v1/jobs/nope/events'), status: 404, says: /no job/ },
];

before(async () => {
  root = await realpath(await makeTemp('live2vod-abuse-'));
  recordDir = path.join(root, 'rec');
  const outside = path.join(root, 'outside');
  await mkdir(recordDir, { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(outside, 'secret.mp4'), 'secret');
  await writeFile(path.join(recordDir, 'rec.flv'), 'x'.repeat(32));
  await symlink(outside, path.join(recordDir, 'out'));
  h = await securityHarness(root, {
    mediaTokenKey: key,
    overrides: {
      recordDir,
      auth: { tokens: [apiToken] },
      sourceFetch: { maxBytes: 4096 },
      ingest: { nginxRtmp: { token: hookToken }, srs: { token: hookToken }, mediamtx: { token: hookToken }, s3: { token: hookToken }, generic: { secret } },
    },
  });
  inbox = path.join(h.dataDir, 'inbox');
  await writeFile(path.join(inbox, 'good.mp4'), 'x'.repeat(64));
  await writeFile(path.join(inbox, 'empty.mp4'), '');
  await mkdir(path.join(inbox, 'folder.mp4'));
  execFileSync('mkfifo', [path.join(inbox, 'pipe.mp4')]);
  await symlink(outside, path.join(inbox, '.x'));
  await mkdir(path.join(h.dataDir, 'media', 'assets', 'job1'), { recursive: true });
  await writeFile(path.join(h.dataDir, 'media', 'assets', 'job1', 'master.m3u8'), '#EXTM3U\n');
  filesBefore = await filesUnder(h.dataDir);
});

after(async () => {
  await h.close();
  await rm(root, { recursive: true, force: true });
});

describe('hostile requests are refused, with no 5xx, no job and nothing left on disk', () => {
  it(`has at least 40 probes (${probes.length})`, () => assert.ok(probes.length >= 40));
  for (const probe of probes) {
    it(probe.name, async () => {
      const response = await h.app.inject(probe.request());
      assert.equal(response.statusCode, probe.status, response.body);
      const body = response.json<{ message?: unknown }>();
      assert.equal(typeof body.message, 'string', `a message: ${response.body}`);
      assert.match(String(body.message), probe.says);
      assert.equal(await jobCount(h.store), 0, 'no job was stored');
      const now = (await filesUnder(h.dataDir)).filter((f) => !/^live2vod\.db/.test(f));
      assert.deepEqual(now, filesBefore.filter((f) => !/^live2vod\.db/.test(f)), 'no file was left');
    });
  }
});

describe('hostile configuration is refused at start, naming the setting', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['a short API token', { auth: { tokens: ['short'] } }, /auth\.tokens\.0/],
    ['an empty hook token', { ingest: { s3: { token: '' } } }, /ingest\.s3\.token/],
    ['a port out of range', { server: { port: 70000 } }, /server\.port/],
    ['a malformed generic secret', { ingest: { generic: { secret: 'not-a-secret' } } }, /ingest\.generic\.secret/],
    ['a negative throughput minimum', { sourceFetch: { minBytesPerSecond: -1 } }, /sourceFetch\.minBytesPerSecond/],
    ['no event streams at all', { server: { eventStreams: { max: 0 } } }, /server\.eventStreams\.max/],
    ['an unknown key', { server: { hostt: '0.0.0.0' } }, /hostt/],
    ['auth.open as a string', { auth: { open: 'yes' } }, /auth\.open/],
    ['a non-postgres database URL', { store: { kind: 'postgres', url: 'mysql://x' } }, /store\.url/],
    ['a presign lifetime of 10 s', { storage: { presignSeconds: 10 } }, /storage\.presignSeconds/],
  ];
  for (const [name, overrides, says] of cases) {
    it(name, async () => {
      await assert.rejects(loadConfig({ env: {}, overrides }), (error: unknown) => error instanceof Error && says.test(error.message));
    });
  }
});
