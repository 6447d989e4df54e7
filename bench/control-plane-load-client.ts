// The load side of bench/control-plane-load.bench.ts, in its own process so the load does not share
// an event loop with the service it measures. Opens `sseClients` streams on /v1/events, then sends
// the planned webhooks (signed Standard Webhooks POSTs to /hooks/generic) over `connections`
// concurrent requests, and waits until every stream has seen `expectReady` distinct asset.ready
// events (or the deadline). Prints one JSON line, the ClientReport.
//
//   node bench/control-plane-load-client.ts '<json ClientSpec>'
import http from 'node:http';
import { signStandardWebhook } from '../src/webhooks/standard-webhooks.ts';

/** One webhook to send: a fresh delivery, or the same delivery again (same id, same body: a retry). */
export interface PlannedWebhook {
  webhookId: string;
  body: string;
}

export interface ClientSpec {
  url: string;
  secret: string;
  connections: number;
  sseClients: number;
  webhooks: PlannedWebhook[];
  expectReady: number;
  deadlineMs: number;
}

export interface ClientReport {
  /** Status code → count. */
  statusCodes: Record<string, number>;
  /** Distinct job ids the 2xx answers named. */
  jobIds: string[];
  webhookSeconds: number;
  sse: {
    opened: number;
    /** Streams that ended before the run did (closed by the server or failed). */
    endedEarly: number;
    /** Streams that saw every expected asset.ready. */
    complete: number;
    /** Fewest / most events one stream received. */
    minEvents: number;
    maxEvents: number;
    /** Milliseconds from the first webhook until the last stream saw its last asset.ready. */
    allReadyMs: number | undefined;
  };
}

interface SseClient {
  events: number;
  ready: Set<string>;
  ended: boolean;
  request: http.ClientRequest;
}

/** A raw SSE reader (node:http, no pooling): counts events and the job ids of asset.ready. */
function openStream(base: URL): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: base.hostname, port: base.port, path: '/v1/events', agent: false, headers: { accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`/v1/events answered ${response.statusCode}`));
        response.resume();
        return;
      }
      const client: SseClient = { events: 0, ready: new Set(), ended: false, request };
      let buffer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          if (event === undefined) continue;
          client.events += 1;
          if (event === 'asset.ready') {
            const data = /^data: (.+)$/m.exec(block)?.[1];
            const id = data ? (JSON.parse(data) as { job?: { id?: string } }).job?.id : undefined;
            if (id) client.ready.add(id);
          }
        }
      });
      response.on('close', () => { client.ended = true; });
      resolve(client);
    });
    request.on('error', reject);
  });
}

function post(base: URL, secret: string, hook: PlannedWebhook): Promise<{ status: number; jobIds: string[] }> {
  const timestamp = Math.floor(Date.now() / 1000);
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: base.hostname, port: base.port, path: '/hooks/generic', method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': hook.webhookId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signStandardWebhook(secret, hook.webhookId, timestamp, hook.body),
      },
    }, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; });
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        let jobIds: string[] = [];
        if (status >= 200 && status < 300) jobIds = ((JSON.parse(text) as { jobIds?: string[] }).jobIds ?? []);
        resolve({ status, jobIds });
      });
    });
    request.on('error', reject);
    request.end(hook.body);
  });
}

const arg = process.argv[2];
if (!arg) throw new Error('usage: node bench/control-plane-load-client.ts <json ClientSpec>');
const spec = JSON.parse(arg) as ClientSpec;
const base = new URL(spec.url);
// A keep-alive pool of `connections` sockets for the webhooks, as a recorder fleet would hold.
http.globalAgent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });

const clients: SseClient[] = [];
// Opened a few dozen at a time: 500 connects at once would measure the accept queue, not the service.
for (let i = 0; i < spec.sseClients; i += 50) {
  clients.push(...await Promise.all(Array.from({ length: Math.min(50, spec.sseClients - i) }, () => openStream(base))));
}
process.stderr.write(`load: ${clients.length} SSE streams open\n`);

const statusCodes: Record<string, number> = {};
const jobIds = new Set<string>();
const started = performance.now();
let next = 0;
await Promise.all(Array.from({ length: spec.connections }, async () => {
  while (next < spec.webhooks.length) {
    const hook = spec.webhooks[next++];
    if (!hook) break;
    const { status, jobIds: ids } = await post(base, spec.secret, hook);
    statusCodes[status] = (statusCodes[status] ?? 0) + 1;
    for (const id of ids) jobIds.add(id);
  }
}));
const webhookSeconds = (performance.now() - started) / 1000;
process.stderr.write(`load: ${spec.webhooks.length} webhooks answered in ${webhookSeconds.toFixed(2)} s: ${JSON.stringify(statusCodes)}\n`);

const deadline = Date.now() + spec.deadlineMs;
const done = (client: SseClient) => client.ready.size >= spec.expectReady;
while (!clients.every((client) => done(client) || client.ended) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
const allReadyMs = clients.every(done) ? performance.now() - started : undefined;
const counts = clients.map((client) => client.events);
const report: ClientReport = {
  statusCodes,
  jobIds: [...jobIds],
  webhookSeconds,
  sse: {
    opened: clients.length,
    endedEarly: clients.filter((client) => client.ended).length,
    complete: clients.filter(done).length,
    minEvents: Math.min(...counts),
    maxEvents: Math.max(...counts),
    allReadyMs,
  },
};
for (const client of clients) client.request.destroy();
http.globalAgent.destroy();
process.stdout.write(`${JSON.stringify(report)}\n`);
