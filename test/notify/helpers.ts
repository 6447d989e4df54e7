// Shared test helpers for notifications: a real HTTP receiver on 127.0.0.1 that verifies
// Standard Webhooks signatures independently of src/, a settable clock, a Job fixture, waitFor.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Job } from '../../src/jobs/job.ts';

/** 32 bytes, base64. */
export const testSecret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Result of verifying webhook-signature against `secret`, recomputed here. */
  signatureValid: boolean;
}

/** What the receiver does with one request: answer with a status, or never answer. */
export type Reply = number | 'hang' | { status: number; body: string };

/** Standard Webhooks verification, written from the spec, not from src/notify/sign.ts. */
export function verifySignature(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (!/^\d+$/.test(timestamp)) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  // The header is a space-separated list of `v1,<base64>`; one match suffices.
  return signatures.split(' ').some((entry) => {
    const [versionTag, encoded] = entry.split(',');
    if (versionTag !== 'v1' || encoded === undefined) return false;
    const candidate = Buffer.from(encoded, 'base64');
    return candidate.length === expected.length && timingSafeEqual(candidate, expected);
  });
}

export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  /** Replies in order; when exhausted, `fallback`. */
  readonly replies: Reply[] = [];
  fallback: Reply = 200;
  /** Milliseconds to wait before answering. */
  delayMs = 0;
  active = 0;
  maxActive = 0;
  readonly #server: Server;
  readonly #secret: string;
  readonly #hanging: ServerResponse[] = [];

  private constructor(secret: string) {
    this.#secret = secret;
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, signatureValid: verifySignature(this.#secret, req.headers, body) });
        const reply = this.replies.shift() ?? this.fallback;
        if (reply === 'hang') {
          this.#hanging.push(res);
          return;
        }
        this.active++;
        this.maxActive = Math.max(this.maxActive, this.active);
        setTimeout(() => {
          this.active--;
          const { status, body: text } = typeof reply === 'number' ? { status: reply, body: '' } : reply;
          res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
        }, this.delayMs);
      });
    });
  }

  /** `port`: a given one, e.g. to come back where a receiver that went down listened. */
  static async start(secret: string = testSecret, port = 0): Promise<Receiver> {
    const receiver = new Receiver(secret);
    await new Promise<void>((resolve) => receiver.#server.listen(port, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/hooks/live2vod`;
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.#server.close((err) => (err ? reject(err) : resolve())));
  }
}

/** A clock the test moves by hand. */
export class TestClock {
  #ms: number;
  constructor(start = '2025-06-01T12:00:00.000Z') {
    this.#ms = Date.parse(start);
  }
  readonly now = (): Date => new Date(this.#ms);
  advance(ms: number): void {
    this.#ms += ms;
  }
}

export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function makeJob(overrides: Partial<Job> = {}): Job {
  return {
    id: 'job_01',
    seq: 1,
    kind: 'transcode',
    idempotencyKey: 'nginx-rtmp:live/cam1:1',
    source: '/recordings/live/cam1-1717243200.flv',
    sourceKind: 'nginx-rtmp',
    priority: 'normal',
    state: 'running',
    progress: 0.25,
    attempts: 1,
    maxAttempts: 3,
    outputPrefix: 'assets/job_01',
    metadata: {},
    sourceFacts: {},
    cancelRequested: false,
    createdAt: '2025-06-01T11:59:00.000Z',
    updatedAt: '2025-06-01T12:00:00.000Z',
    ...overrides,
  };
}
