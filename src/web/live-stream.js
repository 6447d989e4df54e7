// A page's live connection to an event stream: its state goes to the header's indicator and the
// banner; when it opens after a gap (or for the first time) events may have been missed, so the
// page reads its data again; a new token reopens it (the old one may have been refused).
import { UnreachableError } from './api.js';
import { openEventStream } from './event-stream.js';
import { onTokenChange } from './token-store.js';

/**
 * @param {string} url
 * @param {object} options
 * @param {(event: import('./event-stream.js').StreamEvent) => void} options.onEvent
 * @param {() => void} options.reload reads the page's data again
 * @param {Pick<import('./problems.js').Problems, 'connection' | 'report'>} options.problems
 * @returns {{ close(): void }}
 */
export function liveStream(url, { onEvent, reload, problems }) {
  let streamOpen = false;
  /** @type {{ close(): void } | undefined} */
  let stream;
  const connect = () => {
    stream?.close();
    stream = openEventStream(url, {
      onEvent,
      onStatus: (status) => {
        if (status === 'closed') return;
        problems.connection(status);
        if (status === 'open' && !streamOpen) reload();
        if (status === 'unreachable') problems.report(new UnreachableError());
        streamOpen = status === 'open';
      },
    });
  };
  onTokenChange(() => {
    reload();
    connect();
  });
  connect();
  return { close: () => stream?.close() };
}

/**
 * `fn` called once, `ms` after the last of a burst of calls: a burst of events becomes one reload.
 * @param {() => void} fn
 * @param {number} ms
 * @returns {() => void}
 */
export function debounce(fn, ms) {
  let timer = /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined);
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, ms);
  };
}
