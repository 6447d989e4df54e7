// GET /v1/assets/:id: the finished asset's manifest.json with absolute URLs.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assetNotReady, assetResponse, errorResponses, idParams } from '../api-schemas.ts';
import { readObjectText } from '../../storage/read-object-text.ts';
import type { AppDeps } from '../app-deps.ts';
import { jobViewer } from '../job-view.ts';

export const assetRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  app.get('/v1/assets/:id', {
    schema: {
      summary: 'The finished asset: URLs and manifest.json',
      params: idParams,
      response: { 200: assetResponse, ...errorResponses(404), 409: assetNotReady },
    },
  }, async (request, reply) => {
    const job = await deps.store.getJob(request.params.id);
    if (!job) return reply.code(404).send({ error: 'not_found', message: `no asset ${request.params.id}` });
    const view = jobViewer(deps)(job);
    if (job.state !== 'succeeded' || !view.asset) {
      return reply.code(409).send({ error: 'not_ready', message: `the asset is not ready: the job is ${job.state}`, job: view });
    }
    const manifest: unknown = JSON.parse(deps.assetStore
      ? await readObjectText(deps.assetStore, `${job.outputPrefix}/manifest.json`)
      : await readFile(path.join(deps.mediaRoot, job.outputPrefix, 'manifest.json'), 'utf8'));
    return { id: job.id, urls: view.asset, playableUrl: view.playableUrl, manifest };
  });
};
