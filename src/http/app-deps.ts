// What the HTTP layer needs, built by the composition root (src/cli/serve-command.ts).
import type { Config } from '../config/schema.ts';
import type { IngestAdapter } from '../ingest/intake.ts';
import type { AssetDirUrl } from '../jobs/asset-urls.ts';
import type { IntakeService } from '../jobs/intake-service.ts';
import type { JobCommands } from '../jobs/job-commands.ts';
import type { JobEvents } from '../jobs/job-events.ts';
import type { Scheduler } from '../jobs/scheduler.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { Store } from '../store/store.ts';
import type { UploadStaging } from './upload-staging.ts';

export interface AppDeps {
  config: Config;
  store: Store;
  events: JobEvents;
  intake: IntakeService;
  /** Cancel, retry, change priority. */
  commands: JobCommands;
  /** Worker reports go straight to the scheduler. */
  scheduler: Pick<Scheduler, 'onWorkerReport'>;
  adapters: ReadonlyMap<string, IngestAdapter>;
  metrics: Metrics;
  /** Where uploaded recordings are stored until their job reads them. */
  uploads: UploadStaging;
  /** Local directory served under /media/. */
  mediaRoot: string;
  /** The URL of a job's asset directory as players see it (see src/jobs/asset-urls.ts). */
  assetDirUrl: AssetDirUrl;
  /**
   * Key of signed /media/s/ paths; set when assets are served from a private bucket, or from
   * mediaRoot while API tokens are set (then /media/ itself is not served).
   */
  mediaTokenKey?: Buffer;
  callbackSecret: string;
  /** Set when assets are published to object storage instead of mediaRoot. */
  assetStore?: ObjectStore;
}
