// Standard Webhooks (https://www.standardwebhooks.com, spec: github.com/standard-webhooks/standard-webhooks
// spec/standard-webhooks.md): the sender puts three headers on the request,
//   webhook-id:        a unique message id (the same on retries; receivers dedupe on it)
//   webhook-timestamp: integer Unix seconds
//   webhook-signature: space-separated `<version>,<base64>` entries, e.g. `v1,K5oZ… v1,3xQ1…`
// and `v1` is base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)) where key is the base64
// secret after its `whsec_` prefix. Receivers refuse timestamps outside a tolerance (5 minutes in
// the reference libraries) to limit replays.
//
// Used for the `generic` intake adapter, and (sign side) for outbound notifications.
import { createHmac } from 'node:crypto';
import { IntakeError, type InboundRequest } from './intake.ts';
import { constantTimeEqual, headerValue } from './secrets.ts';

export const webhookToleranceSeconds = 5 * 60;
const secretPrefix = 'whsec_';

/**
 * The HMAC key of a Standard Webhooks secret: the base64 after `whsec_` (the prefix is optional
 * here, as in the reference libraries). Throws when nothing usable is left.
 */
export function decodeWebhookSecret(secret: string): Buffer {
  const encoded = secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new Error('webhook secret must be base64 after the whsec_ prefix (e.g. whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw)');
  }
  const key = Buffer.from(encoded, 'base64');
  // The spec asks for 24 to 64 random bytes; fewer than 16 is not a secret worth the name.
  if (key.length < 16) throw new Error(`webhook secret is too short (${key.length} bytes after base64 decoding; use 24 to 64)`);
  return key;
}

function signatureBytes(key: Buffer, id: string, timestamp: number, body: string | Uint8Array): Buffer {
  // Signed over the raw body bytes: a re-serialised JSON would not match.
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest();
}

function toUnixSeconds(timestamp: number | Date): number {
  const seconds = timestamp instanceof Date ? Math.floor(timestamp.getTime() / 1000) : timestamp;
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw new Error(`webhook timestamp must be integer Unix seconds, got ${String(timestamp)}`);
  return seconds;
}

/**
 * The `webhook-signature` header value (`v1,<base64>`) for one message. Put it, `webhook-id: id`
 * and `webhook-timestamp: <timestamp>` on the request, and send exactly `body`.
 */
export function signStandardWebhook(secret: string, id: string, timestamp: number | Date, body: string | Uint8Array): string {
  const seconds = toUnixSeconds(timestamp);
  return `v1,${signatureBytes(decodeWebhookSecret(secret), id, seconds, body).toString('base64')}`;
}

/** All three Standard Webhooks headers for one message, ready to merge into a request's headers. */
export function standardWebhookHeaders(secret: string, id: string, timestamp: number | Date, body: string | Uint8Array): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(toUnixSeconds(timestamp)),
    'webhook-signature': signStandardWebhook(secret, id, timestamp, body),
  };
}

export interface VerifiedWebhook {
  id: string;
  /** Unix seconds. */
  timestamp: number;
}

/**
 * Verifies a request signed per Standard Webhooks, or throws IntakeError(401) saying what is
 * wrong. One valid `v1` entry among several in `webhook-signature` is enough (senders list one per
 * active secret while rotating); entries of other versions are skipped.
 *
 * @param secrets one secret, or several to accept during a rotation
 */
export function verifyStandardWebhook(
  secrets: string | readonly string[],
  request: Pick<InboundRequest, 'headers' | 'rawBody' | 'now'>,
  toleranceSeconds: number = webhookToleranceSeconds,
): VerifiedWebhook {
  const id = headerValue(request.headers, 'webhook-id');
  const timestampText = headerValue(request.headers, 'webhook-timestamp');
  const signatureHeader = headerValue(request.headers, 'webhook-signature');
  const missing = [
    ['webhook-id', id],
    ['webhook-timestamp', timestampText],
    ['webhook-signature', signatureHeader],
  ].filter(([, value]) => value === undefined || value.trim() === '').map(([name]) => name);
  if (missing.length > 0 || id === undefined || timestampText === undefined || signatureHeader === undefined) {
    throw new IntakeError(401, `missing Standard Webhooks header(s): ${missing.join(', ')}`);
  }
  // The id ends up in idempotency keys and logs: keep it short and printable.
  if (id.length > 256 || /[\u0000-\u001f\u007f]/.test(id)) {
    throw new IntakeError(401, 'webhook-id must be at most 256 printable characters');
  }
  if (!/^\d{1,15}$/.test(timestampText.trim())) {
    throw new IntakeError(401, `webhook-timestamp must be integer Unix seconds, got ${JSON.stringify(timestampText.slice(0, 40))}`);
  }
  const timestamp = Number(timestampText.trim());
  const now = Math.floor(request.now.getTime() / 1000);
  if (now - timestamp > toleranceSeconds) {
    throw new IntakeError(401, `webhook-timestamp is too old: ${now - timestamp} s before now, tolerance ${toleranceSeconds} s (check the sender's clock, or this is a replay)`);
  }
  if (timestamp - now > toleranceSeconds) {
    throw new IntakeError(401, `webhook-timestamp is too new: ${timestamp - now} s after now, tolerance ${toleranceSeconds} s (check the sender's clock)`);
  }

  const offered: Buffer[] = [];
  for (const entry of signatureHeader.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    offered.push(Buffer.from(entry.slice(comma + 1), 'base64'));
  }
  if (offered.length === 0) throw new IntakeError(401, 'webhook-signature has no v1 signature (expected "v1,<base64>")');

  const keys = (typeof secrets === 'string' ? [secrets] : secrets).map(decodeWebhookSecret);
  let ok = false;
  for (const key of keys) {
    const expected = signatureBytes(key, id, timestamp, request.rawBody);
    // No early exit: the time does not depend on which entry (if any) matched.
    for (const signature of offered) ok = constantTimeEqual(signature, expected) || ok;
  }
  if (!ok) throw new IntakeError(401, 'webhook-signature does not match: wrong secret, or the body was changed after signing');
  return { id, timestamp };
}
