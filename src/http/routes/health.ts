// Liveness, readiness (the store answers) and Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.ts';

export async function healthRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await deps.store.countByStateAndPriority();
      return { status: 'ready' };
    } catch (error) {
      return reply.code(503).send({ status: 'unavailable', message: `the store does not answer: ${(error as Error).message}` });
    }
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}
