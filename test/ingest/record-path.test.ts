import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveRecordPath } from '../../src/ingest/record-path.ts';
import { expectIntakeError, recordDirFixture, type RecordDirFixture } from './helpers.ts';

describe('resolveRecordPath', () => {
  let fx: RecordDirFixture;
  before(async () => {
    fx = await recordDirFixture();
  });
  after(() => fx.cleanup());

  it('returns the canonical path, size and whole-ms mtime of a file inside', async () => {
    const file = await fx.write('live/keynote-1795481237.flv', 'x'.repeat(1234));
    const resolved = await resolveRecordPath(fx.recordDir, file);
    const stats = await stat(file);
    assert.deepEqual(resolved, { path: file, size: 1234, mtimeMs: Math.trunc(stats.mtimeMs) });
  });

  it('accepts the record dir configured through a symlink, reported either way', async () => {
    const alias = path.join(fx.root, 'rec-alias');
    await symlink(fx.recordDir, alias);
    const file = await fx.write('via-alias.flv');
    assert.equal((await resolveRecordPath(alias, file)).path, file);
    assert.equal((await resolveRecordPath(alias, path.join(alias, 'via-alias.flv'))).path, file);
    // A third spelling the configuration does not know is lexically outside: refused before any lookup.
    await expectIntakeError(resolveRecordPath(fx.recordDir, path.join(alias, 'via-alias.flv')), 403, /outside/);
  });

  it('resolves a relative path against baseDir, and refuses it without one (422)', async () => {
    const file = await fx.write('objs/live/stream.flv');
    assert.equal((await resolveRecordPath(fx.recordDir, './objs/live/stream.flv', { baseDir: fx.recordDir })).path, file);
    await expectIntakeError(resolveRecordPath(fx.recordDir, 'objs/live/stream.flv'), 422, /relative/);
  });

  it('refuses a path outside the record dir with 403, whether or not it exists', async () => {
    const outside = await fx.writeOutside('secret.flv');
    await expectIntakeError(resolveRecordPath(fx.recordDir, outside), 403, /outside the record directory/);
    await expectIntakeError(resolveRecordPath(fx.recordDir, path.join(fx.outsideDir, 'missing.flv')), 403, /outside/);
    await expectIntakeError(resolveRecordPath(fx.recordDir, '/etc/passwd'), 403, /outside/);
    // A sibling whose name starts with the record dir's name is still outside.
    await mkdir(`${fx.recordDir}-evil`, { recursive: true });
    await expectIntakeError(resolveRecordPath(fx.recordDir, `${fx.recordDir}-evil/x.flv`), 403, /outside/);
  });

  it('refuses any ".." segment with 403, even one that would land inside', async () => {
    await fx.write('a/inside.flv');
    await expectIntakeError(resolveRecordPath(fx.recordDir, `${fx.recordDir}/../outside/secret.flv`), 403, /"\.\."/);
    await expectIntakeError(resolveRecordPath(fx.recordDir, `${fx.recordDir}/a/../a/inside.flv`), 403, /"\.\."/);
    await expectIntakeError(resolveRecordPath(fx.recordDir, '../outside/secret.flv', { baseDir: fx.recordDir }), 403, /"\.\."/);
    await expectIntakeError(resolveRecordPath(fx.recordDir, 'x.flv', { baseDir: `${fx.recordDir}/..` }), 403, /"\.\."/);
  });

  it('refuses a symlink (file or directory) that leads out with 403, without saying where', async () => {
    const target = await fx.writeOutside('linked.flv');
    const fileLink = await fx.link('link-out.flv', target);
    await expectIntakeError(resolveRecordPath(fx.recordDir, fileLink), 403, /symbolic link/);
    const dirLink = await fx.link('dir-out', fx.outsideDir);
    await expectIntakeError(
      resolveRecordPath(fx.recordDir, path.join(dirLink, 'linked.flv')),
      403,
      /^(?!.*outside\/linked).*resolves \(through a symbolic link\) outside/,
    );
  });

  it('accepts a symlink that stays inside', async () => {
    const target = await fx.write('real/target.flv');
    const link = await fx.link('alias.flv', target);
    assert.equal((await resolveRecordPath(fx.recordDir, link)).path, target);
  });

  it('refuses a missing file, a directory and an empty file with 422', async () => {
    await expectIntakeError(resolveRecordPath(fx.recordDir, path.join(fx.recordDir, 'nope.flv')), 422, /no such file/);
    await expectIntakeError(resolveRecordPath(fx.recordDir, path.join(fx.recordDir, 'nope/deeper.flv')), 422, /no such file/);
    await mkdir(path.join(fx.recordDir, 'adir'));
    await expectIntakeError(resolveRecordPath(fx.recordDir, path.join(fx.recordDir, 'adir')), 422, /not a regular file/);
    const empty = await fx.write('empty.flv', '');
    await expectIntakeError(resolveRecordPath(fx.recordDir, empty), 422, /empty \(0 bytes\)/);
  });

  it('refuses a dangling symlink inside with 422', async () => {
    const link = await fx.link('dangling.flv', path.join(fx.recordDir, 'gone.flv'));
    await expectIntakeError(resolveRecordPath(fx.recordDir, link), 422, /no such file/);
  });

  it('refuses empty paths and NUL bytes with 400', async () => {
    await expectIntakeError(resolveRecordPath(fx.recordDir, ''), 400, /empty/);
    await expectIntakeError(resolveRecordPath(fx.recordDir, `${fx.recordDir}/a\0b.flv`), 400, /NUL/);
  });

  it('answers 500 when the record directory itself does not exist', async () => {
    const gone = await mkdtemp(path.join(tmpdir(), 'live2vod-gone-'));
    await rm(gone, { recursive: true });
    await expectIntakeError(resolveRecordPath(gone, path.join(gone, 'x.flv')), 500, /record directory .* cannot be resolved/);
  });
});
