// ffmpeg's `-encoders` and `-filters` listings, kept on disk between processes: every job's worker
// asked for both, two ffmpeg start-ups (~0.25 s of CPU with Debian's 200 shared libraries) before
// its first real step. An entry belongs to one executable, named by its real path, size and
// modification time, so an upgraded or swapped ffmpeg is asked again (not when only its shared
// libav libraries are swapped under it, e.g. for libavcodec-extra: remove the directory then). The directory is this user's
// own (0700, checked), so another account cannot plant a listing; anything unexpected means asking.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, lstat, mkdir, readFile, realpath, rename, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Names the cache directory for child processes whose own temp directory is private (workers). */
export const listingDirVariable = 'LIVE2VOD_FFMPEG_LISTINGS';

/** $LIVE2VOD_FFMPEG_LISTINGS, else `ffmpeg-listings-<uid>` in the temp directory. */
export function listingDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  // process.getuid, not os.userInfo: a container may run as a uid without a passwd entry, where userInfo throws.
  return env[listingDirVariable] ?? path.join(os.tmpdir(), `ffmpeg-listings-${process.getuid?.() ?? 'user'}`);
}

export interface ListingCacheOptions {
  /** Default: listingDir(). */
  dir?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/** The listing `ffmpeg <args>` printed, from the cache or from `ask` (whose answer is then kept). */
export async function cachedListing(ffmpeg: string, args: readonly string[], ask: () => Promise<string>, options: ListingCacheOptions = {}): Promise<string> {
  const where = await entryFor(ffmpeg, args, options).catch(() => undefined);
  if (where) {
    const kept = await readFile(where.file, 'utf8').catch(() => undefined);
    if (kept !== undefined) {
      const entry = parseEntry(kept);
      if (entry?.key === where.key) return entry.listing;
    }
  }
  const listing = await ask();
  if (where) await keep(where.file, where.key, listing).catch(() => undefined);
  return listing;
}

async function entryFor(ffmpeg: string, args: readonly string[], options: ListingCacheOptions): Promise<{ file: string; key: string }> {
  const executable = await resolveExecutable(ffmpeg, options.env ?? process.env);
  const info = await stat(executable);
  const key = JSON.stringify([executable, info.size, info.mtimeMs, args]);
  const dir = options.dir ?? listingDir(options.env);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // lstat: a link planted in the shared temp directory is not this user's directory, wherever it points.
  const own = await lstat(dir);
  const uid = process.getuid?.();
  if (!own.isDirectory() || (uid !== undefined && own.uid !== uid) || (own.mode & 0o077) !== 0) throw new Error(`${dir} is not this user's own`);
  return { file: path.join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`), key };
}

/** The file `command` runs: a path as given, a bare name looked up on PATH as the shell would. */
async function resolveExecutable(command: string, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  if (command.includes('/')) return realpath(command);
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, command);
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return realpath(candidate);
  }
  throw new Error(`${command} is not on PATH`);
}

function parseEntry(text: string): { key: string; listing: string } | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && 'key' in value && 'listing' in value && typeof value.key === 'string' && typeof value.listing === 'string') return { key: value.key, listing: value.listing };
  } catch {
    // A torn or foreign file: asked again and rewritten.
  }
  return undefined;
}

async function keep(file: string, key: string, listing: string): Promise<void> {
  // Written aside and renamed: a reader sees the old entry or the new one, never half of one.
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify({ key, listing }), { mode: 0o600 });
  await rename(temporary, file);
}
