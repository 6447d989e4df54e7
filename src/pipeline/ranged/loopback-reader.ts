// Serves a RangeSource to ffmpeg over HTTP on 127.0.0.1, so that ffmpeg's http protocol (which
// seeks with Range requests) reads only what its demuxer asks for, while the worker keeps control
// of every byte fetched: the fetch policy and the address pinning stay in the worker's code, no
// presigned URL or credential appears in ffmpeg's command line (which failures report), and the
// bytes moved are counted here. The path carries a random token; any other path is 404.
//
// ffmpeg asks for open-ended ranges (`bytes=N-`) and closes the connection when it seeks, so a
// response is fed in windows: one window fetched ahead of the one being written, the rest only as
// ffmpeg reads on. What a seek wastes is at most the windows in flight, and windows start small
// and double up to the largest (probing and seeking read a few KiB and go elsewhere; a chunk's
// encode reads on for megabytes).
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RangeSource } from './range-source.ts';

// From process.getBuiltinModule, not an ESM import: see src/pipeline/post-json.ts.
const { createServer } = process.getBuiltinModule('node:http');

export interface LoopbackReaderOptions {
  /** Bytes of the largest upstream read (default 1 MiB); the first of a response is 64 KiB at most. */
  windowBytes?: number;
  /** The file name ffmpeg sees (its extension helps probing), e.g. `source.mp4`. */
  fileName: string;
}

export const defaultWindowBytes = 1024 * 1024;
const firstWindowBytes = 64 * 1024;

export class LoopbackReader {
  readonly source: RangeSource;
  readonly #server: Server;
  readonly #token = randomBytes(16).toString('hex');
  readonly #windowBytes: number;
  readonly #fileName: string;
  readonly #open = new Set<AbortController>();
  #url = '';
  #fetched = 0;
  #requests = 0;
  #failure: unknown;

  private constructor(source: RangeSource, options: LoopbackReaderOptions) {
    this.source = source;
    this.#windowBytes = options.windowBytes ?? defaultWindowBytes;
    this.#fileName = options.fileName;
    this.#server = createServer((request, response) => void this.#handle(request, response));
  }

  /** Starts serving `source` on an ephemeral loopback port. */
  static async start(source: RangeSource, options: LoopbackReaderOptions): Promise<LoopbackReader> {
    const reader = new LoopbackReader(source, options);
    reader.#server.listen(0, '127.0.0.1');
    await once(reader.#server, 'listening');
    const { port } = reader.#server.address() as AddressInfo;
    reader.#url = `http://127.0.0.1:${port}/${reader.#token}/${reader.#fileName}`;
    return reader;
  }

  /** What ffmpeg opens (see `isLoopbackSourceUrl`). */
  get url(): string {
    return this.#url;
  }

  /** Bytes fetched from the source so far, read-ahead included. */
  get bytesFetched(): number {
    return this.#fetched;
  }

  /** Range requests ffmpeg made. */
  get requests(): number {
    return this.#requests;
  }

  /** The first upstream failure: what to report when ffmpeg then fails with a bare I/O error. */
  get failure(): unknown {
    return this.#failure;
  }

  async close(): Promise<void> {
    for (const controller of this.#open) controller.abort();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await this.source.close();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const size = this.source.size;
    if (request.url !== `/${this.#token}/${this.#fileName}`) return void response.writeHead(404).end();
    if (request.method !== 'GET' && request.method !== 'HEAD') return void response.writeHead(405, { allow: 'GET, HEAD' }).end();
    const range = parseRange(request.headers.range, size);
    if (range === 'unsatisfiable') return void response.writeHead(416, { 'content-range': `bytes */${size}` }).end();
    this.#requests++;
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const headers = { 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream', 'content-length': String(end + 1 - start) };
    if (range) response.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}` });
    else response.writeHead(200, headers);
    if (request.method === 'HEAD' || size === 0) return void response.end();

    const controller = new AbortController();
    this.#open.add(controller);
    // ffmpeg closed the connection (a seek, or it has read enough): stop fetching for it.
    response.on('close', () => controller.abort());
    let window = Math.min(firstWindowBytes, this.#windowBytes);
    const fetchWindow = (from: number): Promise<Buffer> => {
      const length = window;
      window = Math.min(window * 2, this.#windowBytes);
      const read = this.source.read(from, Math.min(from + length, end + 1) - 1, controller.signal).then((buffer) => {
        this.#fetched += buffer.length;
        return buffer;
      });
      read.catch(() => undefined);
      return read;
    };
    try {
      let position = start;
      let next: Promise<Buffer> | undefined = fetchWindow(position);
      while (next && !controller.signal.aborted) {
        const buffer: Buffer = await next;
        position += buffer.length;
        next = position <= end ? fetchWindow(position) : undefined;
        if (!response.write(buffer)) await drained(response, controller.signal);
      }
      response.end();
    } catch (error) {
      if (!controller.signal.aborted) {
        this.#failure ??= error;
        response.destroy();
      }
    } finally {
      controller.abort();
      this.#open.delete(controller);
    }
  }
}

/** A Range header's one range, clamped to the object; undefined for none (the whole object). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges, or another unit: answered with the whole object, as RFC 9110 allows.
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

function drained(response: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    response.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
