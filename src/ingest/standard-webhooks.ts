// Verifies an inbound request signed per Standard Webhooks (the scheme: webhooks/standard-webhooks.ts),
// for the `generic` intake adapter: every refusal is a 401 saying what is wrong.
import { decodeWebhookSecret, signatureBytes, webhookToleranceSeconds } from '../webhooks/standard-webhooks.ts';
import { IntakeError, type InboundRequest } from './intake.ts';
import { constantTimeEqual, headerValue } from './secrets.ts';

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
