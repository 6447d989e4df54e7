// The intakes that create jobs without a credential, for the start-up warning: the API when
// api-access.ts leaves it open, and every served hook whose `open` setting is true. The watch
// folder is not listed: it needs write access to the data directory's inbox, which is a credential.
import type { Config } from '../config/schema.ts';
import { isOpenIntake } from '../ingest/adapters.ts';
import { apiAccess } from './api-access.ts';

export interface OpenIntake {
  /** The path a request goes to. */
  intake: string;
  /** The setting that leaves it open. */
  why: string;
}

export function openIntakes(config: Config): OpenIntake[] {
  const open: OpenIntake[] = [];
  const access = apiAccess(config);
  if (access.kind === 'open') open.push({ intake: '/v1/jobs and /v1/uploads', why: access.why });
  const { ingest } = config;
  // Recorder hooks are served only with a record directory to confine their paths to.
  const recorders = config.recordDir === undefined ? [] : [
    ['nginx-rtmp', 'ingest.nginxRtmp', ingest.nginxRtmp],
    ['srs', 'ingest.srs', ingest.srs],
    ['mediamtx', 'ingest.mediamtx', ingest.mediamtx],
  ] as const;
  for (const [kind, setting, s] of recorders) if (s.enabled && isOpenIntake(s)) open.push({ intake: `/hooks/${kind}`, why: `${setting}.open is true` });
  if (ingest.s3.enabled && isOpenIntake(ingest.s3)) open.push({ intake: '/hooks/s3', why: 'ingest.s3.open is true' });
  return open;
}

/** One warning line naming every open intake, or undefined when there is none. */
export function openIntakeWarning(config: Config): string | undefined {
  const open = openIntakes(config);
  if (open.length === 0) return undefined;
  return `these intakes create jobs for anyone who can reach them: ${open.map((o) => `${o.intake} (${o.why})`).join(', ')}; set tokens to close them (docs/security.md)`;
}
