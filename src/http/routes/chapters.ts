// PATCH /v1/jobs/{id}/chapters: new titles and starts for a succeeded job's chapters. Declared by
// its schemas; the work is editJobChapters' (the chapter documents and manifest.json rewritten
// where the asset is, nothing re-encoded).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { chapterEditSchema } from '../../media/event/chapter-edit.ts';
import { editJobChapters } from '../../pipeline/event/edit-job-chapters.ts';
import { chaptersEdited, errorResponses, jobIdParams } from '../api-schemas.ts';
import type { AppDeps } from '../app-deps.ts';
import { jobViewer } from '../job-view.ts';

const refusalStatus = { not_found: 404, not_succeeded: 409, invalid_edit: 400 } as const;

export const chapterRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  const view = jobViewer(deps);

  app.patch('/v1/jobs/:id/chapters', {
    schema: {
      summary: 'Replace the chapters of a succeeded job\'s asset (titles and starts; starts strictly increasing and before the end). Rewrites chapters.vtt, chapters.json and manifest.json; nothing is re-encoded',
      params: jobIdParams,
      body: chapterEditSchema,
      response: { 200: chaptersEdited, ...errorResponses(400, 404, 409) },
    },
  }, async (request, reply) => {
    const outcome = await editJobChapters(deps, request.params.id, request.body);
    if (!outcome.ok) return reply.code(refusalStatus[outcome.refusal]).send({ error: outcome.refusal, message: outcome.message });
    return { job: view(outcome.job), chapters: outcome.chapters };
  });
};
