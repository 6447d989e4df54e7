// Bearer tokens for the API, when configured. Constant-time comparison of SHA-256 digests, so
// neither content nor length leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export function bearerAuth(tokens: readonly string[]) {
  const digests = tokens.map((t) => createHash('sha256').update(t).digest());
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (digests.length === 0) return;
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const digest = createHash('sha256').update(given).digest();
    if (!given || !digests.some((d) => timingSafeEqual(d, digest))) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: 'send Authorization: Bearer <token> with one of the configured API tokens' });
    }
  };
}
