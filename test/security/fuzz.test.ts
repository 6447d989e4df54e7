// Property-based fuzzing (fast-check) of every webhook adapter, of the hook route around them and
// of the ffprobe output parser: whatever arrives, an adapter answers jobs or refuses with an
// IntakeError of a 4xx status, the route never answers 5xx, and the parser returns a description
// or throws an InputError; never a crash of any other kind.
import assert from 'node:assert/strict';
import { mkdir, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../../src/errors/index.ts';
import { createGenericAdapter } from '../../src/ingest/generic.ts';
import { IntakeError, type IngestAdapter, type InboundRequest } from '../../src/ingest/intake.ts';
import { createMediamtxAdapter } from '../../src/ingest/mediamtx.ts';
import { createNginxRtmpAdapter } from '../../src/ingest/nginx-rtmp.ts';
import { createS3EventsAdapter } from '../../src/ingest/s3-events.ts';
import { createSrsAdapter } from '../../src/ingest/srs.ts';
import { standardWebhookHeaders } from '../../src/webhooks/standard-webhooks.ts';
import { parseProbe } from '../../src/media/probe.ts';
import { makeTemp } from '../helpers/serve.ts';
import { jobCount, securityHarness, type SecurityHarness } from './harness.ts';

const secret = `whsec_${Buffer.from('fuzzfuzzfuzzfuzzfuzzfuzzfuzzfuzz').toString('base64')}`;
const runs = { numRuns: 300 };
let root: string;
let recordDir: string;
let adapters: IngestAdapter[];

before(async () => {
  root = await realpath(await makeTemp('live2vod-fuzz-'));
  recordDir = path.join(root, 'rec');
  await mkdir(recordDir, { recursive: true });
  await writeFile(path.join(recordDir, 'a.flv'), 'x'.repeat(16));
  adapters = [
    // Open (no token), so the fuzz reaches the parsing behind the token check.
    createNginxRtmpAdapter({ recordDir }),
    createSrsAdapter({ recordDir }),
    createMediamtxAdapter({ recordDir }),
    createS3EventsAdapter({}),
    createGenericAdapter({ secret }),
  ];
});
after(() => rm(root, { recursive: true, force: true }));

/** Values an attacker can put in JSON, with the field names the adapters read mixed in. */
const fieldNames = fc.constantFrom('path', 'file', 'segmentPath', 'name', 'app', 'stream', 'action', 'call', 'cwd', 'param', 'Records', 's3', 'bucket', 'object', 'key', 'size', 'eTag', 'eventName', 'eventSource', 'detail', 'detail-type', 'source', 'Type', 'TopicArn', 'Message', 'metadata', 'facts', 'priority', 'idempotencyKey', '__proto__', 'constructor');
const hostileString = fc.oneof(
  fc.string(),
  fc.constantFrom('', '..', '../../etc/passwd', '/etc/passwd', `${'/'}dev/zero`, 'a\u0000b', '%00', '%E0%A4%A', 's3://rec/../x', 'aws:s3', 'ObjectCreated:Put', 'on_dvr', 'record_done', 'Object Created', 'aws.s3', 'Notification', '1h0m30s', 'urgent'),
  fc.constant('x'.repeat(5000)),
);
const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fieldNames, fc.string()), tie('value'), { maxKeys: 6 }),
  ),
})).value;

const bodies = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
  jsonValue.map((v) => Buffer.from(JSON.stringify(v) ?? '')),
  fc.dictionary(fieldNames, hostileString).map((v) => Buffer.from(new URLSearchParams(v).toString())),
);
const contentTypes = fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', '', 'application/json; charset=utf-16', 'multipart/form-data');
const queries = fc.dictionary(fc.constantFrom('token', 'priority', 'name', 'path'), hostileString, { maxKeys: 3 });

function request(body: Buffer, contentType: string, query: Record<string, string>, headers: Record<string, string> = {}): InboundRequest {
  return { headers: { 'content-type': contentType, ...headers }, query, rawBody: body, contentType, now: new Date() };
}

async function outcomeOrIntakeError(adapter: IngestAdapter, inbound: InboundRequest): Promise<void> {
  try {
    const outcome = await adapter.handle(inbound);
    assert.ok(Array.isArray(outcome.jobs), `${adapter.kind}: an outcome has jobs`);
  } catch (error) {
    assert.ok(error instanceof IntakeError, `${adapter.kind} threw ${String(error)}`);
    assert.ok(error.status >= 400 && error.status < 500, `${adapter.kind}: status ${error.status} for ${error.message}`);
    assert.ok(error.message.length > 0);
  }
}

