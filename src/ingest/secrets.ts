// Shared-secret checks for the webhook adapters: constant-time token comparison and the places a
// sender can put a token (the hook URL's `?token=`, `Authorization: Bearer …`).
import { createHash, timingSafeEqual } from 'node:crypto';
import { IntakeError, type InboundRequest } from './intake.ts';

/**
 * Compares two secrets in constant time. Both sides are hashed with SHA-256 first, so the
 * comparison always runs over 32 bytes and neither the length nor a common prefix leaks.
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** One header, looked up case-insensitively; the first value when it was sent more than once. */
export function headerValue(headers: InboundRequest['headers'], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * One query parameter. Typed as a string, but HTTP frameworks hand over an array for a repeated
 * parameter (`?token=a&token=b`), so the first string is taken defensively.
 */
export function queryValue(query: InboundRequest['query'], name: string): string | undefined {
  const value: unknown = query[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.find((v): v is string => typeof v === 'string');
  return undefined;
}

/** The token of `Authorization: Bearer <token>` (scheme matched case-insensitively), if any. */
export function bearerToken(headers: InboundRequest['headers']): string | undefined {
  const authorization = headerValue(headers, 'authorization');
  if (authorization === undefined) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  return match?.[1];
}

/**
 * The tokens a request offers in the usual places: `?token=` on the hook URL (unless `query` is
 * false) and `Authorization: Bearer …`. With `rawAuthorization`, the whole Authorization value
 * counts as a token too (for senders that put the bare secret there).
 */
export function requestTokens(request: InboundRequest, options: { rawAuthorization?: boolean; query?: boolean } = {}): string[] {
  const tokens: string[] = [];
  const query = options.query === false ? undefined : queryValue(request.query, 'token');
  if (query !== undefined && query !== '') tokens.push(query);
  const bearer = bearerToken(request.headers);
  if (bearer !== undefined) tokens.push(bearer);
  if (options.rawAuthorization) {
    const raw = headerValue(request.headers, 'authorization')?.trim();
    if (raw !== undefined && raw !== '' && raw !== bearer) tokens.push(raw);
  }
  return tokens;
}

/**
 * Refuses the request (401) unless one of `offered` equals `expected`. No configured token means
 * the adapter runs open (the operator chose so); an empty string is never a valid configuration
 * and is refused by the adapter factories.
 *
 * @param where says where the sender should put the token, for the error message.
 */
export function requireToken(expected: string | undefined, offered: readonly (string | undefined)[], where: string): void {
  if (expected === undefined) return;
  const candidates = offered.filter((t): t is string => t !== undefined && t !== '');
  if (candidates.length === 0) throw new IntakeError(401, `missing token: ${where}`);
  let ok = false;
  // Every candidate is compared (no early exit), so the time taken does not say which one matched.
  for (const candidate of candidates) ok = constantTimeEqual(candidate, expected) || ok;
  if (!ok) throw new IntakeError(401, `invalid token: ${where}`);
}

/** Throws at construction when a configured token is an empty string (it would read as "no auth"). */
export function assertTokenConfig(token: string | undefined, adapter: string): void {
  if (token !== undefined && token.trim() === '') {
    throw new Error(`${adapter}: token is an empty string; leave it out to run without a token, or set a real secret`);
  }
}
