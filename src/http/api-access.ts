// Who may use the /v1 API (which creates, cancels and reads jobs, and uploads recordings): holders
// of a configured token; without tokens, anyone only where the operator said so (`auth.open:
// true`) or while the server listens on a loopback address alone (the zero-config case: the
// dashboard on the same machine). A server reachable from elsewhere without tokens is closed.
export type ApiAccess =
  | { kind: 'tokens'; tokens: readonly string[] }
  | { kind: 'open'; why: string }
  | { kind: 'closed'; reason: string };

export interface AccessSettings {
  server: { host: string };
  auth: { tokens: string[]; open?: boolean | undefined };
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export function apiAccess(settings: AccessSettings): ApiAccess {
  if (settings.auth.tokens.length > 0) return { kind: 'tokens', tokens: settings.auth.tokens };
  if (settings.auth.open === true) return { kind: 'open', why: 'auth.open is true' };
  if (settings.auth.open === undefined && isLoopbackHost(settings.server.host)) {
    return { kind: 'open', why: `no auth.tokens; listening on ${settings.server.host} only` };
  }
  return {
    kind: 'closed',
    reason: `this server has no API tokens and listens on ${settings.server.host}: set auth.tokens (LIVE2VOD_API_TOKENS) and send Authorization: Bearer <token>, or set auth.open: true to let anyone who can reach it use the API`,
  };
}
