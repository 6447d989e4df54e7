// POST /hooks/<source>: ingest webhooks. Bodies are kept raw (signatures are over the exact
// bytes); the job is stored before the 2xx, and the answer comes at once.
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { IntakeError } from '../../ingest/intake.ts';
import type { SourceKind } from '../../jobs/job.ts';
import { IdempotencyKeyReusedError, RequestRefusedError, SourceRefusedError } from '../../jobs/intake-service.ts';
import { apiError } from '../api-schemas.ts';
import { errorHandler, errorStatus } from '../error-handler.ts';
import type { AppDeps } from '../app-deps.ts';
import { hookParams, hookSuccess } from '../hook-schemas.ts';

export async function hookRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // Encapsulated: only these routes see raw bodies. The query goes to the adapters as it came
  // (they read a repeated parameter themselves, ingest/secrets.ts), so it has no schema here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  // What Fastify refuses before the handler runs (a body over server.bodyLimitBytes: 413) is a
  // refused webhook too: counted and logged as the handler's own refusals are.
  const answer = errorHandler(deps.config.server.bodyLimitBytes);
  /** A refused webhook, counted and logged the one way. */
  const refused = (request: FastifyRequest, source: string, status: number, reason: string): void => {
    deps.metrics.webhooksRejected.inc({ source, status: String(status) });
    if (status < 500) request.log.warn({ source, status, reason }, 'webhook refused');
  };
  app.setErrorHandler((error: FastifyError | Error, request, reply) => {
    const status = errorStatus(error);
    const { source } = request.params as { source?: string };
    // Errors the handler throws are 500s it has counted already.
    if (status < 500 && source !== undefined && deps.adapters.has(source)) {
      deps.metrics.webhooksReceived.inc({ source });
      refused(request, source, status, error.message);
    }
    return answer(error, request, reply);
  });

  app.post<{ Params: { source: string }; Querystring: Record<string, string | undefined> }>('/hooks/:source', {
    schema: {
      summary: 'An ingest webhook (nginx-rtmp, srs, mediamtx, s3, generic): the body is read raw, as its signature covers the exact bytes; 200 once the job is stored, in the answer the sender expects',
      params: hookParams,
      response: { 200: hookSuccess, '4xx': apiError },
    },
  }, async (request, reply) => {
    const { source } = request.params;
    const adapter = deps.adapters.get(source);
    if (!adapter) return reply.code(404).send({ error: 'unknown_source', message: `no intake for "${source}"; enabled: ${[...deps.adapters.keys()].join(', ')}` });
    deps.metrics.webhooksReceived.inc({ source });
    try {
      const outcome = await adapter.handle({
        headers: request.headers,
        query: request.query,
        rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        contentType: request.headers['content-type'] ?? '',
        remoteAddress: request.ip,
        now: new Date(),
      });
      const results = await deps.intake.accept(adapter.kind as SourceKind, outcome.jobs);
      for (const r of results) if (r.created) deps.metrics.jobsCreated.inc({ source });
      if (outcome.ignored !== undefined && results.length === 0) request.log.warn({ source, reason: outcome.ignored }, 'webhook ignored');
      // Always 200: recorders (SRS among them) treat anything else as failure.
      return reply.code(200).send(adapter.successBody(results.map((r) => r.job.id), results.length === 0 ? outcome.ignored : undefined));
    } catch (error) {
      const status = error instanceof IntakeError ? error.status : error instanceof SourceRefusedError ? 403 : error instanceof RequestRefusedError ? 400 : error instanceof IdempotencyKeyReusedError ? 409 : errorStatus(error as Error);
      refused(request, source, status, (error as Error).message);
      if (status >= 500) throw error;
      return reply.code(status).send({ error: status === 401 ? 'unauthorized' : 'rejected', message: (error as Error).message });
    }
  });
}
