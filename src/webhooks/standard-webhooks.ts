// Standard Webhooks (https://www.standardwebhooks.com, spec: github.com/standard-webhooks/standard-webhooks
// spec/standard-webhooks.md): the sender puts three headers on the request,
//   webhook-id:        a unique message id (the same on retries; receivers dedupe on it)
//   webhook-timestamp: integer Unix seconds
//   webhook-signature: space-separated `<version>,<base64>` entries, e.g. `v1,K5oZ… v1,3xQ1…`
// and `v1` is base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)) where key is the base64
// secret after its `whsec_` prefix. Receivers refuse timestamps outside a tolerance (5 minutes in
// the reference libraries) to limit replays.
//
// The signing side and the shared primitives, here below both users: outbound notifications sign
// with them, and the `generic` intake adapter verifies with them (ingest/standard-webhooks.ts).
import { createHmac } from 'node:crypto';

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

/** The raw `v1` signature bytes of one message. */
export function signatureBytes(key: Buffer, id: string, timestamp: number, body: string | Uint8Array): Buffer {
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
