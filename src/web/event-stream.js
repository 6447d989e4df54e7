// Server-sent events over fetch rather than EventSource: EventSource cannot send the
// Authorization header that a server with API tokens needs. Reconnects by itself (resuming with
// Last-Event-ID where the stream has ids) and reports its connection state.
import { authHeaders } from './api.js';

/**
 * @typedef {'connecting' | 'open' | 'unreachable' | 'unauthorized' | 'closed'} StreamStatus
 * @typedef {{ type: string, data: unknown, id: string | undefined }} StreamEvent
 */

/**
 * Splits SSE text into events. Returns the events of every complete block and the incomplete rest.
 * Pure, so it is tested without a server.
 * @param {string} buffer
 * @returns {{ events: { type: string, data: string, id: string | undefined, retry: number | undefined }[], rest: string }}
 */
export function parseEventStream(buffer) {
  const normalised = buffer.replace(/\r\n?/g, '\n');
  const blocks = normalised.split('\n\n');
  const rest = blocks.pop() ?? '';
  const events = [];
  for (const block of blocks) {
    let type = 'message';
    /** @type {string[]} */
    const data = [];
    /** @type {string | undefined} */
    let id;
    /** @type {number | undefined} */
    let retry;
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) retry = Number(value);
    }
    if (data.length > 0 || retry !== undefined) events.push({ type, data: data.join('\n'), id, retry });
  }
  return { events, rest };
}

/**
 * @param {string} url
 * @param {{ onEvent: (event: StreamEvent) => void, onStatus: (status: StreamStatus) => void }} handlers
 * @returns {{ close(): void }}
 */
export function openEventStream(url, handlers) {
  const controller = new AbortController();
  /** @type {string | undefined} */
  let lastId;
  let retryMs = 2000;
  let failures = 0;

  const run = async () => {
    while (!controller.signal.aborted) {
      handlers.onStatus('connecting');
      // Whether this round got through to the server: a stream that merely ended (a proxy's idle
      // timeout, a restart) is reconnected at once, an unreachable server with a growing delay.
      let reached = false;
      try {
        const response = await fetch(url, {
          headers: { accept: 'text/event-stream', ...authHeaders(), ...(lastId ? { 'last-event-id': lastId } : {}) },
          signal: controller.signal,
          cache: 'no-store',
        });
        if (response.status === 401) {
          // Retrying cannot help until the token changes; the page reopens the stream then.
          handlers.onStatus('unauthorized');
          return;
        }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        reached = true;
        failures = 0;
        handlers.onStatus('open');
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const parsed = parseEventStream(buffer + value);
          buffer = parsed.rest;
          for (const event of parsed.events) {
            if (event.retry !== undefined) retryMs = event.retry;
            if (event.id !== undefined) lastId = event.id;
            if (event.data === '') continue;
            handlers.onEvent({ type: event.type, data: safeJson(event.data), id: event.id });
          }
        }
      } catch {
        // Unreachable, refused, or cut off: decided below.
      }
      if (controller.signal.aborted) break;
      if (!reached) {
        failures++;
        handlers.onStatus('unreachable');
      }
      await sleep(reached ? retryMs : Math.min(15_000, retryMs * Math.min(failures, 5)), controller.signal);
    }
    handlers.onStatus('closed');
  };
  void run();
  return { close: () => controller.abort() };
}

/**
 * @param {string} text
 * @returns {unknown}
 */
function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * @param {number} ms
 * @param {AbortSignal} signal
 */
function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(undefined);
    }, { once: true });
  });
}
