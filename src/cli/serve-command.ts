// `live2vod serve`: the control plane with embedded defaults — SQLite store, media and inbox
// under ./data, port 8080 on localhost, local workers. This is the composition root: the only
// place that builds concrete implementations.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { settingsWithExampleSecrets } from '../config/example-secrets.ts';
import { defaultPriorities } from '../config/default-priority.ts';
import { loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { buildAdapters } from '../ingest/adapters.ts';
import { WatchFolder } from '../ingest/watch-folder.ts';
import { IntakeService } from '../jobs/intake-service.ts';
import { applyRequestedTrims, catchUpRequestedTrims } from '../jobs/apply-requested-trim.ts';
import type { Job } from '../jobs/job.ts';
import { JobCommands } from '../jobs/job-commands.ts';
import { JobEvents } from '../jobs/job-events.ts';
import { mediaTokenKey } from '../jobs/media-token.ts';
import { Scheduler } from '../jobs/scheduler.ts';
import { formatSourceLocation } from '../jobs/source-location.ts';
import { SourcePolicy } from '../jobs/source-policy.ts';
import { buildApp } from '../http/app.ts';
import { openIntakeWarning } from '../http/open-intakes.ts';
import { BucketUploadStaging } from '../http/upload-staging-bucket.ts';
import { DiskUploadStaging } from '../http/upload-staging-disk.ts';
import { DeliveryWorker } from '../notify/delivery-worker.ts';
import { connectNotifications } from '../notify/connect.ts';
import { Notifier } from '../notify/notifier.ts';
import { createLogger } from '../observability/logger.ts';
import { connectJobMetrics } from '../observability/job-metrics.ts';
import { manifestCostReader } from '../observability/manifest-cost.ts';
import { createMetrics } from '../observability/metrics.ts';
import { removeUnfinishedAssets } from '../pipeline/remove-unfinished-assets.ts';
import { assetManifestReader, sharingReads } from '../storage/read-asset-manifest.ts';
import { openStore } from '../store/open-store.ts';
import { buildExecutor } from './build-executor.ts';
import { checkRecordDir, dataLayout, makeDataDirs } from './serve/data-layout.ts';
import { taskBuilder } from './serve/task-builder.ts';
import { ServiceAddress } from './serve/service-address.ts';
import type { CliIo } from './io.ts';
import { serveBanner, type Served } from './serve-banner.ts';

export interface ServeFlags {
  config?: string;
  port?: string;
  host?: string;
  data?: string;
  recordDir?: string;
  concurrency?: string;
  chunkSeconds?: string;
  databaseUrl?: string;
}

export async function runServeCommand(flags: ServeFlags, io: CliIo): Promise<void> {
  const config = await loadConfig({ ...(flags.config ? { file: flags.config } : {}), overrides: flagOverrides(flags) });
  const examples = settingsWithExampleSecrets(config);
  if (examples.length > 0) {
    io.stderr.write(`live2vod: warning: ${examples.join(', ')} still hold the example configuration's secrets, which anyone who read deploy/live2vod.example.yaml knows: replace them (and in the recorders' configs) before anything else can reach this service\n`);
  }
  const service = await startService(config, { onListening: (served) => io.stdout.write(serveBanner(config, served)) });
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  io.stderr.write('live2vod: shutting down: stopping workers (their jobs go back to the queue)\n');
  await service.close();
}

export interface RunningService {
  url: string;
  close(): Promise<void>;
}

export async function startService(config: Config, hooks: { onListening?: (served: Served) => void } = {}): Promise<RunningService> {
  const logger = createLogger(config.logLevel);
  const layout = dataLayout(config);
  await checkRecordDir(layout, config);
  await makeDataDirs(layout);
  const store = await openStore(layout.store);
  await store.migrate();

  const events = new JobEvents();
  const callbackSecret = await loadOrCreateSecret(path.join(layout.dataDir, 'callback.secret'));
  const executor = await buildExecutor(config, { dataDir: layout.dataDir, store, log: (level, message, fields) => logger[level](fields ?? {}, message) });
  const output = config.storage.output?.replace(/\/+$/, '');
  // Imported only with an output configured: the S3 client is ~35 MB resident that a service
  // publishing into its data directory never uses.
  const assetStore = output ? (await import('../storage/open-store.ts')).openObjectStore(output, { presignSeconds: config.storage.presignSeconds }) : undefined;
  // Workers may not see this machine's disk (Kubernetes, several hosts), but they can read the asset
  // bucket: with an S3 output (a store that names its objects as s3:// URIs), uploads wait there.
  const uploads = assetStore && 'objectUri' in assetStore ? new BucketUploadStaging(assetStore) : new DiskUploadStaging(layout.uploadDir);
  // A private bucket (an s3:// output without a public base URL), and local media while API tokens
  // are set (unless made public on purpose), are played through signed /media/s/ links.
  const signedMedia = assetStore ? !config.storage.publicBaseUrl : config.auth.tokens.length > 0 && !config.storage.publicLocalMedia;
  const mediaKey = signedMedia ? mediaTokenKey(callbackSecret) : undefined;
  const address = new ServiceAddress(config, mediaKey);
  const chunkSlots = chunkSlotsFor(config, executor.capacity);
  const scheduler = new Scheduler({
    store, executor, events,
    owner: `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    buildTask: taskBuilder({ config, output, mediaRoot: layout.mediaRoot, callbackSecret, address }),
    ...(chunkSlots ? { chunkAcrossWorkers: () => chunkSlots } : {}),
    leaseMs: config.jobs.leaseMs,
    backoff: { baseMs: config.jobs.retryBaseMs, maxMs: config.jobs.retryMaxMs },
    log: (level, message, fields) => logger[level](fields ?? {}, message),
  });
  const readManifest = sharingReads(assetManifestReader(layout.mediaRoot, assetStore));
  const sourcePriorities = defaultPriorities(config);
  const intake = new IntakeService({
    store, events,
    sources: new SourcePolicy(layout.sourceRoots),
    maxAttempts: config.jobs.maxAttempts,
    defaultPriority: (kind) => sourcePriorities[kind],
    onCreated: (job) => scheduler.jobQueued(job),
    readAssetManifest: readManifest,
    defaultTrim: config.jobs.trim,
  });
  const metrics = createMetrics(store, () => executor.running().length);
  const deliveries = new DeliveryWorker({ store, endpoints: config.notifications.endpoints, onError: (err) => logger.warn({ err }, 'notification delivery problem') });
  const notifier = new Notifier({ store, endpoints: config.notifications.endpoints, onEnqueued: () => deliveries.kick() });

  const adapters = buildAdapters(config, layout.recordDir);
  const app = await buildApp({
    config, store, events, intake, scheduler, metrics, mediaRoot: layout.mediaRoot, uploads, callbackSecret, adapters,
    commands: new JobCommands({ store, events, scheduler }),
    assetDirUrl: address.dirUrl,
    ...(assetStore ? { assetStore } : {}),
    ...(mediaKey ? { mediaTokenKey: mediaKey } : {}),
  }, logger);
  address.listening(await app.listen({ host: config.server.host, port: config.server.port }));
  warnIfExposed(config, logger);

  const stopJobMetrics = connectJobMetrics(events, metrics, manifestCostReader(readManifest), (error) => logger.warn({ err: error }, 'could not read the cost of a ready asset for the metrics'));
  const stopAssetCleanup = removeUnfinishedAssets({
    events, store, mediaRoot: layout.mediaRoot, assetStore,
    onError: (jobId, error) => logger.warn({ jobId, error: String(error) }, 'could not remove the unfinished asset'),
  });
  const trims = {
    events, intake,
    onRefused: (jobId: string, error: unknown) => logger.warn({ jobId, error: String(error) }, 'the requested trim was not made'),
    onCreated: (parent: Job, trimmed: Job) => logger.info({ jobId: parent.id, trimmedJobId: trimmed.id }, 'trimmed asset queued'),
  };
  const stopRequestedTrims = applyRequestedTrims(trims);
  // A trim whose job succeeded while the last control plane was stopping is made now.
  const trimCatchUp = catchUpRequestedTrims({ ...trims, store }).catch((err: unknown) => logger.warn({ err }, 'could not look for trims left unmade'));
  const stopNotifications = connectNotifications(events, notifier, address.dirUrl, (err) => logger.warn({ err }, 'could not enqueue a notification'), readManifest);
  deliveries.start();
  await scheduler.start({ recoverAll: config.store.kind === 'sqlite' });
  const watch = config.ingest.watch.enabled
    ? new WatchFolder({ dir: layout.inboxDir, intervalMs: config.ingest.watch.intervalMs, onStable: (request) => intake.accept('watch', [request]).catch((err: unknown) => logger.warn({ err, file: formatSourceLocation(request.source) }, 'watch folder: job not created')) })
    : undefined;
  watch?.start();
  hooks.onListening?.({ base: address.baseUrl, hooks: [...adapters.keys()], ...(watch ? { inbox: layout.inboxDir } : {}) });

  return {
    url: address.baseUrl,
    async close() {
      await watch?.stop();
      await app.close();
      await scheduler.stop();
      stopNotifications();
      stopJobMetrics();
      stopAssetCleanup();
      stopRequestedTrims();
      await trimCatchUp;
      await deliveries.stop();
      await assetStore?.close();
      await store.close();
    },
  };
}

/**
 * A long recording's chunks run as workers of their own (sharing the work area in the output): in
 * the local slots, interleaved with other jobs by priority, when there are several; on Kubernetes
 * as one Indexed Job per attempt, as many pods at once as `chunks.parallelism`.
 */
function chunkSlotsFor(config: Config, localCapacity: number): { parallelism: number; wholeHere?: true } | undefined {
  if (config.transcode.chunkSeconds === 0) return undefined;
  // A split Job is sized light (it probes and encodes the audio): a short recording gets a full Job.
  if (config.executor.kind === 'kubernetes') return { parallelism: config.executor.chunks.parallelism };
  // A local worker is a worker: the split that finds the recording short encodes it itself.
  return localCapacity > 1 ? { parallelism: localCapacity, wholeHere: true } : undefined;
}

/** The secret job tokens are derived from: configured, or made once and kept in the data dir. */
async function loadOrCreateSecret(file: string): Promise<string> {
  const fromEnv = process.env.LIVE2VOD_CALLBACK_SECRET;
  if (fromEnv) return fromEnv;
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const secret = randomBytes(32).toString('base64url');
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  }
}

function warnIfExposed(config: Config, logger: { warn: (msg: string) => void }): void {
  const warning = openIntakeWarning(config);
  if (warning !== undefined) logger.warn(warning);
}

function flagOverrides(flags: ServeFlags): Record<string, unknown> {
  const server: Record<string, unknown> = {};
  if (flags.port !== undefined) server.port = Number(flags.port);
  if (flags.host !== undefined) server.host = flags.host;
  const overrides: Record<string, unknown> = {};
  if (Object.keys(server).length) overrides.server = server;
  if (flags.data !== undefined) overrides.dataDir = flags.data;
  if (flags.recordDir !== undefined) overrides.recordDir = flags.recordDir;
  if (flags.concurrency !== undefined) overrides.executor = { concurrency: Number(flags.concurrency) };
  if (flags.databaseUrl !== undefined) overrides.store = { kind: 'postgres', url: flags.databaseUrl };
  // A number or not, the configuration schema checks it (and says which setting is wrong).
  if (flags.chunkSeconds !== undefined) overrides.transcode = { chunkSeconds: Number(flags.chunkSeconds) };
  return overrides;
}
