// POST /v1/jobs/{id}/clips: a new job that cuts [start, end) of a finished job's asset into an
// asset of its own. Declared by its schemas like every route; IntakeService checks and creates.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ClipRefusedError } from '../../jobs/clip-request.ts';
import { apiJob, createClipBody, errorResponses, jobIdParams } from '../api-schemas.ts';
import type { AppDeps } from '../app-deps.ts';
import { jobViewer } from '../job-view.ts';

const refusalStatus = { not_found: 404, not_finished: 409, bad_range: 400 } as const;

export const clipRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const view = jobViewer(deps);

  app.post('/v1/jobs/:id/clips', {
    schema: {
      summary: 'Make a clip of a finished job\'s asset: a new job (kind clip) whose asset is [start, end) of it, every rendition, frame-accurate at both ends (201; 409 while the parent has not succeeded; 400 for a range outside it or under 1 s)',
      params: jobIdParams,
      body: createClipBody,
      response: { 201: apiJob, ...errorResponses(400, 404, 409) },
    },
  }, async (request, reply) => {
    const { start, end, title, priority } = request.body;
    try {
      const job = await deps.intake.acceptClip(request.params.id, { start, end, ...(title === undefined ? {} : { title }), priority });
      deps.metrics.jobsCreated.inc({ source: 'api' });
      return reply.code(201).header('location', `/v1/jobs/${job.id}`).send(view(job));
    } catch (error) {
      if (error instanceof ClipRefusedError) return reply.code(refusalStatus[error.refusal]).send({ error: error.refusal, message: error.message });
      throw error;
    }
  });
};
