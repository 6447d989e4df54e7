// Bearer tokens for the API. Constant-time comparison of SHA-256 digests, so neither content nor
// length leaks through timing. The scheme is matched case-insensitively (RFC 9110 §11.1), the
// same parser as the hooks use. Without tokens the API is open or closed as api-access.ts decides.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken } from '../ingest/secrets.ts';
import type { ApiAccess } from './api-access.ts';

export function bearerAuth(access: ApiAccess) {
  const digests = access.kind === 'tokens' ? access.tokens.map((t) => createHash('sha256').update(t).digest()) : [];
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (access.kind === 'open') return;
    if (access.kind === 'closed') {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: access.reason });
      return;
    }
    const given = bearerToken(request.headers) ?? '';
    const digest = createHash('sha256').update(given).digest();
    let ok = false;
    // Every token is compared (no early exit), so the time taken does not say which one matched.
    for (const d of digests) ok = timingSafeEqual(d, digest) || ok;
    if (!given || !ok) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'send Authorization: Bearer <token> with one of the configured API tokens' });
    }
  };
}
