// /v1/jobs: create, list, get, cancel, retry, change priority; attempts and event log. Each route
// is declared by its schemas (validated, typed and documented from the same declaration); the
// domain work is IntakeService's (create) and JobCommands' (the rest).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyReply } from 'fastify';
import type { CommandOutcome } from '../../jobs/job-commands.ts';
import { IdempotencyKeyReusedError, RequestRefusedError, SourceRefusedError } from '../../jobs/intake-service.ts';
import type { Job } from '../../jobs/job.ts';
import { formatSourceLocation } from '../../jobs/source-location.ts';
import { apiJob, attemptList, createJobBody, createJobHeaders, errorResponses, eventList, jobIdParams, jobList, listJobsQuery, patchJobBody, type ApiJob } from '../api-schemas.ts';
import type { AppDeps } from '../app-deps.ts';
import { jobViewer, serverPathsOf } from '../job-view.ts';
import { jobRequestKey } from '../job-request-key.ts';

export const jobRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const view = jobViewer(deps);
  const paths = serverPathsOf(deps.config);

  app.post('/v1/jobs', {
    schema: {
      summary: 'Create a job from a source (201; 200 with the existing job for a replayed Idempotency-Key or a recording another intake already has; 409 for an Idempotency-Key reused with another body)',
      headers: createJobHeaders,
      body: createJobBody,
      response: { 200: apiJob, 201: apiJob, ...errorResponses(400, 409, 422) },
    },
  }, async (request, reply) => {
    const body = request.body;
    try {
      // The policy first: nothing outside the source roots is even looked at; a local file is
      // then checked by its real path.
      const { source, file } = await deps.intake.checkSource(body.source);
      const found = jobRequestKey(source, file, request.headers['idempotency-key']);
      if ('error' in found) return reply.code(422).send({ error: 'unusable_source', message: found.error });
      const metadata = body.metadata ?? {};
      // A local file's measured size wins over a declared one.
      const [result] = await deps.intake.accept('api', [{
        source, facts: { ...body.facts, ...found.facts }, idempotencyKey: found.key, metadata,
        ...(body.priority ? { priority: body.priority } : {}),
        ...(body.trim !== undefined ? { trim: body.trim } : {}),
        ...(found.newAfterEnd ? { newAfterEnd: true } : {}),
      }]);
      if (!result) throw new Error('no job was created');
      if (!result.created && found.callerGiven && !sameRequest(result.job, formatSourceLocation(source), metadata)) {
        return reply.code(409).send({
          error: 'idempotency_key_reused',
          message: `Idempotency-Key already names job ${result.job.id} for ${result.job.source} with other metadata or another source; send a new key for a new job, or the same body to get that job`,
        });
      }
      if (result.created) deps.metrics.jobsCreated.inc({ source: 'api' });
      return reply.code(result.created ? 201 : 200).header('location', `/v1/jobs/${result.job.id}`).send(view(result.job));
    } catch (error) {
      if (error instanceof SourceRefusedError) return reply.code(422).send({ error: 'unusable_source', message: error.message });
      if (error instanceof RequestRefusedError) return reply.code(400).send({ error: 'invalid_request', message: error.message });
      if (error instanceof IdempotencyKeyReusedError) return reply.code(409).send({ error: 'idempotency_key_reused', message: error.message });
      throw error;
    }
  });

  app.get('/v1/jobs', {
    schema: {
      summary: 'List jobs, newest first, with filters (state, priority, source, upload) and cursor paging; a page ends at limit items or server.maxListBytes of JSON, whichever comes first',
      querystring: listJobsQuery,
      response: { 200: jobList, ...errorResponses(400) },
    },
  }, async (request) => {
    const query = request.query;
    const page = await deps.store.listJobs({
      limit: query.limit,
      ...(query.state ? { states: query.state } : {}),
      ...(query.priority ? { priorities: query.priority } : {}),
      ...(query.source ? { sourceKinds: query.source } : {}),
      ...(query.upload !== undefined ? { uploads: query.upload } : {}),
      ...(query.parent ? { parentJobId: query.parent } : {}),
      ...(query.cursor ? { before: query.cursor } : {}),
    });
    // Bounded in bytes too: a page of jobs with large metadata stops early, and the cursor continues it.
    const items: ApiJob[] = [];
    let bytes = 0;
    let nextCursor = page.nextCursor ?? null;
    for (const [i, job] of page.items.entries()) {
      const item = view(job);
      const size = Buffer.byteLength(JSON.stringify(item));
      const previous = page.items[i - 1];
      if (previous && bytes + size > deps.config.server.maxListBytes) {
        nextCursor = previous.seq;
        break;
      }
      items.push(item);
      bytes += size;
    }
    return { items, nextCursor };
  });

  const oneJob = { params: jobIdParams };

  app.get('/v1/jobs/:id', {
    schema: { summary: 'Get a job: its state, source facts (facts), when it became playable (playableAt), where its files are (outputPrefix), its URLs and error', ...oneJob, response: { 200: apiJob, ...errorResponses(400, 404) } },
  }, async (request, reply) => {
    const job = await deps.store.getJob(request.params.id);
    return job ? view(job) : notFound(reply, request.params.id);
  });

  app.get('/v1/jobs/:id/attempts', {
    schema: { summary: 'The attempts of a job with their outcomes', ...oneJob, response: { 200: attemptList, ...errorResponses(400, 404) } },
  }, async (request, reply) => {
    const job = await deps.store.getJob(request.params.id);
    if (!job) return notFound(reply, request.params.id);
    const attempts = await deps.store.listAttempts(job.id);
    return { items: attempts.map((a) => ({ number: a.number, startedAt: a.startedAt, finishedAt: a.finishedAt ?? null, outcome: a.outcome ?? null, reason: a.reason ?? null, counts: a.counts })) };
  });

  app.get('/v1/jobs/:id/log', {
    schema: { summary: 'The event log of a job', ...oneJob, response: { 200: eventList, ...errorResponses(400, 404) } },
  }, async (request, reply) => {
    const job = await deps.store.getJob(request.params.id);
    if (!job) return notFound(reply, request.params.id);
    const events = await deps.store.listEvents(job.id);
    return { items: events.map((e) => ({ id: e.id, at: e.at, type: e.type, data: paths.record(e.data) })) };
  });

  // The commands answer with the job as it is now, or the refusal's status and words.
  const answer = (reply: FastifyReply, outcome: CommandOutcome, status: 200 | 202) => outcome.ok
    ? reply.code(status).send(view(outcome.job))
    : reply.code(outcome.refusal === 'not_found' ? 404 : 409).send({ error: outcome.refusal, message: outcome.message });

  app.post('/v1/jobs/:id/cancel', {
    schema: { summary: 'Cancel a job (a running worker is stopped)', ...oneJob, response: { 202: apiJob, ...errorResponses(400, 404, 409) } },
  }, async (request, reply) => answer(reply, await deps.commands.cancel(request.params.id), 202));

  app.post('/v1/jobs/:id/retry', {
    schema: { summary: 'Queue a failed or cancelled job again', ...oneJob, response: { 200: apiJob, ...errorResponses(400, 404, 409) } },
  }, async (request, reply) => answer(reply, await deps.commands.retry(request.params.id), 200));

  app.patch('/v1/jobs/:id', {
    schema: { summary: 'Change the priority of a queued job', ...oneJob, body: patchJobBody, response: { 200: apiJob, ...errorResponses(400, 404, 409) } },
  }, async (request, reply) => answer(reply, await deps.commands.setPriority(request.params.id, request.body.priority), 200));
};

function notFound(reply: FastifyReply, id: string): FastifyReply {
  return reply.code(404).send({ error: 'not_found', message: `no job ${id}` });
}

/**
 * Whether a replayed request is the one that made `job`: the same source and metadata. (Priority
 * is left out: it may have been changed on the job since, and a replay must still find it.)
 */
function sameRequest(job: Job, source: string, metadata: Record<string, string>): boolean {
  const keys = Object.keys(metadata);
  return job.source === source && keys.length === Object.keys(job.metadata).length && keys.every((k) => job.metadata[k] === metadata[k]);
}
