// Where `serve` keeps things on disk, from the configuration: one place that knows the data
// directory's folders and which of them (with the configured roots) recordings may come from.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config/schema.ts';
import { UsageError } from '../../errors/index.ts';
import { isInside } from '../../jobs/local-source.ts';
import { makeDirectories } from '../../pipeline/make-directories.ts';
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

/** Whether `dir` is the data directory or inside it: serve makes such a directory itself. */
function insideDataDir(layout: DataLayout, dir: string): boolean {
  return dir === layout.dataDir || isInside(layout.dataDir, dir);
}

/**
 * Refuses a record directory that is not one, before anything listens: the recorder hooks would
 * take every finished recording's webhook and lose it (the recorders do not send it again). One
 * inside the data directory that does not exist yet is made with it.
 */
export async function checkRecordDir(layout: DataLayout, config: Config): Promise<void> {
  const dir = layout.recordDir;
  if (dir === undefined) return;
  const given = config.recordDir !== undefined && !path.isAbsolute(config.recordDir) ? ` (${JSON.stringify(config.recordDir)}, relative to the working directory ${process.cwd()})` : '';
  const fix = 'set recordDir (--record-dir, LIVE2VOD_RECORD_DIR) to the directory your recorder writes its recordings into, as an absolute path';
  const found = await stat(dir).catch((error: NodeJS.ErrnoException) => error);
  if (found instanceof Error) {
    if (found.code === 'ENOENT' && insideDataDir(layout, dir)) return;
    throw new UsageError(`recordDir ${dir}${given} cannot be used (${found.code ?? found.message}): ${fix}`);
  }
  if (!found.isDirectory()) throw new UsageError(`recordDir ${dir}${given} is not a directory: ${fix}`);
}

export async function makeDataDirs(layout: DataLayout): Promise<void> {
  const recordDir = layout.recordDir !== undefined && insideDataDir(layout, layout.recordDir) ? [layout.recordDir] : [];
  // Not mkdir's recursive: it never returns for a mistyped --data under /proc (make-directories.ts).
  await Promise.all([layout.mediaRoot, layout.inboxDir, layout.uploadDir, path.join(layout.dataDir, 'tasks'), ...recordDir].map((d) => makeDirectories(d)));
}
