// Where `serve` keeps things on disk, from the configuration: one place that knows the data
// directory's folders and which of them (with the configured roots) recordings may come from.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/schema.ts';
import type { StoreConfig } from '../../store/open-store.ts';

export interface DataLayout {
  dataDir: string;
  mediaRoot: string;
  inboxDir: string;
  /** Recordings uploaded through the API/dashboard; apart from the inbox, so the watch folder does not see them twice. */
  uploadDir: string;
  /** The recorder's directory (recorder hooks resolve relative paths against it). */
  recordDir: string | undefined;
  /** Every directory a local source may lie under. */
  sourceRoots: string[];
  store: StoreConfig;
}

export function dataLayout(config: Config): DataLayout {
  const dataDir = path.resolve(config.dataDir);
  const inboxDir = path.resolve(config.ingest.watch.dir ?? path.join(dataDir, 'inbox'));
  const uploadDir = path.join(dataDir, 'uploads');
  const recordDir = config.recordDir ? path.resolve(config.recordDir) : undefined;
  return {
    dataDir,
    mediaRoot: path.join(dataDir, 'media'),
    inboxDir,
    uploadDir,
    recordDir,
    sourceRoots: [inboxDir, uploadDir, ...(recordDir ? [recordDir] : []), ...config.sourceRoots.map((r) => path.resolve(r))],
    store: config.store.kind === 'sqlite'
      ? { kind: 'sqlite', file: path.resolve(config.store.file ?? path.join(dataDir, 'live2vod.db')) }
      : { kind: 'postgres', url: config.store.url, ...(config.store.schema ? { schema: config.store.schema } : {}) },
  };
}

export async function makeDataDirs(layout: DataLayout): Promise<void> {
  await Promise.all([layout.mediaRoot, layout.inboxDir, layout.uploadDir, path.join(layout.dataDir, 'tasks')].map((d) => mkdir(d, { recursive: true })));
}
