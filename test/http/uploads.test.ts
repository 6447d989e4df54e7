// POST /v1/uploads against a real service (startService, port 0): the recording is streamed into
// <data>/uploads and becomes a job; refused uploads leave nothing behind. The bodies are not media,
// so the jobs fail quickly in their worker, which these tests do not wait for.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ApiJob } from '../../src/http/api-schemas.ts';
import { safeUploadName } from '../../src/http/upload-name.ts';
import { startTestService, type TestService } from '../helpers/serve.ts';

const token = 'upload-token-0001';
const limit = 64 * 1024;

async function upload(base: string, query: string, body: Buffer | string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown>; location: string | null }> {
  const response = await fetch(new URL(`/v1/uploads${query}`, base), {
    method: 'POST',
    headers: { 'content-type': 'video/mp4', authorization: `Bearer ${token}`, ...headers },
    body,
    // Streams are sent chunked, without a Content-Length.
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    signal: AbortSignal.timeout(15_000),
  } as RequestInit);
  const json = await response.json() as Record<string, unknown>;
  return { status: response.status, json, location: response.headers.get('location') };
}

async function uploadsLeft(service: TestService): Promise<string[]> {
  const root = path.join(service.dataDir, 'uploads');
  const dirs = await readdir(root);
  return (await Promise.all(dirs.map(async (d) => (await readdir(path.join(root, d))).map((f) => `${d}/${f}`)))).flat();
}

describe('POST /v1/uploads', () => {
  let service: TestService;
  before(async () => {
    service = await startTestService({ overrides: { auth: { tokens: [token] }, sourceFetch: { maxBytes: limit } } });
  });
  after(() => service.dispose());

  it('stores the body under the upload directory with a safe name and creates a job from it', async () => {
    const bytes = Buffer.alloc(5000, 7);
    const response = await upload(service.url, `?filename=${encodeURIComponent('../../etc/my rec.mp4')}&priority=high`, bytes);
    assert.equal(response.status, 201, JSON.stringify(response.json));
    const job = response.json as unknown as ApiJob;
    assert.equal(response.location, `/v1/jobs/${job.id}`);
    assert.equal(job.priority, 'high');
    assert.equal(job.sourceKind, 'api');
    assert.equal(job.metadata['upload'], 'my_rec.mp4');
    assert.equal(job.metadata['bytes'], '5000');
    assert.equal(path.dirname(path.dirname(job.source)), path.join(service.dataDir, 'uploads'));
    assert.equal(path.basename(job.source), 'my_rec.mp4');
    assert.deepEqual(await readFile(job.source), bytes);
    assert.ok(!(await uploadsLeft(service)).some((f) => f.endsWith('.part')), 'no partial file is left');
  });

  it('two uploads of the same name are two jobs', async () => {
    const first = await upload(service.url, '?filename=same.mp4', Buffer.alloc(100, 1));
    const second = await upload(service.url, '?filename=same.mp4', Buffer.alloc(100, 1));
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.notEqual(first.json['id'], second.json['id']);
  });

  it('lists uploads apart: upload=true only them, upload=false none of them; the job knows its size and where its files go', async () => {
    const list = async (query: string) => {
      const response = await fetch(new URL(`/v1/jobs${query}`, service.url), { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, body: await response.json() as { items: ApiJob[] } };
    };
    const only = await list('?upload=true');
    assert.equal(only.status, 200);
    assert.ok(only.body.items.length >= 3, 'the uploads so far');
    assert.ok(only.body.items.every((job) => job.metadata['upload'] !== undefined));
    assert.ok(only.body.items.every((job) => job.facts.bytes !== undefined && job.outputPrefix === `assets/${job.id}` && job.playableAt === null));
    assert.deepEqual((await list('?upload=false')).body.items, []);
    assert.equal((await list('?upload=maybe')).status, 400);
  });

  it('refuses without a token when tokens are configured (401)', async () => {
    const response = await upload(service.url, '?filename=a.mp4', Buffer.alloc(10), { authorization: '' });
    assert.equal(response.status, 401);
  });

  it('validates the query and the body: 400 for a missing name, a bad priority or an empty body; 415 for a non-media type', async () => {
    const before = await uploadsLeft(service);
    assert.equal((await upload(service.url, '', Buffer.alloc(10))).status, 400);
    const badPriority = await upload(service.url, '?filename=a.mp4&priority=asap', Buffer.alloc(10));
    assert.equal(badPriority.status, 400);
    assert.match(String(badPriority.json['message']), /priority/);
    assert.equal((await upload(service.url, '?filename=a.mp4&extra=1', Buffer.alloc(10))).status, 400, 'unknown parameters are refused');
    const empty = await upload(service.url, '?filename=a.mp4', Buffer.alloc(0));
    assert.equal(empty.status, 400);
    assert.match(String(empty.json['message']), /empty/);
    const json = await upload(service.url, '?filename=a.mp4', '{}', { 'content-type': 'application/json' });
    assert.equal(json.status, 415);
    assert.deepEqual(await uploadsLeft(service), before, 'refused uploads leave no file');
  });

  it('refuses more than sourceFetch.maxBytes (413), by Content-Length or while streaming, and keeps nothing', async () => {
    const before = await uploadsLeft(service);
    const declared = await upload(service.url, '?filename=big.mp4', Buffer.alloc(limit + 1));
    assert.equal(declared.status, 413);
    assert.equal(declared.json['error'], 'too_large');
    let sent = 0;
    const streamed = await upload(service.url, '?filename=big.mp4', new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(new Uint8Array(limit / 4));
        else controller.close();
      },
    }));
    assert.equal(streamed.status, 413);
    assert.deepEqual(await uploadsLeft(service), before);
  });
});

describe('POST /v1/uploads in the OpenAPI document', () => {
  // The document is generated from the routes, so it is read from a running service.
  let service: TestService;
  before(async () => { service = await startTestService(); });
  after(() => service.dispose());

  it('is documented with a binary body, its query and the job it returns', async () => {
    const doc = await (await fetch(`${service.url}/openapi.json`)).json() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> }; parameters?: { name: string }[]; responses: Record<string, unknown> }>> };
    const upload = doc.paths['/v1/uploads']?.['post'];
    assert.ok(upload, 'documented');
    assert.deepEqual(Object.keys(upload.requestBody?.content ?? {}), ['application/octet-stream']);
    assert.deepEqual(upload.parameters?.map((p) => p.name), ['filename', 'priority']);
    assert.ok(upload.responses['201']);
  });
});

describe('safeUploadName', () => {
  it('keeps a plain name and reduces everything else to a safe basename', () => {
    assert.equal(safeUploadName('keynote-2026.mp4'), 'keynote-2026.mp4');
    assert.equal(safeUploadName('../../etc/passwd'), 'passwd');
    assert.equal(safeUploadName('C:\\Users\\me\\Talk (final).mov'), 'Talk_final_.mov');
    assert.equal(safeUploadName('.hidden.mp4'), 'hidden.mp4');
    assert.equal(safeUploadName('..'), 'recording');
    assert.equal(safeUploadName('Café Ünïcode.mkv'), 'Cafe_Unicode.mkv');
    assert.equal(safeUploadName('$(rm -rf).mp4'), 'rm_-rf_.mp4');
    const long = safeUploadName(`${'a'.repeat(300)}.mp4`);
    assert.equal(long.length, 120);
    assert.ok(long.endsWith('.mp4'), 'the extension survives shortening');
  });
});
