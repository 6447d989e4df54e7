import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { verifyStandardWebhook } from '../../src/ingest/standard-webhooks.ts';
import { decodeWebhookSecret, signStandardWebhook, standardWebhookHeaders } from '../../src/webhooks/standard-webhooks.ts';
import { expectIntakeError, fixedNow, inbound } from './helpers.ts';

// The example secret of the Standard Webhooks documentation.
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const otherSecret = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
const now = Math.floor(fixedNow.getTime() / 1000);
const body = '{"source":"s3://rec/live/keynote.mp4"}';

function signed(overrides: { body?: string; headers?: Record<string, string> } = {}) {
  return inbound({ headers: { ...standardWebhookHeaders(secret, id, now, body), ...overrides.headers }, body: overrides.body ?? body });
}

describe('signStandardWebhook', () => {
  it('is HMAC-SHA256 over "id.timestamp.body" keyed by the base64 after whsec_', () => {
    const key = Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${now}.${body}`).digest('base64');
    assert.equal(signStandardWebhook(secret, id, now, body), `v1,${expected}`);
    // Same with a Date, and with the secret given without its prefix.
    assert.equal(signStandardWebhook('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', id, fixedNow, Buffer.from(body)), `v1,${expected}`);
  });

  it('refuses malformed or short secrets', () => {
    assert.throws(() => decodeWebhookSecret('whsec_not base64!'), /base64/);
    assert.throws(() => decodeWebhookSecret('whsec_c2hvcnQ='), /too short/);
  });
});

describe('verifyStandardWebhook', () => {
  it('accepts a valid signature and returns id and timestamp', () => {
    assert.deepEqual(verifyStandardWebhook(secret, signed()), { id, timestamp: now });
  });

  it('accepts a timestamp within the 5-minute tolerance either way', () => {
    for (const ts of [now - 299, now + 299]) {
      const request = inbound({ headers: standardWebhookHeaders(secret, id, ts, body), body });
      assert.equal(verifyStandardWebhook(secret, request).timestamp, ts);
    }
  });

  it('refuses a tampered body', async () => {
    await expectIntakeError(() => verifyStandardWebhook(secret, signed({ body: body.replace('keynote', 'other') })), 401, /does not match/);
  });

  it('refuses a signature made with another secret', async () => {
    await expectIntakeError(() => verifyStandardWebhook(otherSecret, signed()), 401, /does not match/);
  });

  it('refuses an old timestamp, and one from the future, with a clear message', async () => {
    const old = inbound({ headers: standardWebhookHeaders(secret, id, now - 301, body), body });
    await expectIntakeError(() => verifyStandardWebhook(secret, old), 401, /too old: 301 s/);
    const future = inbound({ headers: standardWebhookHeaders(secret, id, now + 400, body), body });
    await expectIntakeError(() => verifyStandardWebhook(secret, future), 401, /too new/);
  });

  it('accepts when one of several signatures is valid (rotation), skipping other versions', () => {
    const good = signStandardWebhook(secret, id, now, body);
    const wrong = signStandardWebhook(otherSecret, id, now, body);
    const request = signed({ headers: { 'webhook-signature': `v1a,AAAA ${wrong} ${good}` } });
    assert.equal(verifyStandardWebhook(secret, request).id, id);
  });

  it('accepts any of several configured secrets', () => {
    assert.equal(verifyStandardWebhook([otherSecret, secret], signed()).id, id);
  });

  it('refuses missing headers naming them', async () => {
    await expectIntakeError(() => verifyStandardWebhook(secret, inbound({ body })), 401, /webhook-id, webhook-timestamp, webhook-signature/);
    const noSig = inbound({ headers: { 'webhook-id': id, 'webhook-timestamp': String(now) }, body });
    await expectIntakeError(() => verifyStandardWebhook(secret, noSig), 401, /missing .*webhook-signature/);
  });

  it('refuses a non-numeric timestamp and a header without v1 entries', async () => {
    await expectIntakeError(() => verifyStandardWebhook(secret, signed({ headers: { 'webhook-timestamp': '2026-03-01T12:00:00Z' } })), 401, /integer Unix seconds/);
    await expectIntakeError(() => verifyStandardWebhook(secret, signed({ headers: { 'webhook-signature': 'v2,abc' } })), 401, /no v1 signature/);
  });

  it('binds the signature to the id and the timestamp', async () => {
    await expectIntakeError(() => verifyStandardWebhook(secret, signed({ headers: { 'webhook-id': 'msg_other' } })), 401, /does not match/);
    await expectIntakeError(() => verifyStandardWebhook(secret, signed({ headers: { 'webhook-timestamp': String(now - 1) } })), 401, /does not match/);
  });
});
