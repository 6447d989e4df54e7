// What both pages show when something is wrong with the connection rather than with a job: the
// server cannot be reached, the API wants a token, or a request failed. One banner at the top
// (role=alert, so screen readers announce it), plus the connection indicator in the header.
import { ApiError, UnreachableError } from './api.js';
import { byId, h } from './dom.js';

/** @typedef {import('./event-stream.js').StreamStatus} StreamStatus */

const connectionLabels = /** @type {const} */ ({
  connecting: 'Connecting…',
  open: 'Live',
  unreachable: 'Server unreachable',
  unauthorized: 'Token needed',
  closed: 'Disconnected',
});

export class Problems {
  #banner = byId('banner', HTMLElement);
  #connection = byId('connection', HTMLElement);
  /** @type {string | undefined} */
  #kind;

  /**
   * @param {{ onRetry: () => void, onUnauthorized: (message: string) => void }} handlers
   */
  constructor(handlers) {
    this.handlers = handlers;
  }

  /**
   * Shows what a failed request means. Returns true when it was a connection or token problem
   * (the caller shows nothing else), false for an ordinary API error the caller explains itself.
   * @param {unknown} error
   */
  report(error) {
    if (error instanceof UnreachableError) {
      this.#show('unreachable', `${error.message}. It may be stopped or restarting; the page retries by itself.`, 'Retry now');
      this.connection('unreachable');
      return true;
    }
    if (error instanceof ApiError && error.status === 401) {
      this.#show('unauthorized', 'This server needs an API token. Enter one of its tokens (auth.tokens) below.');
      this.connection('unauthorized');
      this.handlers.onUnauthorized(error.message);
      return true;
    }
    if (error instanceof ApiError) return false;
    this.#show('error', `Something went wrong in the dashboard: ${error instanceof Error ? error.message : String(error)}`, 'Reload', () => location.reload());
    return true;
  }

  /** Clears the banner after a request got through. */
  resolved() {
    if (this.#kind === 'unreachable' || this.#kind === 'unauthorized') this.#hide();
  }

  /** @param {StreamStatus} status */
  connection(status) {
    this.#connection.dataset['state'] = status;
    this.#connection.textContent = connectionLabels[status];
  }

  /**
   * @param {string} kind
   * @param {string} message
   * @param {string} [actionLabel]
   * @param {() => void} [action]
   */
  #show(kind, message, actionLabel, action = () => this.handlers.onRetry()) {
    this.#kind = kind;
    this.#banner.dataset['kind'] = kind;
    this.#banner.replaceChildren(h('p', {}, message), ...(actionLabel ? [h('button', { type: 'button', onclick: action }, actionLabel)] : []));
    this.#banner.hidden = false;
  }

  #hide() {
    this.#kind = undefined;
    this.#banner.hidden = true;
    this.#banner.replaceChildren();
  }
}
