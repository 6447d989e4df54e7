// Server-sent events: /v1/jobs/:id/events (its log so far, then live changes) and /v1/events
// (every job's state and progress). A comment line every 15 s keeps proxies from closing idle streams.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JobChange } from '../../jobs/job-events.ts';
import type { AppDeps } from '../app-deps.ts';
import { toApiJob } from '../job-view.ts';

export async function eventRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // Open streams never end by themselves: end them when the app closes, or close() (and with it a
  // graceful shutdown of `live2vod serve`) would wait for every client to hang up.
  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of [...openStreams]) end();
  });

  app.get<{ Params: { id: string } }>('/v1/jobs/:id/events', async (request, reply) => {
    const job = await deps.store.getJob(request.params.id);
    if (!job) return reply.code(404).send({ error: 'not_found', message: `no job ${request.params.id}` });
    const stream = open(request, reply, openStreams);
    const lastId = Number(request.headers['last-event-id'] ?? 0);
    for (const event of await deps.store.listEvents(job.id, Number.isFinite(lastId) ? lastId : 0)) {
      stream.send(event.type, { jobId: job.id, at: event.at, ...event.data }, String(event.id));
    }
    stream.send('job.snapshot', toApiJob(job, deps.assetDirUrl));
    stream.follow(deps.events.subscribe((change) => {
      if (change.job.id === job.id) stream.send(change.type, changePayload(change, deps));
    }));
    return reply;
  });

  app.get('/v1/events', async (request, reply) => {
    const stream = open(request, reply, openStreams);
    stream.follow(deps.events.subscribe((change) => stream.send(change.type, changePayload(change, deps))));
    return reply;
  });
}

function changePayload(change: JobChange, deps: AppDeps) {
  return { at: change.at, ...change.data, job: toApiJob(change.job, deps.assetDirUrl) };
}

function open(request: FastifyRequest, reply: FastifyReply, openStreams: Set<() => void>) {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.write('retry: 2000\n\n');
  const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
  const cleanups: (() => void)[] = [() => clearInterval(keepAlive)];
  let closed = false;
  const cleanUp = (): void => {
    closed = true;
    for (const c of cleanups.splice(0)) c();
  };
  const end = (): void => {
    cleanUp();
    if (!raw.writableEnded) raw.end();
  };
  openStreams.add(end);
  cleanups.push(() => openStreams.delete(end));
  request.raw.once('close', cleanUp);
  return {
    send(event: string, data: unknown, id?: string): void {
      if (raw.writableEnded) return;
      raw.write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    follow(unsubscribe: () => void): void {
      // The client may have gone while the log was being read.
      if (closed) unsubscribe();
      else cleanups.push(unsubscribe);
    },
  };
}
