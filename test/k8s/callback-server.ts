// A stand-in for the control plane's internal report endpoint: records every report a worker
// POSTs, with the bearer token it used.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedReport {
  path: string;
  token: string;
  body: { type: string; [key: string]: unknown };
}

export class CallbackServer {
  readonly reports: ReceivedReport[] = [];
  readonly #server: Server;
  #url = '';

  private constructor() {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const auth = req.headers.authorization ?? '';
        this.reports.push({ path: req.url ?? '', token: auth.replace(/^Bearer /, ''), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedReport['body'] });
        res.writeHead(204).end();
      });
    });
  }

  static async start(): Promise<CallbackServer> {
    const server = new CallbackServer();
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    server.#url = `http://127.0.0.1:${(server.#server.address() as AddressInfo).port}`;
    return server;
  }

  url(route: string): string {
    return `${this.#url}${route}`;
  }

  ofType(type: string): ReceivedReport[] {
    return this.reports.filter((r) => r.body.type === type);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
