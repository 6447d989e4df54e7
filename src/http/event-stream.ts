// One server-sent event stream on a hijacked reply, bounded: what waits for a slow client is
// capped (progress is dropped while the socket is backed up, since the next one supersedes it; past
// maxBufferedBytes the stream is closed and the client reconnects, resuming from Last-Event-ID),
// and the number of open streams is capped by the registry.
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface StreamLimits {
  max: number;
  maxBufferedBytes: number;
}

/** The open streams of one app, to end them when it closes and to count them. */
export class StreamRegistry {
  readonly #ends = new Set<() => void>();
  readonly limits: StreamLimits;

  constructor(limits: StreamLimits) {
    this.limits = limits;
  }

  get size(): number {
    return this.#ends.size;
  }

  add(end: () => void): () => void {
    this.#ends.add(end);
    return () => this.#ends.delete(end);
  }

  endAll(): void {
    for (const end of [...this.#ends]) end();
  }
}

export interface EventStream {
  send(event: string, data: unknown, id?: string): void;
  /** Ties a subscription to the stream: undone when the stream ends (at once if it has). */
  follow(unsubscribe: () => void): void;
  readonly closed: boolean;
  end(): void;
}

/** Events a later one supersedes: safe to drop for a client that is behind. */
const droppable = new Set(['job.progress']);

/** Undefined (after answering 503) when the registry is full. */
export function openEventStream(request: FastifyRequest, reply: FastifyReply, registry: StreamRegistry): EventStream | undefined {
  if (registry.size >= registry.limits.max) {
    void reply.code(503).header('retry-after', '5').send({ error: 'too_many_streams', message: `${registry.limits.max} event streams are open (server.eventStreams.max); try again shortly` });
    return undefined;
  }
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.write('retry: 2000\n\n');
  const keepAlive = setInterval(() => write(': keep-alive\n\n'), 15_000);
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
  cleanups.push(registry.add(end));
  request.raw.once('close', cleanUp);

  function write(text: string): void {
    if (closed || raw.writableEnded) return;
    if (raw.writableLength + text.length > registry.limits.maxBufferedBytes) {
      // A client this far behind is not reading: let it go rather than hold its backlog.
      request.log.warn({ buffered: raw.writableLength, url: request.url }, 'closing an event stream whose client does not keep up');
      cleanUp();
      raw.destroy();
      return;
    }
    raw.write(text);
  }

  return {
    send(event, data, id) {
      if (droppable.has(event) && raw.writableNeedDrain) return;
      write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    follow(unsubscribe) {
      // The client may have gone while the log was being read.
      if (closed) unsubscribe();
      else cleanups.push(unsubscribe);
    },
    get closed() {
      return closed;
    },
    end,
  };
}
