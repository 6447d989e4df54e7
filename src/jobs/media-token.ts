// Signed media paths for a private bucket: `/media/s/<expires>.<signature>/<asset dir>/<file>`.
// The token is a path segment, not a query parameter, so every relative URI inside a playlist,
// MPD or WebVTT track (variant playlists, init and media segments, the sprite) resolves under the
// same token: one signature covers one asset directory until it expires.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenCheck = 'ok' | 'expired' | 'invalid';

const tokenPattern = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/** The key for media tokens, derived so that a media token can never pass as a callback token. */
export function mediaTokenKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('live2vod media token v1').digest();
}

export function signMediaPath(key: Buffer, assetDir: string, expiresAtSeconds: number): string {
  return `${expiresAtSeconds}.${signature(key, assetDir, expiresAtSeconds).toString('base64url')}`;
}

export function checkMediaToken(key: Buffer, assetDir: string, token: string, nowSeconds: number): TokenCheck {
  const match = tokenPattern.exec(token);
  if (!match?.[1] || !match[2]) return 'invalid';
  const expiresAt = Number(match[1]);
  // The text is compared, not the decoded bytes: 43 base64url characters carry 258 bits, so four
  // spellings of the last character decode to the same 32 bytes. Only the canonical one is valid.
  const given = Buffer.from(match[2], 'latin1');
  const expected = Buffer.from(signature(key, assetDir, expiresAt).toString('base64url'), 'latin1');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  return expiresAt < nowSeconds ? 'expired' : 'ok';
}

function signature(key: Buffer, assetDir: string, expiresAt: number): Buffer {
  return createHmac('sha256', key).update(`${expiresAt}\n${assetDir}`).digest();
}
