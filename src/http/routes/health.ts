// Liveness, readiness (the store answers; the data directory can be written and has free space)
// and Prometheus metrics.
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.ts';
import { checkDataDir } from '../disk-space.ts';

export async function healthRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await deps.store.countByStateAndPriority();
    } catch (error) {
      return reply.code(503).send({ status: 'unavailable', message: `the store does not answer: ${(error as Error).message}` });
    }
    const disk = await checkDataDir(path.resolve(deps.config.dataDir), deps.config.server.minFreeDataBytes);
    if (!disk.ok) return reply.code(503).send({ status: 'unavailable', message: disk.reason });
    return { status: 'ready' };
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}
