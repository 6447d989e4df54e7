// GET /v1/assets/:id: the finished asset's manifest.json with absolute URLs.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.ts';
import { jobViewer } from '../job-view.ts';

export async function assetRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get<{ Params: { id: string } }>('/v1/assets/:id', async (request, reply) => {
    const job = await deps.store.getJob(request.params.id);
    if (!job) return reply.code(404).send({ error: 'not_found', message: `no asset ${request.params.id}` });
    const view = jobViewer(deps)(job);
    if (job.state !== 'succeeded' || !view.asset) {
      return reply.code(409).send({ error: 'not_ready', message: `the asset is not ready: the job is ${job.state}`, job: view });
    }
    const manifest: unknown = JSON.parse(deps.assetStore
      ? await text(await deps.assetStore.get(`${job.outputPrefix}/manifest.json`))
      : await readFile(path.join(deps.mediaRoot, job.outputPrefix, 'manifest.json'), 'utf8'));
    return { id: job.id, urls: view.asset, playableUrl: view.playableUrl, manifest };
  });
}

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
