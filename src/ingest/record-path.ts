// Confines a path reported by a recorder (nginx-rtmp, SRS, MediaMTX) to the configured record
// directory. The report is untrusted (anyone who can reach the hook, or an RTMP publisher
// choosing stream names, shapes it), so: no `..` segments at all, a lexical check before touching
// the file system (a path outside answers 403 whether or not it exists, so the hook is no oracle
// for files elsewhere), then realpath on both sides so symlinks cannot lead out.
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { IntakeError } from './intake.ts';

export interface RecordFile {
  /** The file's canonical path (symlinks resolved). */
  path: string;
  size: number;
  /** Modification time, whole milliseconds. */
  mtimeMs: number;
}

export interface ResolveRecordPathOptions {
  /** Base for a relative `reported` path (SRS reports `file` relative to its `cwd`). Without it, a relative path is refused. */
  baseDir?: string;
  /** The field the path came from, for messages (default `path`). */
  field?: string;
}

function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function hasDotDot(p: string): boolean {
  return p.split(/[\\/]/).includes('..');
}

function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/**
 * Resolves `reported` inside `recordDir` and checks it is a non-empty regular file.
 * Throws IntakeError: 400 (not a usable path string), 403 (outside the record directory, `..`,
 * or a symlink leading out), 422 (relative without a base, missing, not a regular file, empty),
 * 500 (the record directory itself cannot be resolved: a configuration problem).
 */
export async function resolveRecordPath(recordDir: string, reported: string, options: ResolveRecordPathOptions = {}): Promise<RecordFile> {
  const field = options.field ?? 'path';
  if (reported === '') throw new IntakeError(400, `${field} is empty`);
  if (reported.includes('\0')) throw new IntakeError(400, `${field} contains a NUL byte`);
  if (hasDotDot(reported) || (options.baseDir !== undefined && hasDotDot(options.baseDir))) {
    throw new IntakeError(403, `${field} ${JSON.stringify(reported)} contains a ".." segment; recordings are accepted only inside the record directory`);
  }

  let absolute: string;
  if (path.isAbsolute(reported)) {
    absolute = path.resolve(reported);
  } else if (options.baseDir !== undefined && path.isAbsolute(options.baseDir) && !options.baseDir.includes('\0')) {
    absolute = path.resolve(options.baseDir, reported);
  } else {
    throw new IntakeError(422, `${field} ${JSON.stringify(reported)} is relative; configure the recorder to write to an absolute path under the record directory`);
  }

  const configuredDir = path.resolve(recordDir);
  let realDir: string;
  try {
    realDir = await realpath(configuredDir);
  } catch (error) {
    throw new IntakeError(500, `record directory ${configuredDir} cannot be resolved (${errorCode(error) ?? String(error)}): fix the ingest configuration`);
  }

  // Lexical check first: either spelling of the record directory (as configured, or canonical).
  if (!isInside(configuredDir, absolute) && !isInside(realDir, absolute)) {
    throw new IntakeError(403, `${field} ${JSON.stringify(reported)} is outside the record directory ${configuredDir} (configure the record directory as the recorder spells it)`);
  }

  let real: string;
  try {
    real = await realpath(absolute);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new IntakeError(422, `${field} ${JSON.stringify(reported)}: no such file`);
    if (code === 'ELOOP') throw new IntakeError(422, `${field} ${JSON.stringify(reported)}: too many levels of symbolic links`);
    if (code === 'EACCES' || code === 'EPERM') throw new IntakeError(422, `${field} ${JSON.stringify(reported)}: permission denied`);
    throw new IntakeError(422, `${field} ${JSON.stringify(reported)} cannot be resolved (${code ?? 'unknown error'})`);
  }
  if (!isInside(realDir, real)) {
    // Do not say where the link points.
    throw new IntakeError(403, `${field} ${JSON.stringify(reported)} resolves (through a symbolic link) outside the record directory ${configuredDir}`);
  }

  // lstat on the canonical path: it must still be a regular file, not something swapped in since.
  let stats;
  try {
    stats = await lstat(real);
  } catch (error) {
    throw new IntakeError(422, `${field} ${JSON.stringify(reported)} cannot be read (${errorCode(error) ?? 'unknown error'})`);
  }
  if (!stats.isFile()) throw new IntakeError(422, `${field} ${JSON.stringify(reported)} is not a regular file`);
  if (stats.size === 0) throw new IntakeError(422, `${field} ${JSON.stringify(reported)} is empty (0 bytes): nothing was recorded`);
  return { path: real, size: stats.size, mtimeMs: Math.trunc(stats.mtimeMs) };
}
