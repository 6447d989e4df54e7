/**
 * Where npm test's one chromium listens (its WebSocket endpoint): a start costs ~1.5 CPU-s, once
 * per run instead of once per browser test file. Each test still gets a context of its own. In a
 * module of its own, so the runner need not load playwright to know whether a run needs one.
 */
export const sharedBrowserVariable = 'LIVE2VOD_TEST_BROWSER_WS';
