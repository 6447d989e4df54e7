// Downloads an http(s) source into a local scratch file, safe against server-side request forgery:
// every hop's host is resolved once, every resolved address is checked by the AddressPolicy, and
// the socket connects to exactly those vetted addresses (a pinned `lookup`, so a second DNS answer
// cannot rebind the name to an internal address). TLS still verifies and sends SNI for the
// original host name. Redirects are followed by hand and re-checked (scheme and address) on every
// hop. The size limit is enforced on Content-Length before the body is read and again while
// streaming; an overall timeout and the caller's signal abort the download. A failed download
// leaves no file behind. Error messages name the origin only (never the path, query or
// credentials of a possibly presigned URL) and never include a response body.

import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { RequestOptions } from 'node:https';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP, type Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CancelledError, ExitCode, InputError, Live2vodError } from '../errors/index.ts';
import { version } from '../version.ts';
import { AddressPolicy, canonicalIp, type ResolvedAddress, type VetResult } from './address-policy.ts';
import { asOutputError } from './fs-errors.ts';
import { httpClientFor } from './post-json.ts';
import { describeStall, StallWatch, type StallLimits } from './stall-watch.ts';

export interface FetchHttpSourceOptions {
  policy: AddressPolicy;
  /** The most bytes the body may have; more is refused (Content-Length) or aborted (streaming). */
  maxBytes: number;
  /** For the whole download: DNS, connections, redirects and the body. */
  timeoutMs: number;
  /** Fails the download (retryably) when nothing arrives for idleTimeoutMs or it is too slow over a window; absent: no such limit. */
  stall?: StallLimits;
  /** Redirects followed at most; 5 by default. */
  maxRedirects?: number;
  signal?: AbortSignal;
  /** Called as the body arrives; `total` is the Content-Length when the server sent one. */
  onProgress?: (bytes: number, total?: number) => void;
}

export interface FetchHttpSourceResult {
  bytes: number;
  /** The URL the body came from, after redirects. */
  finalUrl: string;
  contentType?: string;
}

const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** A transient failure: the job layer retries it (exit code 1). */
export class SourceFetchError extends Live2vodError {
  readonly status?: number;
  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { exitCode: ExitCode.internal, retryable: true, cause: options.cause });
    if (options.status !== undefined) this.status = options.status;
  }
}

/** The source was refused or cannot be fetched as given: never retried (exit code 3). */
export class SourceRefusedError extends InputError {
  readonly status?: number;
  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    if (options.status !== undefined) this.status = options.status;
  }
}

