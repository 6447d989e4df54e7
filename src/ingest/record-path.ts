// Confines a path reported by a recorder (nginx-rtmp, SRS, MediaMTX) to the configured record
// directory. The report is untrusted (anyone who can reach the hook, or an RTMP publisher
// choosing stream names, shapes it), so: no `..` segments at all, a lexical check before touching
// the file system (a path outside answers 403 whether or not it exists, so the hook is no oracle
// for files elsewhere), then realpath on both sides so symlinks cannot lead out.
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { checkLocalFile, type LocalFile } from '../jobs/local-source.ts';
import { IntakeError } from './intake.ts';

/** The file's canonical path (symlinks resolved), size and modification time (whole milliseconds). */
export type RecordFile = LocalFile;

export interface ResolveRecordPathOptions {
  /** Base for a relative `reported` path (SRS reports `file` relative to its `cwd`). Without it, a relative path is refused. */
  baseDir?: string;
  /** The field the path came from, for messages (default `path`). */
  field?: string;
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
  // A record directory that cannot be resolved is the operator's to fix, not the recorder's.
  try {
    await realpath(configuredDir);
  } catch (error) {
    throw new IntakeError(500, `record directory ${configuredDir} cannot be resolved (${errorCode(error) ?? String(error)}): fix the ingest configuration`);
  }
  const checked = await checkLocalFile([configuredDir], absolute);
  if ('file' in checked) return checked.file;
  const shown = `${field} ${JSON.stringify(reported)}`;
  switch (checked.reason) {
    case 'outside': throw new IntakeError(403, `${shown} is outside the record directory ${configuredDir} (configure the record directory as the recorder spells it)`);
    // Do not say where the link points.
    case 'link-outside': throw new IntakeError(403, `${shown} resolves (through a symbolic link) outside the record directory ${configuredDir}`);
    case 'missing': throw new IntakeError(422, `${shown}: no such file`);
    case 'loop': throw new IntakeError(422, `${shown}: too many levels of symbolic links`);
    case 'denied': throw new IntakeError(422, `${shown}: permission denied`);
    case 'not-file': throw new IntakeError(422, `${shown} is not a regular file (${checked.detail ?? 'something else'})`);
    case 'empty': throw new IntakeError(422, `${shown} is empty (0 bytes): nothing was recorded`);
    case 'nul': throw new IntakeError(400, `${field} contains a NUL byte`);
    case 'unresolvable': case 'unreadable': throw new IntakeError(422, `${shown} cannot be resolved (${checked.detail ?? 'unknown error'})`);
  }
}
