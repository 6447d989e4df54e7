// POST /internal/jobs/:id/attempts/:attempt/events: workers report here with their job token.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { verifyJobToken } from '../../jobs/job-token.ts';
import type { AppDeps } from '../app-deps.ts';

const report = z.object({
  type: z.string().max(32),
  percent: z.number().min(0).max(100).optional(),
  speed: z.number().optional(),
  step: z.string().max(32).optional(),
  state: z.string().max(16).optional(),
  ms: z.number().optional(),
  message: z.string().max(4000).optional(),
  exitCode: z.number().int().optional(),
  retryable: z.boolean().optional(),
  stderrTail: z.string().max(20_000).optional(),
  command: z.string().max(8000).optional(),
  etaSeconds: z.number().min(0).optional(),
  playlist: z.string().max(200).optional(),
}).loose();

export async function internalRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.post<{ Params: { id: string; attempt: string } }>('/internal/jobs/:id/attempts/:attempt/events', async (request, reply) => {
    const attempt = Number(request.params.attempt);
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!Number.isInteger(attempt) || !verifyJobToken(deps.callbackSecret, request.params.id, attempt, token)) {
      return reply.code(401).send({ error: 'unauthorized', message: 'invalid job token' });
    }
    const parsed = report.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: 'invalid_request', message: parsed.error.issues[0]?.message ?? 'invalid report' });
    const event = parsed.data;
    if (event.type === 'progress' && event.speed !== undefined && event.speed > 0) deps.metrics.encodeSpeed.observe(event.speed);
    if (event.type === 'step' && event.state === 'end' && event.step && event.ms !== undefined) deps.metrics.stepDuration.observe({ step: event.step }, event.ms / 1000);
    await deps.scheduler.onWorkerReport(request.params.id, event);
    return reply.code(204).send();
  });
}