/** scheme://host[:port] only: paths and queries of presigned URLs carry credentials. */
export function origin(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

function describeTarget(text: string): string {
  try {
    const url = new URL(text);
    return url.host === '' ? `${url.protocol} URL` : origin(url);
  } catch {
    return 'an unparsable URL';
  }
}

export function parseSourceUrl(text: string, policy: AddressPolicy, context: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SourceRefusedError(`${context} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SourceRefusedError(
      `${context} uses ${url.protocol.replace(/:$/, '')}:, which is refused: only http: and https: sources can be downloaded (the ${policy.setting} allowlist does not change this)`,
    );
  }
  if (url.hostname === '') throw new SourceRefusedError(`${context} has no host`);
  return url;
}

export function defaultPort(url: URL): number {
  return url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that answers with the vetted addresses only, whatever the name. */
function pinnedLookup(addresses: readonly ResolvedAddress[]): (hostname: string, options: LookupOptions, callback: LookupCallback) => void {
  return (_hostname, options, callback) => {
    const usable = options.family === 4 || options.family === 6 ? addresses.filter((entry) => entry.family === options.family) : addresses;
    const first = usable[0];
    if (first === undefined) {
      const error: NodeJS.ErrnoException = new Error('no vetted address of the requested family');
      error.code = 'ENOTFOUND';
      process.nextTick(callback, error, '', 0);
      return;
    }
    if (options.all === true) process.nextTick(callback, null, usable.map((entry) => ({ address: entry.address, family: entry.family })));
    else process.nextTick(callback, null, first.address, first.family);
  };
}

const certificateErrors: ReadonlySet<string> = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Which of our own aborts fired, so errors can be told apart from network failures. */
export interface AbortState {
  signal: AbortSignal;
  timedOut: boolean;
  cancelled: boolean;
  /** Set when the stall watch aborted: the message that says which limit. */
  stalled?: string;
}

/** One GET to exactly the vetted addresses; `headers` adds to ours (a Range). */
export function sendRequest(url: URL, addresses: readonly ResolvedAddress[], abort: AbortState, headers: Readonly<Record<string, string>> = {}): Promise<IncomingMessage> {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const host = hostOf(url);
    const vetted = new Set(addresses.map((entry) => canonicalIp(entry.address)));
    const options: RequestOptions = {
      method: 'GET',
      protocol: url.protocol,
      host,
      port: defaultPort(url),
      path: `${url.pathname}${url.search}`,
      headers: { ...headers, host: url.host, 'user-agent': `live2vod/${version}`, accept: '*/*', 'accept-encoding': 'identity' },
      // A fresh agent per hop: no pooled socket to another address is ever reused.
      agent: false,
      lookup: pinnedLookup(addresses),
      signal: abort.signal,
    };
    if (url.username !== '' || url.password !== '') options.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    if (url.protocol === 'https:' && isIP(host) === 0) options.servername = host;
    const request = httpClientFor(url).request(options, resolve);
    request.on('error', reject);
    // Belt and braces: the socket must have reached a vetted address.
    request.on('socket', (socket: Socket) => {
      const verify = (): void => {
        const remote = socket.remoteAddress === undefined ? undefined : canonicalIp(socket.remoteAddress);
        if (remote === undefined || !vetted.has(remote)) request.destroy(Object.assign(new Error('connected to an address that was not vetted'), { code: 'EUNVETTED' }));
      };
      if (socket.remoteAddress !== undefined && !socket.connecting) verify();
      else socket.once('connect', verify);
    });
    request.end();
  });
}

export function discard(response: IncomingMessage): void {
  response.on('error', () => {});
  response.destroy();
}

/** Counts bytes, enforces the limit before a chunk is written, reports progress. */
class LimitCounter extends Transform {
  bytes = 0;
  /** Told of every chunk that passes (the stall watch). */
  onChunk: ((bytes: number) => void) | undefined;
  readonly #maxBytes: number;
  readonly #total: number | undefined;
  readonly #onProgress: ((bytes: number, total?: number) => void) | undefined;
  readonly #where: string;

  constructor(maxBytes: number, total: number | undefined, onProgress: ((bytes: number, total?: number) => void) | undefined, where: string) {
    super();
    this.#maxBytes = maxBytes;
    this.#total = total;
    this.#onProgress = onProgress;
    this.#where = where;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.bytes + chunk.length > this.#maxBytes) {
      callback(tooLarge(this.#where, `more than ${this.#maxBytes} bytes arrived`, this.#maxBytes));
      return;
    }
    this.bytes += chunk.length;
    this.onChunk?.(chunk.length);
    try {
      if (this.#total === undefined) this.#onProgress?.(this.bytes);
      else this.#onProgress?.(this.bytes, this.#total);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback(null, chunk);
  }
}

function tooLarge(where: string, what: string, maxBytes: number): SourceRefusedError {
  return new SourceRefusedError(`the source at ${where} is too large: ${what}, the limit is ${maxBytes} bytes; raise the source size limit to download it`);
}

export function statusError(status: number, where: string): Live2vodError {
  if (status >= 500 || status === 408 || status === 429) {
    return new SourceFetchError(`the source at ${where} answered HTTP ${status}; try again later`, { status });
  }
  if (status === 401 || status === 403) {
    return new SourceRefusedError(`the source at ${where} answered HTTP ${status} (access denied): the URL needs valid credentials or a fresh presigned signature`, { status });
  }
  if (status === 404 || status === 410) {
    return new SourceRefusedError(`the source at ${where} answered HTTP ${status} (not found): check the URL`, { status });
  }
  if (status >= 300 && status < 400) {
    return new SourceRefusedError(`the source at ${where} answered HTTP ${status} without a redirect that can be followed`, { status });
  }
  return new SourceRefusedError(`the source at ${where} answered HTTP ${status}`, { status });
}

/** Turns whatever went wrong into a Live2vodError that says what to do. */
function classifyFailure(error: unknown, abort: AbortState, where: string, file: string, timeoutMs: number): unknown {
  if (abort.cancelled) return new CancelledError(`download of ${where} cancelled`);
  if (abort.stalled !== undefined) return new SourceFetchError(abort.stalled, { cause: error });
  if (abort.timedOut) return new SourceFetchError(`the download of ${where} timed out after ${timeoutMs} ms; try again, or raise the download timeout for large sources`, { cause: error });
  if (error instanceof Live2vodError) return error;
  const errno = error as NodeJS.ErrnoException | undefined;
  if (errno?.path === file) return asOutputError(error, `the scratch file ${file}`);
  return networkFailure(error, where, 'download');
}

/**
 * What a failed connection to a source means, from its error code: a certificate or a missing host
 * is the user's to fix (refused, not retried), anything else is worth another try. `action` names
 * what failed ("download", "read").
 */
export function networkFailure(error: unknown, where: string, action: string): Live2vodError {
  const errno = error as NodeJS.ErrnoException | undefined;
  const code = typeof errno?.code === 'string' ? errno.code : undefined;
  if (code !== undefined && certificateErrors.has(code)) {
    return new SourceRefusedError(
      `the TLS certificate of ${where} could not be verified (${code}); fix the certificate, or trust its CA with NODE_EXTRA_CA_CERTS`,
      { cause: error },
    );
  }
  if (code === 'ENOTFOUND' || code === 'ENODATA') return new SourceRefusedError(`the host of ${where} does not exist (${code}): check the URL`, { cause: error });
  if (code === 'EUNVETTED') return new SourceRefusedError(`the connection to ${where} reached an address that was not vetted; refused`, { cause: error });
  return new SourceFetchError(`could not ${action} ${where}: network error (${code ?? (error instanceof Error ? error.name : 'unknown')}); try again`, { cause: error });
}

/** Rejects when `signal` aborts; resolves with the promise otherwise. dns.lookup cannot be aborted. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export interface VettedResponse {
  response: IncomingMessage;
  /** The URL that answered, after redirects. */
  url: URL;
  /** The vetted addresses of its host: later requests to it connect to these only. */
  addresses: readonly ResolvedAddress[];
}

/**
 * GETs `text` (http: or https: only), following redirects by hand: every hop's scheme is checked
 * and its host resolved once and vetted by `policy`, and the socket connects to exactly those
 * addresses. Answers the first response that is not a followed redirect, whatever its status.
 * `classify` turns a resolver or network error into the caller's error.
 */
export async function openVettedResponse(
  text: string,
  policy: AddressPolicy,
  abort: AbortState,
  options: { maxRedirects: number; headers?: Readonly<Record<string, string>>; classify: (error: unknown, where: string) => unknown },
): Promise<VettedResponse> {
  const { maxRedirects, classify } = options;
  let current = parseSourceUrl(text, policy, `the source URL (${describeTarget(text)})`);
  for (let hop = 0; ; hop++) {
    const where = origin(current);
    const host = hostOf(current);
    const port = defaultPort(current);
    let vetted: VetResult;
    try {
      vetted = await raceAbort(policy.vet(host, port), abort.signal);
    } catch (error) {
      throw classify(error, where);
    }
    if (!vetted.allowed) {
      const via = hop === 0 ? '' : ` (reached by redirect ${hop})`;
      throw new SourceRefusedError(`refusing to download ${where}${via}: ${vetted.reason}`);
    }

    let response: IncomingMessage;
    try {
      response = await sendRequest(current, vetted.addresses, abort, options.headers);
    } catch (error) {
      throw classify(error, where);
    }
    const status = response.statusCode ?? 0;

    if (redirectStatuses.has(status) && response.headers.location !== undefined) {
      const location = response.headers.location;
      discard(response);
      if (hop >= maxRedirects) {
        throw new SourceRefusedError(`the source at ${describeTarget(text)} redirected more than ${maxRedirects} times (last at ${where}); refusing to follow further`);
      }
      let next: URL;
      try {
        next = new URL(location, current);
      } catch {
        throw new SourceRefusedError(`the source at ${where} redirected to an invalid URL`);
      }
      const nextUrl = parseSourceUrl(next.href, policy, `the redirect from ${where} to ${describeTarget(next.href)}`);
      // Credentials are not carried to another origin.
      if (nextUrl.origin !== current.origin) {
        nextUrl.username = '';
        nextUrl.password = '';
      }
      current = nextUrl;
      continue;
    }
    return { response, url: current, addresses: vetted.addresses };
  }
}

/**
 * Downloads `url` (http: or https: only) to `file`. Throws an InputError (SourceRefusedError) for
 * refused schemes or addresses, too many redirects, a body over `maxBytes` and 4xx answers; a
 * retryable SourceFetchError for network failures, 5xx/408/429 and the timeout; a CancelledError
 * when `signal` aborts; an OutputError when `file` cannot be written. `file` exists only on success.
 */
export async function fetchHttpSource(url: string, file: string, options: FetchHttpSourceOptions): Promise<FetchHttpSourceResult> {
  const { policy, maxBytes, timeoutMs } = options;
  const maxRedirects = options.maxRedirects ?? 5;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) throw new RangeError(`maxBytes must be a non-negative integer, not ${maxBytes}`);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`timeoutMs must be positive, not ${timeoutMs}`);
  if (!Number.isSafeInteger(maxRedirects) || maxRedirects < 0) throw new RangeError(`maxRedirects must be a non-negative integer, not ${maxRedirects}`);
  if (options.signal?.aborted) throw new CancelledError(`download of ${describeTarget(url)} cancelled`);

  const controller = new AbortController();
  const abort: AbortState = { signal: controller.signal, timedOut: false, cancelled: false };
  const timer = setTimeout(() => {
    abort.timedOut = true;
    controller.abort(new Error('timed out'));
  }, timeoutMs);
  const onCallerAbort = (): void => {
    abort.cancelled = true;
    controller.abort(options.signal?.reason);
  };
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  let where = describeTarget(url);
  const stall = options.stall;
  const watch = stall === undefined ? undefined : new StallWatch(stall, (reason) => {
    abort.stalled = describeStall(reason, where, stall);
    controller.abort(new Error('stalled'));
  });
  watch?.start();

  let created = false;
  try {
    const { response, url: current } = await openVettedResponse(url, policy, abort, { maxRedirects, classify: (error, at) => classifyFailure(error, abort, at, file, timeoutMs) });
    where = origin(current);
    watch?.activity(0);
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) {
      discard(response);
      throw statusError(status, where);
    }

    const lengthHeader = response.headers['content-length'];
    const total = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    if (total !== undefined && total > maxBytes) {
      discard(response);
      throw tooLarge(where, `it is ${total} bytes`, maxBytes);
    }
    const counter = new LimitCounter(maxBytes, total, options.onProgress, where);
    counter.onChunk = (bytes) => watch?.activity(bytes);
    try {
      created = true;
      await pipeline(response, counter, createWriteStream(file), { signal: controller.signal });
    } catch (error) {
      throw classifyFailure(error, abort, where, file, timeoutMs);
    }
    if (total !== undefined && counter.bytes !== total) {
      throw new SourceFetchError(`the download of ${where} ended after ${counter.bytes} of ${total} bytes; try again`);
    }
    const contentType = response.headers['content-type'];
    return contentType === undefined ? { bytes: counter.bytes, finalUrl: current.href } : { bytes: counter.bytes, finalUrl: current.href, contentType };
  } catch (error) {
    if (created) await rm(file, { force: true }).catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
    watch?.stop();
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
}
