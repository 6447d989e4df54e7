// The dashboard's pages: the job list at / and one job at /jobs/<id>. Both are static HTML
// shells (src/web/*.html, sharing page-header.html; see dashboard-shell.ts); their ES modules fetch everything through the /v1 API, so the pages
// themselves carry no data and need no token. The CSP allows scripts and styles from this
// origin only; media, images and API-like fetches may go elsewhere, because assets can live on a
// CDN or be redirected to presigned bucket URLs.
import { readFile } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { composePage } from '../dashboard-shell.ts';
import { webRoot } from './dashboard-assets.ts';

const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: https: http:",
  "media-src 'self' blob: https: http:",
  "connect-src 'self' https: http:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** What /jobs/<id> accepts: job ids are UUIDs; anything else is not a job. */
const jobIdPattern = /^[A-Za-z0-9-]{1,64}$/;

export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  const read = (name: string): Promise<string> => readFile(new URL(name, webRoot), 'utf8');
  const [header, list, one] = await Promise.all([read('page-header.html'), read('index.html'), read('job.html')]);
  const listPage = composePage(list, header);
  const jobPage = composePage(one, header);

  // HTML shells for people, not API operations: left out of the OpenAPI document.
  const notApi = { schema: { hide: true } };
  app.get('/', notApi, async (_request, reply) => page(reply, 200, listPage));
  app.get<{ Params: { id: string } }>('/jobs/:id', notApi, async (request, reply) => {
    if (!jobIdPattern.test(request.params.id)) return page(reply, 404, notFoundPage);
    return page(reply, 200, jobPage);
  });
}

function page(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', contentSecurityPolicy)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    // The shell changes only with a release, but must never be stale after one.
    .header('cache-control', 'no-cache')
    .send(html);
}

const notFoundPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not found · live2vod</title><link rel="stylesheet" href="/ui/app.css"></head>
<body><main id="main"><h1>No such job</h1><p>This is not a job address. <a href="/">Back to all jobs</a></p></main></body></html>`;
