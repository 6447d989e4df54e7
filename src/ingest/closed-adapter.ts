// The hook of an intake that is enabled but has no credential configured and was not explicitly
// opened: it answers every request 401 saying what to configure, instead of creating jobs for
// anyone who can reach it (a web page in the operator's browser included: hooks take any body).
import { IntakeError, type IngestAdapter } from './intake.ts';

export function createClosedAdapter(kind: IngestAdapter['kind'], setting: string): IngestAdapter {
  const message = `/hooks/${kind} has no token configured: set ${setting}.token and send it (see docs/operations.md), or set ${setting}.open: true to accept requests without one`;
  return {
    kind,
    successBody: () => ({ ok: true }),
    handle: () => Promise.reject(new IntakeError(401, message)),
  };
}
