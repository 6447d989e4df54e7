// Builds the enabled intake adapters from the ingest configuration: one entry per configured
// source, keyed by its kind, which is also its hook path (`/hooks/<kind>`).
import type { IngestAdapter } from './intake.ts';
import { createClosedAdapter } from './closed-adapter.ts';
import { createGenericAdapter, type GenericConfig } from './generic.ts';
import { createMediamtxAdapter, type MediamtxConfig } from './mediamtx.ts';
import { createNginxRtmpAdapter, type NginxRtmpConfig } from './nginx-rtmp.ts';
import { createS3EventsAdapter, type S3EventsConfig } from './s3-events.ts';
import { createSrsAdapter, type SrsConfig } from './srs.ts';

export type WebhookKind = IngestAdapter['kind'];

export interface IngestAdaptersConfig {
  nginxRtmp?: NginxRtmpConfig;
  srs?: SrsConfig;
  mediamtx?: MediamtxConfig;
  s3?: S3EventsConfig;
  generic?: GenericConfig;
}

/** The adapters for the configured sources; a source left out of the configuration has no hook. */
export function buildIngestAdapters(config: IngestAdaptersConfig): Map<WebhookKind, IngestAdapter> {
  const adapters = new Map<WebhookKind, IngestAdapter>();
  const add = (adapter: IngestAdapter): void => {
    adapters.set(adapter.kind, adapter);
  };
  if (config.nginxRtmp) add(createNginxRtmpAdapter(config.nginxRtmp));
  if (config.srs) add(createSrsAdapter(config.srs));
  if (config.mediamtx) add(createMediamtxAdapter(config.mediamtx));
  if (config.s3) add(createS3EventsAdapter(config.s3));
  if (config.generic) add(createGenericAdapter(config.generic));
  return adapters;
}

/** One recorder source in the application configuration (`ingest.nginxRtmp`, `.srs`, `.mediamtx`). */
export interface RecorderIntakeSettings {
  enabled: boolean;
  token?: string | undefined;
  /** Without a token: true accepts requests without one; false (the default) refuses them all. */
  open?: boolean | undefined;
}

/**
 * The part of the application configuration (src/config/schema.ts, `ingest`) the adapters need.
 * Structural, so this module does not depend on the configuration module.
 */
export interface IngestSettings {
  ingest: {
    nginxRtmp: RecorderIntakeSettings;
    srs: RecorderIntakeSettings;
    mediamtx: RecorderIntakeSettings;
    s3: { enabled: boolean; token?: string | undefined; open?: boolean | undefined; buckets?: string[] | undefined; suffixes?: string[] | undefined };
    generic: { secret?: string | undefined };
  };
}

function optional<T extends object>(entries: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/** Whether an enabled hook runs without a credential: no token, and the operator opened it. */
export function isOpenIntake(s: { token?: string | undefined; open?: boolean | undefined }): boolean {
  return s.token === undefined && s.open === true;
}

/** An enabled hook without a token that was not opened: it answers 401 (closed-adapter.ts). */
function isClosedIntake(s: { token?: string | undefined; open?: boolean | undefined }): boolean {
  return s.token === undefined && s.open !== true;
}

/**
 * The adapters for the application configuration: the recorder hooks (nginx-rtmp, SRS, MediaMTX)
 * when enabled AND a record directory is set (without one there is nothing to confine their
 * paths to, so they stay off), S3 when enabled, generic when a secret is set. An enabled hook
 * without a token refuses every request unless its `open` setting is true.
 */
export function buildAdapters(settings: IngestSettings, recordDir: string | undefined): Map<WebhookKind, IngestAdapter> {
  const { ingest } = settings;
  const recorder = (s: RecorderIntakeSettings) => (s.enabled && recordDir !== undefined ? { recordDir, ...optional({ token: s.token }) } : undefined);
  const config: IngestAdaptersConfig = {};
  const closed: [WebhookKind, string][] = [];
  const nginxRtmp = recorder(ingest.nginxRtmp);
  if (nginxRtmp) {
    if (isClosedIntake(ingest.nginxRtmp)) closed.push(['nginx-rtmp', 'ingest.nginxRtmp']);
    else config.nginxRtmp = nginxRtmp;
  }
  const srs = recorder(ingest.srs);
  if (srs) {
    if (isClosedIntake(ingest.srs)) closed.push(['srs', 'ingest.srs']);
    else config.srs = srs;
  }
  const mediamtx = recorder(ingest.mediamtx);
  if (mediamtx) {
    if (isClosedIntake(ingest.mediamtx)) closed.push(['mediamtx', 'ingest.mediamtx']);
    else config.mediamtx = mediamtx;
  }
  if (ingest.s3.enabled) {
    if (isClosedIntake(ingest.s3)) closed.push(['s3', 'ingest.s3']);
    else config.s3 = optional({ token: ingest.s3.token, buckets: ingest.s3.buckets, suffixes: ingest.s3.suffixes });
  }
  if (ingest.generic.secret !== undefined) config.generic = { secret: ingest.generic.secret };
  const adapters = buildIngestAdapters(config);
  for (const [kind, setting] of closed) adapters.set(kind, createClosedAdapter(kind, setting));
  // In hook order, whichever were closed.
  const order: WebhookKind[] = ['nginx-rtmp', 'srs', 'mediamtx', 's3', 'generic'];
  return new Map(order.flatMap((kind) => {
    const adapter = adapters.get(kind);
    return adapter ? [[kind, adapter] as const] : [];
  }));
}
