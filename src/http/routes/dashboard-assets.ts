// The dashboard's static files under /ui/: its ES modules, CSS and icon from src/web (served as
// they are: plain JavaScript with JSDoc types, no build step), and hls.js's ES module build from
// node_modules, so the dashboard works offline and without a CDN.
import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const webRoot = new URL('../../web/', import.meta.url);

/** Only the browser's files; not the HTML shells (routes of their own), tsconfig or type declarations. */
const servedFile = /^\/[a-z0-9-]+\.(js|css|svg)$/;

const hlsModule = fileURLToPath(import.meta.resolve('hls.js/dist/hls.min.mjs'));

export async function dashboardAssetRoutes(app: FastifyInstance): Promise<void> {
  app.get('/ui/vendor/hls.mjs', { schema: { hide: true } }, async (_request, reply) => reply
    .type('text/javascript; charset=utf-8')
    .header('cache-control', 'public, max-age=86400')
    .header('x-content-type-options', 'nosniff')
    .send(createReadStream(hlsModule)));

  await app.register(fastifyStatic, {
    root: fileURLToPath(webRoot),
    prefix: '/ui/',
    decorateReply: false,
    index: false,
    allowedPath: (pathName) => servedFile.test(pathName),
    // Revalidated on every load (ETag): a new release takes effect at once.
    cacheControl: false,
    setHeaders: (res: { setHeader(name: string, value: string): void }) => {
      res.setHeader('cache-control', 'no-cache');
      res.setHeader('x-content-type-options', 'nosniff');
    },
  });
}
