// POST /internal/jobs/:id/attempts/:attempt/events: workers report here with their job token.
// The body is a WorkerReport (src/jobs/worker-report.ts). A type this control plane does not know
// (a worker newer than it) gets a 400 that says so, and a warning in the log: the worker stops
// retrying it (4xx) and logs the answer, and nothing pretends the report was acted on.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { bearerToken } from '../../ingest/secrets.ts';
import { verifyJobToken } from '../../jobs/job-token.ts';
import { isUnitName } from '../../jobs/work-unit.ts';
import { workerReportSchema, workerReportTypes } from '../../jobs/worker-report.ts';
import { describeZodError } from '../../zod-errors.ts';
import { errorResponses } from '../api-schemas.ts';
import type { AppDeps } from '../app-deps.ts';
import { reportParams, reportQuery } from '../hook-schemas.ts';

const typed = z.object({ type: z.string().min(1).max(32) });

export const internalRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  // The body is parsed here, not by a body schema: a report type this control plane does not
  // know gets an answer of its own (unknown_report_type), not a schema failure.
  app.post('/internal/jobs/:id/attempts/:attempt/events', {
    schema: {
      summary: 'A worker\'s report (a WorkerReport: progress, state changes, the outcome), with its job token as the bearer',
      params: reportParams,
      querystring: reportQuery,
      response: { 204: z.undefined(), ...errorResponses(400, 401) },
    },
  }, async (request, reply) => {
    const attempt = Number(request.params.attempt);
    // The scheme is case-insensitive (RFC 9110 §11.1), here as on every other route.
    const token = bearerToken(request.headers) ?? '';
    if (!Number.isInteger(attempt) || !verifyJobToken(deps.callbackSecret, request.params.id, attempt, token)) {
      return reply.code(401).send({ error: 'unauthorized', message: 'invalid job token' });
    }
    // Which part of a chunked attempt reports (src/jobs/work-unit.ts); none: the whole recording.
    const unit = request.query.unit ?? 'full';
    if (!isUnitName(unit)) return reply.code(400).send({ error: 'invalid_request', message: `unit ${JSON.stringify(unit).slice(0, 40)} is not a unit of an attempt (full, split, stitch or chunk-<n>)` });
    const head = typed.safeParse(request.body);
    if (!head.success) return reply.code(400).send({ error: 'invalid_request', message: `a report is a JSON object with a string type: ${describeZodError(head.error)}` });
    if (!(workerReportTypes as readonly string[]).includes(head.data.type)) {
      request.log.warn({ jobId: request.params.id, attempt, type: head.data.type }, 'a worker sent a report type this control plane does not know');
      return reply.code(400).send({
        error: 'unknown_report_type',
        message: `report type ${JSON.stringify(head.data.type)} is not understood here (known: ${workerReportTypes.join(', ')}): upgrade the control plane before its workers`,
      });
    }
    const parsed = workerReportSchema.safeParse(request.body);
    if (!parsed.success) return reply.code(400).send({ error: 'invalid_request', message: `invalid ${head.data.type} report: ${describeZodError(parsed.error)}` });
    const report = parsed.data;
    if (report.type === 'progress' && report.speed !== undefined && report.speed > 0) deps.metrics.encodeSpeed.observe(report.speed);
    if (report.type === 'step' && report.state === 'end' && report.ms !== undefined) deps.metrics.stepDuration.observe({ step: report.step }, report.ms / 1000);
    await deps.scheduler.onWorkerReport(request.params.id, report, unit, attempt);
    return reply.code(204).send();
  });
};
