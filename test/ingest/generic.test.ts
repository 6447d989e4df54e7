import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createGenericAdapter } from '../../src/ingest/generic.ts';
import { standardWebhookHeaders } from '../../src/webhooks/standard-webhooks.ts';
import { expectIntakeError, fixedNow, inbound } from './helpers.ts';

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const now = Math.floor(fixedNow.getTime() / 1000);

function signedRequest(body: unknown, options: { id?: string; timestamp?: number; secret?: string; query?: Record<string, string> } = {}) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return inbound({
    headers: standardWebhookHeaders(options.secret ?? secret, options.id ?? 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', options.timestamp ?? now, raw),
    query: options.query ?? {},
    body: raw,
  });
}

describe('generic Standard Webhooks adapter', () => {
  const adapter = createGenericAdapter({ secret });

  it('accepts a signed body and keys the job by webhook-id', async () => {
    const outcome = await adapter.handle(signedRequest({ source: 's3://rec/live/keynote.mp4', metadata: { event: 'keynote' } }));
    assert.deepEqual(outcome, {
      jobs: [
        {
          source: { kind: 's3', bucket: 'rec', key: 'live/keynote.mp4' },
          idempotencyKey: 'generic:msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
          metadata: { webhookId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', event: 'keynote' },
        },
      ],
    });
    assert.deepEqual(adapter.successBody(['job_1']), { jobIds: ['job_1'] });
  });

  // The configured default is the intake's to apply (src/config/default-priority.ts), not the adapter's.
  it('uses the body idempotencyKey and priority, which win over ?priority=; neither: no priority of its own', async () => {
    const withDefault = createGenericAdapter({ secret });
    const outcome = await withDefault.handle(signedRequest({ source: '/srv/rec/a.mp4', priority: 'urgent', idempotencyKey: 'cms-4711' }, { query: { priority: 'high' } }));
    assert.equal(outcome.jobs[0]?.idempotencyKey, 'cms-4711');
    assert.equal(outcome.jobs[0]?.priority, 'urgent');
    const fromQuery = await withDefault.handle(signedRequest({ source: '/srv/rec/a.mp4' }, { query: { priority: 'high' } }));
    assert.equal(fromQuery.jobs[0]?.priority, 'high');
    const fromDefault = await withDefault.handle(signedRequest({ source: '/srv/rec/a.mp4' }));
    assert.equal(fromDefault.jobs[0]?.priority, undefined);
  });

  it('refuses unsigned, wrongly signed, tampered and stale requests with 401', async () => {
    const body = JSON.stringify({ source: 's3://rec/a.mp4' });
    await expectIntakeError(adapter.handle(inbound({ body })), 401, /missing Standard Webhooks header/);
    await expectIntakeError(adapter.handle(signedRequest(body, { secret: 'whsec_' + Buffer.alloc(24, 1).toString('base64') })), 401, /does not match/);
    const tampered = signedRequest(body);
    await expectIntakeError(adapter.handle({ ...tampered, rawBody: Buffer.from(body.replace('a.mp4', 'b.mp4')) }), 401, /does not match/);
    await expectIntakeError(adapter.handle(signedRequest(body, { timestamp: now - 3600 })), 401, /too old/);
  });

  it('checks the signature before the body, so a bad body from a stranger is still 401', async () => {
    await expectIntakeError(adapter.handle(inbound({ body: 'not json' })), 401);
  });

  it('refuses signed but malformed bodies with 400 naming the field', async () => {
    await expectIntakeError(adapter.handle(signedRequest('not json')), 400, /not valid JSON/);
    await expectIntakeError(adapter.handle(signedRequest({})), 400, /source:/);
    await expectIntakeError(adapter.handle(signedRequest({ source: 'relative/path.mp4' })), 400, /source: the local source "relative\/path.mp4" is not an absolute path: use an absolute local path/);
    await expectIntakeError(adapter.handle(signedRequest({ source: 'rtmp://host/live' })), 400, /source: source scheme "rtmp:\/\/" is not supported/);
    await expectIntakeError(adapter.handle(signedRequest({ source: 's3://bad bucket/x.mp4' })), 400, /source: .*invalid bucket name "bad bucket"/);
    await expectIntakeError(adapter.handle(signedRequest({ source: '/a.mp4', facts: { bytes: -1 } })), 400, /facts\.bytes:/);
    await expectIntakeError(adapter.handle(signedRequest({ source: '/a.mp4', priority: 'asap' })), 400, /priority:/);
    await expectIntakeError(adapter.handle(signedRequest({ source: '/a.mp4', metadata: { n: 1 } })), 400, /metadata\.n:/);
    await expectIntakeError(adapter.handle(signedRequest({ source: '/a.mp4', extra: true })), 400, /Unrecognized key.*extra/);
    await expectIntakeError(adapter.handle(signedRequest({ source: '/a.mp4', idempotencyKey: '' })), 400, /idempotencyKey:/);
    await expectIntakeError(adapter.handle(signedRequest([{ source: '/a.mp4' }])), 400, /body:/);
  });

  it('keeps metadata within the intake caps with the webhook id counted: 63 entries pass, 64 are refused at once', async () => {
    const entries = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    const outcome = await adapter.handle(signedRequest({ source: '/srv/rec/a.mp4', metadata: entries(63) }));
    const metadata = outcome.jobs[0]!.metadata;
    assert.equal(Object.keys(metadata).length, 64, 'the 63 sent and the webhook id');
    assert.ok(metadata.webhookId);
    await expectIntakeError(adapter.handle(signedRequest({ source: '/srv/rec/a.mp4', metadata: entries(64) })), 400, /metadata: metadata has 64 entries; at most 63 are kept \(live2vod adds 1 of its own\)/);
    await expectIntakeError(adapter.handle(signedRequest({ source: '/srv/rec/a.mp4', metadata: { big: 'x'.repeat(2049) } })), 400, /longer than 2048 characters/);
  });

  it('refuses a malformed secret at construction', () => {
    assert.throws(() => createGenericAdapter({ secret: 'whsec_???' }), /base64/);
    assert.throws(() => createGenericAdapter({ secret: [] }), /at least one/);
  });

  it('accepts either secret during a rotation', async () => {
    const next = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
    const rotating = createGenericAdapter({ secret: [next, secret] });
    assert.equal((await rotating.handle(signedRequest({ source: '/a.mp4' }))).jobs.length, 1);
    assert.equal((await rotating.handle(signedRequest({ source: '/a.mp4' }, { secret: next }))).jobs.length, 1);
  });
});

describe('generic webhook facts', () => {
  it('carries the sender\'s typed facts to the job request', async () => {
    const adapter = createGenericAdapter({ secret });
    const facts = { durationSeconds: 3600, bytes: 2_700_000_000, codecs: { video: 'avc1.640028', audio: 'mp4a.40.2' } };
    const outcome = await adapter.handle(signedRequest({ source: 'https://media.example/rec/keynote.mp4', facts }));
    assert.deepEqual(outcome.jobs[0]?.source, { kind: 'url', url: 'https://media.example/rec/keynote.mp4' });
    assert.deepEqual(outcome.jobs[0]?.facts, facts);
  });
});
