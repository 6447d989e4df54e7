// An http(s) source as a RangeSource, under the same request-forgery rules as its download: the
// URL (and every redirect) is vetted once at open by fetch-http-source's `openVettedResponse`, and
// every later ranged GET goes to the URL that answered, connecting to exactly the addresses vetted
// then (never resolved again, so DNS cannot rebind it to an internal address). Open asks for the
// first byte: a server that answers 206 with the object's size honours ranges; any other 2xx means
// it does not, and the caller downloads the source whole.
import { CancelledError, Live2vodError } from '../../errors/index.ts';
import type { SourceFetchPolicy } from '../../jobs/source-fetch.ts';
import { AddressPolicy, type ResolvedAddress } from '../address-policy.ts';
import { discard, networkFailure, openVettedResponse, origin, sendRequest, SourceFetchError, SourceRefusedError, statusError, type AbortState } from '../fetch-http-source.ts';
import { retry } from '../../retry/retry.ts';
import { collect, rangeReadRetry, type RangeSource, type RangesUnsupported } from './range-source.ts';

/** One request's limit: a window is small, so a stalled server shows within this. */
const requestTimeoutMs = 60_000;

export async function openHttpRangeSource(url: string, policy: SourceFetchPolicy, signal: AbortSignal): Promise<RangeSource | RangesUnsupported> {
  const addressPolicy = new AddressPolicy({ allow: policy.allow });
  const abort = abortState(signal, Math.min(policy.timeoutMs, requestTimeoutMs));
  const opened = await openVettedResponse(url, addressPolicy, abort.state, {
    maxRedirects: 5,
    headers: { range: 'bytes=0-0' },
    classify: (error, where) => classify(error, abort.state, where),
  }).finally(abort.done);
  const { response } = opened;
  const where = origin(opened.url);
  const status = response.statusCode ?? 0;
  discard(response);
  if (status === 200) return { unsupported: `${where} answered a range request with the whole body (HTTP 200)` };
  if (status !== 206) throw statusError(status, where);
  const size = totalOf(response.headers['content-range']);
  if (size === undefined) return { unsupported: `${where} answered a range request without the object's size (Content-Range ${response.headers['content-range'] ?? 'missing'})` };
  if (size > policy.maxBytes) {
    throw new SourceRefusedError(`the source at ${where} is too large: it is ${size} bytes, the limit is ${policy.maxBytes} bytes; raise the source size limit to read it`);
  }
  return new HttpRangeSource(opened.url, opened.addresses, size, Math.min(policy.timeoutMs, requestTimeoutMs));
}

class HttpRangeSource implements RangeSource {
  readonly name: string;
  readonly size: number;
  readonly #url: URL;
  readonly #addresses: readonly ResolvedAddress[];
  readonly #timeoutMs: number;

  constructor(url: URL, addresses: readonly ResolvedAddress[], size: number, timeoutMs: number) {
    this.#url = url;
    this.#addresses = addresses;
    this.size = size;
    this.#timeoutMs = timeoutMs;
    this.name = origin(url);
  }

  async read(start: number, end: number, signal: AbortSignal): Promise<Buffer> {
    try {
      return await retry(() => this.#readOnce(start, end, signal), {
        ...rangeReadRetry,
        retryable: (error) => error instanceof Live2vodError && error.retryable,
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw new CancelledError(`reading ${this.name} was cancelled`);
      throw error;
    }
  }

  async #readOnce(start: number, end: number, signal: AbortSignal): Promise<Buffer> {
    const abort = abortState(signal, this.#timeoutMs);
    try {
      const response = await sendRequest(this.#url, this.#addresses, abort.state, { range: `bytes=${start}-${end}` }).catch((error: unknown) => {
        throw classify(error, abort.state, this.name);
      });
      const status = response.statusCode ?? 0;
      const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.headers['content-range'] ?? '');
      if (status !== 206 || Number(range?.[1]) !== start || Number(range?.[3]) !== this.size) {
        discard(response);
        if (status === 206 || status === 200) {
          throw new SourceFetchError(`${this.name} stopped answering byte ranges as it did (asked ${start}-${end} of ${this.size}, got HTTP ${status} ${response.headers['content-range'] ?? 'without Content-Range'}); the object may have changed: try again`);
        }
        throw statusError(status, this.name);
      }
      const want = end + 1 - start;
      const tooLong = () => new SourceFetchError(`${this.name} sent more than the ${want} bytes asked for`);
      const body = await collect(response, want, tooLong).catch((error: unknown) => {
        throw error instanceof Live2vodError ? error : classify(error, abort.state, this.name);
      });
      if (body.length !== want) throw new SourceFetchError(`${this.name} sent ${body.length} of the ${want} bytes asked for (${start}-${end}); try again`);
      return body;
    } finally {
      abort.done();
    }
  }

  async close(): Promise<void> {
    // Nothing pooled: every request has its own connection to a vetted address.
  }
}

/** `bytes 0-0/1234` → 1234; undefined for `*` or anything else. */
function totalOf(header: string | undefined): number | undefined {
  const match = /^bytes \d+-\d+\/(\d+)$/.exec(header?.trim() ?? '');
  return match ? Number(match[1]) : undefined;
}

/** An AbortState for one request: the caller's cancel or the timeout, told apart. */
function abortState(signal: AbortSignal, timeoutMs: number): { state: AbortState; done: () => void } {
  const controller = new AbortController();
  const state: AbortState = { signal: controller.signal, timedOut: false, cancelled: false };
  const timer = setTimeout(() => {
    state.timedOut = true;
    controller.abort(new Error('timed out'));
  }, timeoutMs);
  const onAbort = (): void => {
    state.cancelled = true;
    controller.abort(signal.reason);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  return { state, done: () => { clearTimeout(timer); signal.removeEventListener('abort', onAbort); } };
}

function classify(error: unknown, abort: AbortState, where: string): Live2vodError {
  if (abort.cancelled) return new CancelledError(`reading ${where} was cancelled`);
  if (abort.timedOut) return new SourceFetchError(`a ranged read of ${where} got no answer within ${requestTimeoutMs / 1000} s; try again`, { cause: error });
  if (error instanceof Live2vodError) return error;
  return networkFailure(error, where, 'read');
}
