// The API token the dashboard sends, kept in this browser's localStorage (per origin). Only needed
// when the server is configured with auth.tokens.

const key = 'live2vod.apiToken';
/** @type {Set<() => void>} */
const listeners = new Set();

export function getToken() {
  try {
    return localStorage.getItem(key) ?? '';
  } catch {
    // Storage can be disabled (private modes, policies): then there simply is no token.
    return '';
  }
}

/** @param {string} token an empty string forgets it */
export function setToken(token) {
  try {
    if (token) localStorage.setItem(key, token);
    else localStorage.removeItem(key);
  } catch {
    // See getToken.
  }
  for (const listener of listeners) listener();
}

/**
 * Called after the token changed (pages reload their data and reopen their event streams).
 * @param {() => void} listener
 */
export function onTokenChange(listener) {
  listeners.add(listener);
}
