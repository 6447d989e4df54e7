// Liveness, readiness (the store answers; the data directory can be written and has free space)
// and Prometheus metrics.
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../app-deps.ts';
import { checkDataDir } from '../disk-space.ts';

export async function healthRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get('/healthz', { schema: { summary: 'Liveness', response: { 200: status } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', {
    schema: { summary: 'Readiness: the store answers, the data directory can be written and has free space', response: { 200: status, 503: unavailable } },
  }, async (_request, reply) => {
    try {
      await deps.store.countByStateAndPriority();
    } catch (error) {
      return reply.code(503).send({ status: 'unavailable', message: `the store does not answer: ${(error as Error).message}` });
    }
    const disk = await checkDataDir(path.resolve(deps.config.dataDir), deps.config.server.minFreeDataBytes);
    if (!disk.ok) return reply.code(503).send({ status: 'unavailable', message: disk.reason });
    return { status: 'ready' };
  });
  app.get('/metrics', {
    schema: { summary: 'Prometheus metrics', response: { 200: { description: 'The Prometheus text format', content: { 'text/plain': { schema: z.string() } } } } },
  }, async (_request, reply) => {
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}

const status = z.object({ status: z.string() });
const unavailable = z.object({ status: z.literal('unavailable'), message: z.string() });