describe('every webhook adapter under arbitrary input', () => {
  it('answers jobs or an IntakeError with a 4xx, never anything else', async () => {
    for (const adapter of adapters) {
      await fc.assert(fc.asyncProperty(bodies, contentTypes, queries, async (body, contentType, query) => {
        await outcomeOrIntakeError(adapter, request(body, contentType, query));
      }), runs);
    }
  });

  it('S3 events with hostile buckets and keys in every shape', async () => {
    const s3 = createS3EventsAdapter({});
    const shaped = fc.record({ bucket: hostileString, key: hostileString, size: fc.oneof(fc.integer(), fc.double(), fc.constant(undefined)), eTag: hostileString, eventName: fc.constantFrom('ObjectCreated:Put', 's3:ObjectCreated:Post', 'ObjectRemoved:Delete', 'ObjectCreated:PutTagging') })
      .chain((o) => fc.constantFrom(
        { Records: [{ eventSource: 'aws:s3', eventName: o.eventName, s3: { bucket: { name: o.bucket }, object: { key: o.key, size: o.size, eTag: o.eTag } } }] },
        { source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: o.bucket }, object: { key: o.key, size: o.size, etag: o.eTag } } },
        { Type: 'Notification', TopicArn: 'arn', Message: JSON.stringify({ Records: [{ eventName: o.eventName, s3: { bucket: { name: o.bucket }, object: { key: o.key, eTag: o.eTag } } }] }) },
      ));
    await fc.assert(fc.asyncProperty(shaped, async (event) => {
      const inbound = request(Buffer.from(JSON.stringify(event)), 'application/json', {});
      await outcomeOrIntakeError(s3, inbound);
      const outcome = await s3.handle(inbound).catch(() => undefined);
      // What is accepted names a valid bucket and a key without control characters.
      for (const job of outcome?.jobs ?? []) {
        assert.equal(job.source.kind, 's3');
        if (job.source.kind === 's3') assert.doesNotMatch(job.source.key, /[\u0000-\u001f\u007f]/);
      }
    }), runs);
  });

  it('generic: correctly signed arbitrary bodies still answer jobs or a 4xx', async () => {
    const generic = createGenericAdapter({ secret });
    const shaped = fc.oneof(jsonValue, fc.dictionary(fc.constantFrom('source', 'priority', 'metadata', 'idempotencyKey', 'facts'), jsonValue, { maxKeys: 5 }));
    await fc.assert(fc.asyncProperty(shaped, async (value) => {
      const body = JSON.stringify(value) ?? 'null';
      const headers = standardWebhookHeaders(secret, 'msg_fuzz', new Date(), body);
      await outcomeOrIntakeError(generic, request(Buffer.from(body), 'application/json', {}, headers));
    }), runs);
  });
});

describe('the hook route under arbitrary input', () => {
  let h: SecurityHarness;
  before(async () => {
    h = await securityHarness(root, { overrides: { recordDir, ingest: { nginxRtmp: { open: true }, srs: { open: true }, mediamtx: { open: true }, s3: { open: true }, generic: { secret } } } });
  });
  after(() => h.close());

  it('never answers 5xx, and a refusal says why', async () => {
    await fc.assert(fc.asyncProperty(fc.constantFrom('nginx-rtmp', 'srs', 'mediamtx', 's3', 'generic'), bodies, contentTypes, async (hook, body, contentType) => {
      const response = await h.app.inject({ method: 'POST', url: `/hooks/${hook}`, headers: contentType ? { 'content-type': contentType } : {}, payload: body });
      assert.ok(response.statusCode < 500, `${hook} answered ${response.statusCode}: ${response.body}`);
      if (response.statusCode >= 400) assert.match(response.body, /"message":"[^"]/);
    }), { numRuns: 200 });
    // Arbitrary bytes name no recording: whatever was accepted lies in the record dir or a bucket.
    const { items } = await h.store.listJobs({ limit: 500 });
    for (const job of items) assert.ok(job.source.startsWith(`${recordDir}/`) || job.source.startsWith('s3://'), job.source);
    assert.ok((await jobCount(h.store)) >= 0);
  });
});

describe('the ffprobe output parser under arbitrary input', () => {
  const stream = fc.record({
    codec_type: fc.constantFrom('video', 'audio', 'data', 'subtitle', 'attachment'),
    codec_name: fc.oneof(fc.string(), fc.constantFrom('h264', 'hevc', 'aac', 'opus')),
    width: fc.oneof(fc.integer(), fc.double(), fc.string()),
    height: fc.oneof(fc.integer(), fc.double(), fc.string()),
    r_frame_rate: fc.oneof(fc.string(), fc.constantFrom('30000/1001', '0/0', '1/0', '-1/2', '60/1')),
    avg_frame_rate: fc.oneof(fc.string(), fc.constantFrom('30/1', '0/0')),
    duration: fc.oneof(fc.string(), fc.constantFrom('10.5', 'N/A', '-1', 'NaN', 'Infinity', '1e400')),
    sample_rate: fc.oneof(fc.string(), fc.constantFrom('48000', '0')),
    channels: fc.oneof(fc.integer(), fc.string()),
    field_order: fc.constantFrom('progressive', 'tt', 'bb', 'unknown'),
    sample_aspect_ratio: fc.constantFrom('1:1', '0:1', '4:3', 'N/A'),
    side_data_list: fc.array(fc.dictionary(fc.string(), jsonValue, { maxKeys: 3 }), { maxLength: 2 }),
    disposition: fc.dictionary(fc.constantFrom('attached_pic', 'default'), fc.integer({ min: 0, max: 1 })),
    tags: fc.dictionary(fc.constantFrom('rotate', 'language'), fc.string()),
  }, { requiredKeys: ['codec_type'] });
  const probeOutput = fc.oneof(
    jsonValue,
    fc.record({
      streams: fc.array(stream, { maxLength: 4 }),
      format: fc.record({ format_name: fc.oneof(fc.string(), fc.constant('mov,mp4')), duration: fc.oneof(fc.string(), fc.constantFrom('10', 'N/A', '-5')), size: fc.string(), bit_rate: fc.string() }, { requiredKeys: [] }),
    }, { requiredKeys: [] }),
  );

  it('returns a description with a positive duration or throws an InputError', () => {
    fc.assert(fc.property(probeOutput, (output) => {
      try {
        const info = parseProbe(output);
        assert.ok(info.duration > 0 && Number.isFinite(info.duration), `duration ${info.duration}`);
      } catch (error) {
        assert.ok(error instanceof InputError, `threw ${String(error)}`);
      }
    }), { numRuns: 2000 });
  });
});
