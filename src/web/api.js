// The dashboard's only way to the server: the /v1 API, with the API token when one is stored.
// Failures become ApiError (the server answered with an error) or UnreachableError (it did not
// answer, or a proxy in front of it said it is down).
import { getToken } from './token-store.js';

/** @typedef {import('./types.js').ApiJob} ApiJob */

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export class UnreachableError extends Error {
  constructor(message = `cannot reach the live2vod server at ${location.origin}`) {
    super(message);
    this.name = 'UnreachableError';
  }
}

/** Gateway answers mean the proxy is up but live2vod behind it is not. */
const gatewayStatuses = new Set([502, 503, 504]);

/** @returns {Record<string, string>} */
export function authHeaders() {
  const token = getToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/**
 * @template T
 * @param {string} path
 * @param {{ method?: string, json?: unknown }} [init]
 * @returns {Promise<T>}
 */
async function call(path, init = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json', ...authHeaders() };
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
      headers,
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
      cache: 'no-store',
    });
  } catch {
    throw new UnreachableError();
  }
  return /** @type {T} */ (await decode(response.status, await response.text().catch(() => '')));
}

/**
 * @param {number} status
 * @param {string} text
 * @returns {unknown}
 */
function decode(status, text) {
  /** @type {unknown} */
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (status >= 200 && status < 300) return body;
  const problem = /** @type {{ error?: unknown, message?: unknown } | undefined} */ (body && typeof body === 'object' ? body : undefined);
  if (!problem && gatewayStatuses.has(status)) throw new UnreachableError(`the live2vod server is unavailable (HTTP ${status} from the proxy in front of it)`);
  throw new ApiError(status, typeof problem?.error === 'string' ? problem.error : `http_${status}`, typeof problem?.message === 'string' ? problem.message : `the server answered HTTP ${status}`);
}

/**
 * @param {{ state?: string, priority?: string, source?: string, upload?: string, cursor?: number | undefined, limit?: number }} filters
 * @returns {Promise<import('./types.js').JobList>}
 */
export function listJobs(filters) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value !== undefined && value !== '') query.set(name, String(value));
  return call(`/v1/jobs?${query}`);
}

/** @param {string} id @returns {Promise<ApiJob>} */
export const getJob = (id) => call(`/v1/jobs/${encodeURIComponent(id)}`);

/** @param {string} id @returns {Promise<{ items: import('./types.js').Attempt[] }>} */
export const getAttempts = (id) => call(`/v1/jobs/${encodeURIComponent(id)}/attempts`);

/** @param {string} id @returns {Promise<{ items: import('./types.js').JobLogEvent[] }>} */
export const getLog = (id) => call(`/v1/jobs/${encodeURIComponent(id)}/log`);

/** @param {string} id @returns {Promise<import('./types.js').AssetView>} */
export const getAsset = (id) => call(`/v1/assets/${encodeURIComponent(id)}`);

/** @param {string} id @returns {Promise<ApiJob>} */
export const cancelJob = (id) => call(`/v1/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });

/** @param {string} id @returns {Promise<ApiJob>} */
export const retryJob = (id) => call(`/v1/jobs/${encodeURIComponent(id)}/retry`, { method: 'POST' });

/**
 * @param {string} id
 * @param {import('./types.js').Priority} priority
 * @returns {Promise<ApiJob>}
 */
export const setPriority = (id, priority) => call(`/v1/jobs/${encodeURIComponent(id)}`, { method: 'PATCH', json: { priority } });

/**
 * PATCH /v1/jobs/:id/chapters: the asset's chapters replaced (titles and starts, in order).
 * @param {string} id
 * @param {{ start: number, title: string }[]} chapters
 * @returns {Promise<import('./types.js').ChaptersEdited>}
 */
export const editChapters = (id, chapters) => call(`/v1/jobs/${encodeURIComponent(id)}/chapters`, { method: 'PATCH', json: { chapters } });

/**
 * POST /v1/jobs/:id/clips: a new job making [start, end) of a finished asset (seconds) its own
 * asset; answers with the new job.
 * @param {string} id
 * @param {{ start: number, end: number, title?: string }} clip
 * @returns {Promise<ApiJob>}
 */
export const createClip = (id, clip) => call(`/v1/jobs/${encodeURIComponent(id)}/clips`, { json: clip });

/**
 * @param {{ source: string, priority?: import('./types.js').Priority }} body
 * @returns {Promise<ApiJob>}
 */
export const createJob = (body) => call('/v1/jobs', { json: body });

/**
 * POST /v1/uploads with the file as the body. XMLHttpRequest rather than fetch: only it reports
 * upload progress.
 * @param {File} file
 * @param {{ priority?: import('./types.js').Priority, onProgress?: (fraction: number) => void }} options
 * @returns {Promise<ApiJob>}
 */
export function uploadRecording(file, options = {}) {
  const query = new URLSearchParams({ filename: file.name });
  if (options.priority) query.set('priority', options.priority);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/v1/uploads?${query}`);
    xhr.setRequestHeader('content-type', file.type && /^(video|audio)\//.test(file.type) ? file.type : 'application/octet-stream');
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) options.onProgress?.(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      try {
        resolve(/** @type {ApiJob} */ (decode(xhr.status, xhr.responseText)));
      } catch (error) {
        reject(error);
      }
    });
    xhr.addEventListener('error', () => reject(new UnreachableError()));
    xhr.addEventListener('abort', () => reject(new Error('the upload was cancelled')));
    xhr.send(file);
  });
}
