// Server-sent events: /v1/jobs/:id/events (its log so far, then live changes) and /v1/events
// (every job's state and progress). A comment line every 15 s keeps proxies from closing idle
// streams; event-stream.ts bounds what one stream holds and how many are open.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { JobChange } from '../../jobs/job-events.ts';
import { errorResponses, idParams, serverSentEvents } from '../api-schemas.ts';
import type { AppDeps } from '../app-deps.ts';
import { openEventStream, StreamRegistry } from '../event-stream.ts';
import { jobViewer, serverPathsOf } from '../job-view.ts';

/** Changes that arrive while the log is read wait here; a job this busy closes the stream instead. */
const maxPendingChanges = 1000;

export const eventRoutes: FastifyPluginAsyncZod<AppDeps> = async (app, deps) => {
  // Open streams never end by themselves: end them when the app closes, or close() (and with it a
  // graceful shutdown of `live2vod serve`) would wait for every client to hang up.
  const registry = new StreamRegistry(deps.config.server.eventStreams);
  app.addHook('preClose', async () => registry.endAll());
  const view = jobViewer(deps);
  const paths = serverPathsOf(deps.config);
  const payload = (change: JobChange) => ({ at: change.at, ...change.data, job: view(change.job) });

  app.get('/v1/jobs/:id/events', {
    schema: {
      summary: 'Server-sent events of one job: its log, then live state and progress (503 past server.eventStreams.max open streams)',
      params: idParams,
      response: { 200: serverSentEvents, ...errorResponses(404, 503) },
    },
  }, async (request, reply) => {
    const found = await deps.store.getJob(request.params.id);
    if (!found) return reply.code(404).send({ error: 'not_found', message: `no job ${request.params.id}` });
    const stream = openEventStream(request, reply, registry);
    if (!stream) return reply;
    // Subscribe first, then replay the log: a change made while the log is read waits in
    // `pending` instead of falling between the two.
    let pending: JobChange[] | undefined = [];
    stream.follow(deps.events.subscribe((change) => {
      if (change.job.id !== found.id) return;
      if (pending === undefined) {
        stream.send(change.type, payload(change));
        return;
      }
      pending.push(change);
      if (pending.length > maxPendingChanges) stream.end();
    }));
    const lastId = Number(request.headers['last-event-id'] ?? 0);
    const replayed = new Set<string>();
    for (const event of await deps.store.listEvents(found.id, Number.isFinite(lastId) ? lastId : 0)) {
      replayed.add(`${event.type} ${event.at}`);
      stream.send(event.type, { jobId: found.id, at: event.at, ...paths.record(event.data) }, String(event.id));
    }
    stream.send('job.snapshot', view((await deps.store.getJob(found.id)) ?? found));
    const waiting = pending;
    pending = undefined;
    // A change both stored and emitted while the log was read was replayed already.
    for (const change of waiting) if (!replayed.has(`${change.type} ${change.at}`)) stream.send(change.type, payload(change));
    return reply;
  });

  app.get('/v1/events', {
    schema: {
      summary: 'Server-sent events of every job (503 past server.eventStreams.max open streams)',
      response: { 200: serverSentEvents, ...errorResponses(503) },
    },
  }, async (request, reply) => {
    const stream = openEventStream(request, reply, registry);
    if (!stream) return reply;
    stream.follow(deps.events.subscribe((change) => stream.send(change.type, payload(change))));
    return reply;
  });
};
