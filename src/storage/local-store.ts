// An ObjectStore over a local directory: keys are relative paths under the root.
// Puts are atomic for readers: bytes go to `<file>.<random>.partial`, which is renamed into place
// when complete (so a half-written segment is never served); `.partial` files are never listed.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { InputError } from '../errors/index.ts';
import type { ObjectInfo, ObjectStore, PutOptions } from './object-store.ts';
import { StorageError } from './storage-error.ts';
import { encodeKeyForUrl } from './uri.ts';

export interface LocalStoreOptions {
  /** URL under which the root directory is served (e.g. `http://host:8080/media`); absent: file:// URLs. */
  mediaBaseUrl?: string;
}

const partialSuffix = '.partial';

/** Refuses keys that would escape the root or cannot be files. */
function checkKey(key: string): void {
  if (key.length === 0) throw new InputError('an empty object key was given');
  if (key.startsWith('/') || key.endsWith('/')) throw new InputError(`the object key ${JSON.stringify(key)} must not start or end with "/"`);
  if (key.includes('\0')) throw new InputError(`the object key ${JSON.stringify(key)} contains a NUL character`);
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') throw new InputError(`the object key ${JSON.stringify(key)} has an empty, "." or ".." path segment`);
  }
  if (key.endsWith(partialSuffix)) throw new InputError(`the object key ${JSON.stringify(key)} ends in ${partialSuffix}, which is reserved for uploads in progress`);
}

function errnoCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function fsError(error: unknown, what: string, key: string): StorageError {
  const code = errnoCode(error);
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
    case 'EISDIR':
      return new StorageError(`${what}: no such object`, { reason: 'not-found', retryable: false, code, key, cause: error });
    case 'ENOSPC':
    case 'EDQUOT':
      return new StorageError(`${what}: the disk is full; free space or choose another location`, { reason: 'transient', retryable: true, code, key, cause: error });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      // Like OutputError: permissions on a mounted volume are often fixed by the next pod.
      return new StorageError(`${what}: permission denied or read-only file system (${code}); check the directory's owner and mount`, { reason: 'access-denied', retryable: true, code, key, cause: error });
    default:
      return new StorageError(`${what}: ${(error as Error).message}`, { reason: 'unknown', retryable: true, ...(code !== undefined ? { code } : {}), key, cause: error });
  }
}

/** Compares as S3 lists: by the UTF-8 bytes of the key. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export class LocalObjectStore implements ObjectStore {
  readonly uri: string;
  readonly root: string;
  readonly #mediaBaseUrl: string | undefined;

  constructor(rootDir: string, options: LocalStoreOptions = {}) {
    this.root = resolve(rootDir);
    this.uri = pathToFileURL(this.root).href;
    this.#mediaBaseUrl = options.mediaBaseUrl?.replace(/\/+$/, '');
  }

  /** The file that holds `key`. */
  pathOf(key: string): string {
    checkKey(key);
    return join(this.root, ...key.split('/'));
  }

  async get(key: string, range?: { start: number; end: number }): Promise<Readable> {
    const file = this.pathOf(key);
    const what = `cannot read ${file}`;
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (error) {
      throw fsError(error, what, key);
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new StorageError(`${what}: not a file`, { reason: 'not-found', retryable: false, key });
      if (range === undefined) return handle.createReadStream();
      checkRange(range, info.size, file, key);
      return handle.createReadStream({ start: range.start, end: Math.min(range.end, info.size - 1) });
    } catch (error) {
      await handle.close();
      throw error instanceof StorageError ? error : fsError(error, what, key);
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const file = this.pathOf(key);
    try {
      const info = await stat(file);
      if (!info.isFile()) return undefined;
      return { key, size: info.size, etag: `${Math.trunc(info.mtimeMs).toString(16)}-${info.size.toString(16)}`, lastModified: info.mtime };
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw fsError(error, `cannot stat ${file}`, key);
    }
  }

  async put(key: string, body: Readable | Buffer | string, _options: PutOptions): Promise<void> {
    const file = this.pathOf(key);
    const partial = `${file}.${randomBytes(4).toString('hex')}${partialSuffix}`;
    const what = `cannot write ${file}`;
    try {
      await mkdir(dirname(file), { recursive: true });
      if (typeof body === 'string' || Buffer.isBuffer(body)) await writeFile(partial, body);
      else await pipeline(body, createWriteStream(partial));
      await rename(partial, file);
    } catch (error) {
      await unlink(partial).catch(() => {});
      // A failing source stream is not a storage problem: let its own error through.
      if (errnoCode(error) === undefined && !(error instanceof StorageError)) throw error;
      throw error instanceof StorageError ? error : fsError(error, what, key);
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    // Walk from the deepest directory that the prefix names completely.
    const lastSlash = prefix.lastIndexOf('/');
    const dirKey = lastSlash === -1 ? '' : prefix.slice(0, lastSlash);
    const startDir = dirKey === '' ? this.root : join(this.root, ...dirKey.split('/'));
    if (!resolve(startDir).startsWith(this.root)) return [];
    const out: ObjectInfo[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        const code = errnoCode(error);
        if (code === 'ENOENT' || code === 'ENOTDIR') return;
        throw fsError(error, `cannot list ${dir}`, keyPrefix);
      }
      for (const entry of entries) {
        const key = keyPrefix + entry.name;
        if (entry.isDirectory()) {
          // Only descend where keys can still match the prefix.
          const asDir = `${key}/`;
          if (asDir.startsWith(prefix) || prefix.startsWith(asDir)) await walk(join(dir, entry.name), asDir);
        } else if (entry.isFile() && key.startsWith(prefix) && !entry.name.endsWith(partialSuffix)) {
          try {
            const info = await stat(join(dir, entry.name));
            out.push({ key, size: info.size, etag: `${Math.trunc(info.mtimeMs).toString(16)}-${info.size.toString(16)}`, lastModified: info.mtime });
          } catch (error) {
            if (errnoCode(error) !== 'ENOENT') throw fsError(error, `cannot stat ${join(dir, entry.name)}`, key);
          }
        }
      }
    };
    await walk(startDir, dirKey === '' ? '' : `${dirKey}/`);
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }

  async delete(keys: readonly string[]): Promise<void> {
    const dirs = new Set<string>();
    for (const key of keys) {
      const file = this.pathOf(key);
      try {
        await rm(file, { force: true });
      } catch (error) {
        throw fsError(error, `cannot delete ${file}`, key);
      }
      dirs.add(dirname(file));
    }
    // Remove directories the deletes left empty, up to (not including) the root.
    for (const start of [...dirs].sort((a, b) => b.length - a.length)) {
      for (let dir = start; dir !== this.root && dir.startsWith(this.root + sep); dir = dirname(dir)) {
        try {
          await rmdir(dir);
        } catch {
          break; // not empty (or gone): stop climbing
        }
      }
    }
  }

  async url(key: string): Promise<string> {
    const file = this.pathOf(key);
    return this.#mediaBaseUrl !== undefined ? `${this.#mediaBaseUrl}/${encodeKeyForUrl(key)}` : pathToFileURL(file).href;
  }

  /** Nothing to release; present so callers can close any store alike. */
  async close(): Promise<void> {}
}

function checkRange(range: { start: number; end: number }, size: number, file: string, key: string): void {
  if (!Number.isInteger(range.start) || !Number.isInteger(range.end) || range.start < 0 || range.end < range.start || range.start >= size) {
    throw new StorageError(`cannot read bytes ${range.start}-${range.end} of ${file}: it has ${size} bytes`, { reason: 'invalid-request', retryable: false, code: 'InvalidRange', key });
  }
}
