// One JSON POST over node:http or node:https, for the worker's reports to its control plane. Not
// fetch: fetch loads Node's bundled undici, ~0.1 CPU-s that every worker would pay at start-up for
// a handful of small POSTs. The modules come from process.getBuiltinModule because an ESM import of
// node:http builds a namespace of all its exports, and reading its lazy ones loads undici as well;
// node:https (and tls with it) is loaded only for an https URL.

/** node:http or node:https for an http(s) URL, taken as described above (also for the source download). */
export function httpClientFor(url: URL): typeof import('node:http') | typeof import('node:https') {
  return process.getBuiltinModule(url.protocol === 'https:' ? 'node:https' : 'node:http');
}

/** Bodies of answers are read this far at most: they are only quoted in a log line. */
const maxAnswerChars = 4096;

export interface PostAnswer {
  status: number;
  /** The start of the answer's body. */
  text: string;
}

/** POSTs `body` (JSON text) to an http(s) URL; rejects on a network error, or when `signal` aborts. */
export function postJson(url: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<PostAnswer> {
  const target = new URL(url);
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return Promise.reject(new Error(`cannot POST to a ${target.protocol} URL`));
  const client = httpClientFor(target);
  return new Promise((resolve, reject) => {
    const request = client.request(target, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      signal,
    }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (text.length < maxAnswerChars) text += chunk.slice(0, maxAnswerChars - text.length);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}
