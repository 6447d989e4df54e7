// /v1/jobs: create, list, get, cancel, retry, change priority; attempts and event log.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { z } from 'zod';
import { RequestRefusedError, SourceRefusedError } from '../../jobs/intake-service.ts';
import type { Job } from '../../jobs/job.ts';
import { formatSourceLocation } from '../../jobs/source-location.ts';
import { describeZodError } from '../../zod-errors.ts';
import { attemptList, createJobBody, eventList, jobIdParams, listJobsQuery, patchJobBody, type ApiJob } from '../api-schemas.ts';
import type { AppDeps } from '../app-deps.ts';
import { jobViewer, serverPathsOf } from '../job-view.ts';
import { jobRequestKey } from '../job-request-key.ts';

export async function jobRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const view = jobViewer(deps);
  const paths = serverPathsOf(deps.config);

  app.post('/v1/jobs', async (request, reply) => {
    const body = parse(createJobBody, request.body, reply);
    if (!body) return reply;
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
      throw error;
    }
  });

  app.get('/v1/jobs', async (request, reply) => {
    const query = parse(listJobsQuery, request.query, reply);
    if (!query) return reply;
    const page = await deps.store.listJobs({
      limit: query.limit,
      ...(query.state ? { states: query.state } : {}),
      ...(query.priority ? { priorities: query.priority } : {}),
      ...(query.source ? { sourceKinds: query.source } : {}),
      ...(query.upload !== undefined ? { uploads: query.upload } : {}),
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

  app.get('/v1/jobs/:id', async (request, reply) => {
    const job = await findJob(request.params, reply);
    return job ? view(job) : reply;
  });

  app.get('/v1/jobs/:id/attempts', async (request, reply) => {
    const job = await findJob(request.params, reply);
    if (!job) return reply;
    const attempts = await deps.store.listAttempts(job.id);
    const items = attempts.map((a) => ({ number: a.number, startedAt: a.startedAt, finishedAt: a.finishedAt ?? null, outcome: a.outcome ?? null, reason: a.reason ?? null, counts: a.counts }));
    return { items } satisfies z.infer<typeof attemptList>;
  });

  app.get('/v1/jobs/:id/log', async (request, reply) => {
    const job = await findJob(request.params, reply);
    if (!job) return reply;
    const events = await deps.store.listEvents(job.id);
    return { items: events.map((e) => ({ id: e.id, at: e.at, type: e.type, data: paths.record(e.data) })) } satisfies z.infer<typeof eventList>;
  });

  app.post('/v1/jobs/:id/cancel', async (request, reply) => {
    const job = await findJob(request.params, reply);
    if (!job) return reply;
    if (job.state === 'succeeded' || job.state === 'failed' || job.state === 'cancelled') {
      return reply.code(409).send({ error: 'not_cancellable', message: `the job is already ${job.state}` });
    }
    const updated = await deps.store.requestCancel(job.id, new Date());
    if (!updated) return reply.code(404).send({ error: 'not_found', message: 'no such job' });
    if (updated.state === 'running') await deps.scheduler.cancel(job.id);
    else if (updated.state === 'cancelled' && job.state === 'queued') deps.events.emit({ type: 'job.cancelled', job: updated, at: new Date().toISOString() });
    return reply.code(202).send(view((await deps.store.getJob(job.id)) ?? updated));
  });

  app.post('/v1/jobs/:id/retry', async (request, reply) => {
    const job = await findJob(request.params, reply);
    if (!job) return reply;
    const updated = await deps.store.retry(job.id, new Date());
    if (!updated) return reply.code(409).send({ error: 'not_retryable', message: `a ${job.state} job cannot be retried; only failed or cancelled jobs can` });
    deps.events.emit({ type: 'job.queued', job: updated, at: new Date().toISOString() });
    deps.scheduler.kick();
    return view(updated);
  });

  app.patch('/v1/jobs/:id', async (request, reply) => {
    const job = await findJob(request.params, reply);
    if (!job) return reply;
    const body = parse(patchJobBody, request.body, reply);
    if (!body) return reply;
    const updated = await deps.store.setPriority(job.id, body.priority, new Date());
    if (!updated) return reply.code(409).send({ error: 'not_queued', message: `the priority can only change while the job is queued; it is ${job.state}` });
    deps.events.emit({ type: 'job.updated', job: updated, at: new Date().toISOString() });
    deps.scheduler.kick();
    return view(updated);
  });

  async function findJob(params: unknown, reply: FastifyReply) {
    const parsed = parse(jobIdParams, params, reply);
    if (!parsed) return undefined;
    const job = await deps.store.getJob(parsed.id);
    if (!job) await reply.code(404).send({ error: 'not_found', message: `no job ${parsed.id}` });
    return job;
  }
}

function parse<T extends z.ZodType>(schema: T, value: unknown, reply: FastifyReply): z.infer<T> | undefined {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  void reply.code(400).send({ error: 'invalid_request', message: describeZodError(parsed.error) });
  return undefined;
}

/**
 * Whether a replayed request is the one that made `job`: the same source and metadata. (Priority
 * is left out: it may have been changed on the job since, and a replay must still find it.)
 */
function sameRequest(job: Job, source: string, metadata: Record<string, string>): boolean {
  const keys = Object.keys(metadata);
  return job.source === source && keys.length === Object.keys(job.metadata).length && keys.every((k) => job.metadata[k] === metadata[k]);
}
