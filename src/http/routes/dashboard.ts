// GET /: a minimal status page until the dashboard (its own issue) lands: what runs, and where.
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../app-deps.ts';

export async function dashboardRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.get('/', async (_request, reply) => {
    const counts = await deps.store.countByStateAndPriority();
    const rows = counts.map((c) => `<tr><td>${c.state}</td><td>${c.priority}</td><td>${c.count}</td></tr>`).join('');
    return reply.type('text/html; charset=utf-8').send(`<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>live2vod</title><body style="font-family:system-ui;max-width:48rem;margin:2rem auto;padding:0 1rem">
<h1>live2vod</h1><p>Jobs: <a href="/v1/jobs">/v1/jobs</a> · API: <a href="/openapi.json">/openapi.json</a> · Live events: <a href="/v1/events">/v1/events</a> · <a href="/metrics">/metrics</a></p>
<table><thead><tr><th>state</th><th>priority</th><th>jobs</th></tr></thead><tbody>${rows || '<tr><td colspan="3">no jobs yet</td></tr>'}</tbody></table></body></html>`);
  });
}
