// The one place that decides a job's priority when its request names none: the configured
// default of the source kind it came from. Typed over every source kind, so a new kind without
// its setting does not compile. Adapters report only what a request asks for (?priority=, a
// body's priority); the intake applies this for the rest.
import type { Priority, SourceKind } from '../jobs/job.ts';
import type { Config } from './schema.ts';

export function defaultPriorities(config: Pick<Config, 'ingest'>): Record<SourceKind, Priority> {
  const { ingest } = config;
  return {
    'nginx-rtmp': ingest.nginxRtmp.priority,
    srs: ingest.srs.priority,
    mediamtx: ingest.mediamtx.priority,
    s3: ingest.s3.priority,
    generic: ingest.generic.priority,
    watch: ingest.watch.priority,
    api: ingest.api.priority,
  };
}
