// Shared by the ingest adapter tests: inbound requests as the HTTP layer hands them over, real
// record directories in temp dirs, and an assertion for IntakeError refusals.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IntakeError, type InboundRequest } from '../../src/ingest/intake.ts';

export const fixedNow = new Date('2026-03-01T12:00:00Z');

export function inbound(overrides: Partial<Omit<InboundRequest, 'rawBody'>> & { body?: string | Buffer } = {}): InboundRequest {
  const { body, ...rest } = overrides;
  return {
    headers: {},
    query: {},
    contentType: 'application/json',
    now: fixedNow,
    ...rest,
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body ?? '', 'utf8'),
  };
}

export function jsonRequest(value: unknown, overrides: Partial<Omit<InboundRequest, 'rawBody'>> = {}): InboundRequest {
  return inbound({ contentType: 'application/json', ...overrides, body: JSON.stringify(value) });
}

export async function expectIntakeError(action: Promise<unknown> | (() => unknown), status: number, message?: RegExp): Promise<void> {
  const run = typeof action === 'function' ? async () => action() : () => action;
  await assert.rejects(run, (error: unknown) => {
    assert.ok(error instanceof IntakeError, `expected IntakeError, got ${String(error)}`);
    assert.equal(error.status, status, `status of "${error.message}"`);
    if (message) assert.match(error.message, message);
    return true;
  });
}

export interface RecordDirFixture {
  /** The temp root (canonical): holds `rec/` and `outside/`. */
  root: string;
  /** The record directory (canonical). */
  recordDir: string;
  /** A directory next to it, outside. */
  outsideDir: string;
  /** Writes a file under the record directory (relative path) and returns its absolute path. */
  write(relative: string, content?: string | Buffer): Promise<string>;
  /** Writes a file under the outside directory. */
  writeOutside(relative: string, content?: string | Buffer): Promise<string>;
  /** Creates a symlink at `relative` (inside the record dir) pointing to `target`. */
  link(relative: string, target: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function recordDirFixture(): Promise<RecordDirFixture> {
  const root = await realpath(await mkdtemp(path.join(tmpdir(), 'live2vod-ingest-')));
  const recordDir = path.join(root, 'rec');
  const outsideDir = path.join(root, 'outside');
  await mkdir(recordDir);
  await mkdir(outsideDir);
  const writeUnder = async (base: string, relative: string, content: string | Buffer = 'FLV\x01 recorded bytes') => {
    const file = path.join(base, relative);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
    return file;
  };
  return {
    root,
    recordDir,
    outsideDir,
    write: (relative, content) => writeUnder(recordDir, relative, content),
    writeOutside: (relative, content) => writeUnder(outsideDir, relative, content),
    async link(relative, target) {
      const file = path.join(recordDir, relative);
      await mkdir(path.dirname(file), { recursive: true });
      await symlink(target, file);
      return file;
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
