// What the player does about an hls.js error. Pure (no hls.js, no DOM), so it is tested without a
// browser. By the time hls.js calls an error fatal it has already retried the request by its own
// policy, so retrying again must be bounded. A 403 is acted on at once, fatal or not: with a
// private bucket the links are signed and expire (storage.presignSeconds), and hls.js would
// otherwise spend half a minute retrying a segment that no retry can fetch (with a single host it
// retries even 4xx); the player asks the API for fresh links once instead.

export const maxNetworkRetries = 3;
const firstRetryDelayMs = 1000;

/**
 * An error, reduced to what the decision needs.
 * @typedef {object} PlayerError
 * @property {boolean} fatal hls.js gave up on it (else hls.js is still handling it)
 * @property {'network' | 'media' | 'other'} type
 * @property {string} details hls.js's error detail, e.g. "fragLoadError"
 * @property {number | undefined} status the HTTP status, when a response came
 * @property {string | undefined} message
 */

/**
 * What happened since playback last made progress (a fragment loaded).
 * @typedef {object} RecoveryState
 * @property {number} networkRetries fatal network errors retried
 * @property {boolean} refreshed fresh links were fetched once already
 * @property {boolean} mediaRecovered a media error was recovered once already
 */

/**
 * @typedef {{ kind: 'none' }
 *   | { kind: 'retry', delayMs: number, message: string }
 *   | { kind: 'refresh', message: string }
 *   | { kind: 'recover-media' }
 *   | { kind: 'stop', message: string }} Recovery
 */

/** @returns {RecoveryState} */
export function freshRecoveryState() {
  return { networkRetries: 0, refreshed: false, mediaRecovered: false };
}

/**
 * The next step for `error`, and the state after taking it.
 * @param {PlayerError} error
 * @param {RecoveryState} state
 * @param {{ canRefresh: boolean }} options canRefresh: the page can fetch fresh links
 * @returns {{ recovery: Recovery, state: RecoveryState }}
 */
export function planRecovery(error, state, options) {
  const what = `${error.details}${error.status ? `, HTTP ${error.status}` : ''}`;
  const refused = error.type === 'network' && error.status === 403;
  if (refused && options.canRefresh && !state.refreshed) {
    return { recovery: { kind: 'refresh', message: 'The video\'s link has expired; fetching a fresh one…' }, state: { ...state, refreshed: true } };
  }
  // hls.js retries or switches renditions by itself until it calls an error fatal.
  if (!error.fatal) return { recovery: { kind: 'none' }, state };
  if (error.type === 'media') {
    if (!state.mediaRecovered) return { recovery: { kind: 'recover-media' }, state: { ...state, mediaRecovered: true } };
    return stop(state, `The player stopped: ${error.details}${error.message ? ` (${error.message})` : ''}.`);
  }
  if (error.type !== 'network') return stop(state, `The player stopped: ${error.details}${error.message ? ` (${error.message})` : ''}.`);

  if (refused) {
    return stop(state, state.refreshed
      ? 'The video\'s links were refused (HTTP 403) even after fresh ones were fetched. Reload the page; if that does not help, check the server\'s clock and storage settings.'
      : 'The video\'s link was refused (HTTP 403); it may have expired. Reload the page for a fresh one.');
  }
  if (error.status === 404 || error.status === 410) return stop(state, `The video is no longer there (${what}): the asset may have been deleted.`);
  // Other 4xx: the request itself is wrong, and asking again gives the same answer.
  if (error.status !== undefined && error.status >= 400 && error.status < 500) return stop(state, `The server refused the video (${what}).`);

  if (state.networkRetries >= maxNetworkRetries) {
    return stop(state, `The player could not load the video after ${maxNetworkRetries} retries (${what}). Check the connection and reload the page.`);
  }
  const delayMs = firstRetryDelayMs * 2 ** state.networkRetries;
  const attempt = state.networkRetries + 1;
  return {
    recovery: { kind: 'retry', delayMs, message: `The player lost the network (${what}); retrying in ${delayMs / 1000} s (${attempt} of ${maxNetworkRetries}).` },
    state: { ...state, networkRetries: attempt },
  };
}

/**
 * @param {RecoveryState} state
 * @param {string} message
 * @returns {{ recovery: Recovery, state: RecoveryState }}
 */
function stop(state, message) {
  return { recovery: { kind: 'stop', message }, state };
}
