// The control plane's HTTP app for the security tests, built as `serve` builds it: a real SQLite
// store in a temp dir, the real intake service and source policy, the adapters from the real
// configuration schema, and a Scheduler whose LocalExecutor has no slots (jobs stay queued, no
// worker starts). A test may swap in its own upload staging, job events, logger or media key.
import assert from 'node:assert/strict';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { LocalExecutor } from '../../src/executors/local-executor.ts';
import { buildApp } from '../../src/http/app.ts';
import { DiskUploadStaging } from '../../src/http/upload-staging-disk.ts';
import type { UploadStaging } from '../../src/http/upload-staging.ts';
import { buildAdapters } from '../../src/ingest/adapters.ts';
import { assetDirUrl, type AssetUrlMode } from '../../src/jobs/asset-urls.ts';
import { IntakeService } from '../../src/jobs/intake-service.ts';
import { JobCommands } from '../../src/jobs/job-commands.ts';
import { JobEvents } from '../../src/jobs/job-events.ts';
import { Scheduler } from '../../src/jobs/scheduler.ts';
import { SourcePolicy } from '../../src/jobs/source-policy.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { recordResponses } from '../helpers/openapi-responses.ts';

export interface SecurityHarness {
  app: FastifyInstance;
  store: Store;
  events: JobEvents;
  config: Config;
  dataDir: string;
  /** Lines the app logged (JSON, warn and above). */
  logLines: string[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  overrides?: Record<string, unknown>;
  wrapStore?: (store: Store) => Store;
  events?: JobEvents;
  uploads?: (dataDir: string) => UploadStaging;
  mediaTokenKey?: Buffer;
  assetDirs?: AssetUrlMode;
}

export async function securityHarness(root: string, options: HarnessOptions = {}): Promise<SecurityHarness> {
  const dataDir = path.join(root, `data-${Math.random().toString(36).slice(2)}`);
  await Promise.all(['media', 'inbox', 'uploads', 'tasks'].map((d) => mkdir(path.join(dataDir, d), { recursive: true })));
  const config = await loadConfig({ env: {}, overrides: { dataDir, logLevel: 'silent', ...options.overrides } });
  const opened = await openSqliteStore(path.join(dataDir, 'live2vod.db'));
  const store = options.wrapStore ? options.wrapStore(opened) : opened;
  const events = options.events ?? new JobEvents();
  const executor = new LocalExecutor({ capacity: 0, taskDir: path.join(dataDir, 'tasks'), cliPath: '/nonexistent' });
  const scheduler = new Scheduler({
    store, executor, events, owner: 'security-test', leaseMs: 30_000, backoff: { baseMs: 100, maxMs: 1000 },
    buildTask: () => { throw new Error('no task is ever built in this test'); },
  });
  const recordDir = config.recordDir === undefined ? undefined : path.resolve(config.recordDir);
  const roots = [path.join(dataDir, 'inbox'), path.join(dataDir, 'uploads'), ...(recordDir ? [recordDir] : []), ...config.sourceRoots];
  const intake = new IntakeService({
    store, events, sources: new SourcePolicy(roots), maxAttempts: config.jobs.maxAttempts,
    defaultPriority: () => 'normal', onCreated: () => scheduler.kick(),
  });
  const logLines: string[] = [];
  const sink = new Writable({ write(chunk: Buffer, _encoding, done) { logLines.push(chunk.toString()); done(); } });
  const logger: FastifyBaseLogger = pino({ level: 'warn' }, sink);
  const app = await buildApp({
    config, store, events, intake, scheduler,
    commands: new JobCommands({ store, events, scheduler }),
    metrics: createMetrics(store, () => executor.running().length),
    adapters: buildAdapters(config, recordDir),
    mediaRoot: path.join(dataDir, 'media'),
    uploads: options.uploads ? options.uploads(dataDir) : new DiskUploadStaging(path.join(dataDir, 'uploads')),
    assetDirUrl: assetDirUrl(options.assetDirs ?? { kind: 'public', baseUrl: 'http://media.test/media' }),
    callbackSecret: 'test-secret-0123456789',
    ...(options.mediaTokenKey ? { mediaTokenKey: options.mediaTokenKey } : {}),
  }, logger);
  // Hostile requests included, every JSON answer must match the document the app serves.
  const responses = recordResponses(app);
  return {
    app, store, events, config, dataDir, logLines,
    async close() {
      try {
        assert.deepEqual(await responses.check(), [], 'responses that do not match /openapi.json');
      } finally {
        await app.close();
        await scheduler.stop();
        await opened.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** Every job in the store (first page of 500). */
export async function jobCount(store: Store): Promise<number> {
  return (await store.listJobs({ limit: 500 })).items.length;
}

/** Files under `dir`, recursively, relative; [] when it does not exist. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => !e.isDirectory()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();
}

/** `store` with some methods replaced (the rest bound to it): a test's view of a store at a chosen moment. */
export function overrideStore(store: Store, overrides: Partial<Store>): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (typeof property === 'string' && property in overrides) return overrides[property as keyof Store];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
