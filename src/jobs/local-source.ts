// Checks a local source the way a worker will open it: the real path (symbolic links resolved)
// must lie under a real source root, and be a non-empty regular file (not a FIFO, a device or a
// directory: ffmpeg would block on a FIFO forever and read a device without end). The job then
// names the real path, so the worker opens what was checked (see src/pipeline/local-input.ts).
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';

export interface LocalFile {
  /** Canonical: no symbolic link on the way. */
  path: string;
  size: number;
  mtimeMs: number;
}

/** Why a path was refused, for callers that word it their own way (the recorder hooks). */
export type RefusalReason = 'nul' | 'outside' | 'link-outside' | 'missing' | 'loop' | 'denied' | 'unresolvable' | 'unreadable' | 'not-file' | 'empty';

export type LocalCheck = { file: LocalFile } | { refusal: string; reason: RefusalReason; detail?: string };

export function isInside(root: string, child: string): boolean {
  const relative = path.relative(root, child);
  // `..x` is a child's name, not a way out.
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** What a non-regular file is, in words, for the refusal. */
export function fileKind(stats: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSymbolicLink(): boolean }): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** Resolves the roots that exist (a root not made yet holds nothing). */
async function realRoots(roots: readonly string[]): Promise<string[]> {
  const resolved = await Promise.all(roots.map((root) => realpath(root).catch(() => undefined)));
  return resolved.filter((r): r is string => r !== undefined);
}

/**
 * Checks `given` (absolute) against `roots` (absolute). The lexical check comes first, so a path
 * outside the roots is refused whether or not it exists (no oracle for files elsewhere); a link
 * that leads out is refused without saying where it points.
 */
export async function checkLocalFile(roots: readonly string[], given: string): Promise<LocalCheck> {
  const shown = JSON.stringify(given);
  const where = `local sources must lie under ${roots.join(' or ') || 'a configured source root'}`;
  if (given.includes('\0')) return { refusal: 'the source path contains a NUL byte', reason: 'nul' };
  const absolute = path.resolve(given);
  const canonicalRoots = await realRoots(roots);
  // A root itself is inside nothing, but "must lie under <it>" would contradict the path given.
  if ([...roots, ...canonicalRoots].some((root) => path.resolve(root) === absolute)) {
    return { refusal: `${shown} is a source root, a directory, not a recording: name a file in it`, reason: 'not-file', detail: 'a directory' };
  }
  // Either spelling of a root: as configured, or canonical.
  if (![...roots, ...canonicalRoots].some((root) => isInside(root, absolute))) {
    return { refusal: `${where}: add the directory to sourceRoots in the configuration (see docs/operations.md, "Source roots"), or upload the file (POST /v1/uploads)`, reason: 'outside' };
  }
  let real: string;
  try {
    real = await realpath(absolute);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { refusal: `${shown} does not exist: check the path`, reason: 'missing' };
    if (code === 'ELOOP') return { refusal: `${shown}: too many levels of symbolic links`, reason: 'loop' };
    if (code === 'EACCES' || code === 'EPERM') return { refusal: `${shown} cannot be read by live2vod (permission denied)`, reason: 'denied' };
    return { refusal: `${shown} cannot be resolved (${code ?? 'unknown error'})`, reason: 'unresolvable', detail: code ?? 'unknown error' };
  }
  if (!canonicalRoots.some((root) => isInside(root, real))) {
    return { refusal: `${shown} resolves through a symbolic link to a place outside the source roots; ${where}`, reason: 'link-outside' };
  }
  const stats = await lstat(real).catch(() => undefined);
  if (!stats) return { refusal: `${shown} cannot be read`, reason: 'unreadable' };
  if (!stats.isFile()) return { refusal: `${shown} is ${fileKind(stats)}, not a recording: name a regular file`, reason: 'not-file', detail: fileKind(stats) };
  if (stats.size === 0) return { refusal: `${shown} is empty (0 bytes)`, reason: 'empty' };
  return { file: { path: real, size: stats.size, mtimeMs: Math.trunc(stats.mtimeMs) } };
}
