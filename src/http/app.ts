// Builds the Fastify app from its dependencies. No sockets: tests call app.inject().
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { apiError } from './api-schemas.ts';
import type { AppDeps } from './app-deps.ts';
import { apiAccess } from './api-access.ts';
import { bearerAuth } from './auth.ts';
import { errorHandler } from './error-handler.ts';
import { documentBearerAuth, registerOpenApi } from './openapi.ts';
import { assetRoutes } from './routes/assets.ts';
import { chapterRoutes } from './routes/chapters.ts';
import { dashboardAssetRoutes } from './routes/dashboard-assets.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { eventRoutes } from './routes/events.ts';
import { healthRoutes } from './routes/health.ts';
import { hookRoutes } from './routes/hooks.ts';
import { internalRoutes } from './routes/internal.ts';
import { clipRoutes } from './routes/clips.ts';
import { jobRoutes } from './routes/jobs.ts';
import { uploadRoutes } from './routes/uploads.ts';
import { signedMediaRoutes } from './routes/signed-media.ts';
import { zodSerializerCompiler, zodValidatorCompiler } from './schema-compilers.ts';

export async function buildApp(deps: AppDeps, logger?: FastifyBaseLogger): Promise<FastifyInstance> {
  const app = Fastify({
    // Request logs at warn and above only: one info line per webhook would cost more than the webhook.
    ...(logger ? { loggerInstance: logger.child({}, { level: 'warn' }) } : { logger: false }),
    bodyLimit: deps.config.server.bodyLimitBytes,
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(zodSerializerCompiler);
  app.setErrorHandler(errorHandler(deps.config.server.bodyLimitBytes));
  // In the API's {error, message} shape, and without the query string: it may hold a hook's token.
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'not_found', message: `nothing is served at ${request.method} ${request.url.split('?')[0] ?? ''}` }));
  await registerOpenApi(app);

  await app.register(healthRoutes, deps);
  await app.register(hookRoutes, deps);
  await app.register(internalRoutes, deps);
  await app.register(async (api) => {
    api.addHook('onRequest', bearerAuth(apiAccess(deps.config)));
    documentBearerAuth(api);
    await api.register(jobRoutes, deps);
    await api.register(clipRoutes, deps);
    await api.register(uploadRoutes, deps);
    await api.register(eventRoutes, deps);
    await api.register(assetRoutes, deps);
    await api.register(chapterRoutes, deps);
  });
  if (deps.mediaTokenKey) {
    const media = deps.assetStore ? { kind: 'store' as const, assetStore: deps.assetStore } : { kind: 'local' as const, root: deps.mediaRoot };
    await app.register(signedMediaRoutes, { media, mediaTokenKey: deps.mediaTokenKey });
  }
  if (deps.mediaTokenKey && !deps.assetStore) {
    // Local media behind signed links: the plain paths say where the links come from.
    app.get('/media/*', { schema: { summary: 'Local media, not served while API tokens are set', response: { 403: apiError } } }, async (_request, reply) => reply.code(403).send({
      error: 'forbidden',
      message: 'media needs a signed link while API tokens are set: take the URLs from the API (GET /v1/jobs/<id>), or set storage.publicLocalMedia: true to serve it publicly',
    }));
  } else {
    await app.register(fastifyStatic, { root: deps.mediaRoot, prefix: '/media/', decorateReply: false, cacheControl: false, setHeaders: mediaHeaders });
  }
  await app.register(dashboardRoutes);
  await app.register(dashboardAssetRoutes);
  return app;
}

/** Playlists change until an asset is complete; segments never do. */
function mediaHeaders(res: { setHeader(name: string, value: string): void }, file: string): void {
  const immutable = /\.(m4s|mp4|jpg)$/.test(file);
  res.setHeader('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=2');
  res.setHeader('access-control-allow-origin', '*');
  if (file.endsWith('.m3u8')) res.setHeader('content-type', 'application/vnd.apple.mpegurl');
  else if (file.endsWith('.mpd')) res.setHeader('content-type', 'application/dash+xml');
  else if (file.endsWith('.m4s')) res.setHeader('content-type', 'video/iso.segment');
  else if (file.endsWith('.vtt')) res.setHeader('content-type', 'text/vtt; charset=utf-8');
}
