// makeDirectories: mkdir -p that ends where Node's recursive mkdir spins forever (a parent that
// refuses every child with ENOENT, as /proc does), so a mistyped --out fails instead of hanging.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OutputError } from '../../src/errors/index.ts';
import { makeDirectories } from '../../src/pipeline/make-directories.ts';
import { OutputDir } from '../../src/pipeline/output-dir.ts';

describe('makeDirectories', { timeout: 10_000 }, () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'live2vod-mkdirs-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('makes the missing parents and returns the top-most one it made; nothing for an existing directory', async () => {
    assert.equal(await makeDirectories(path.join(dir, 'a', 'b', 'c')), path.join(dir, 'a'));
    assert.ok(existsSync(path.join(dir, 'a', 'b', 'c')));
    assert.equal(await makeDirectories(path.join(dir, 'a', 'b')), undefined);
  });

  it('two callers making the same directories at once both succeed (workers sharing a scratch root)', async () => {
    const deep = path.join(dir, 'shared', 'scratch', 'root');
    const made = await Promise.all(Array.from({ length: 6 }, () => makeDirectories(deep)));
    assert.ok(existsSync(deep));
    assert.ok(made.filter((m) => m !== undefined).length >= 1, 'one of them says it made the top');
  });

  it('refuses a file in the way', async () => {
    await writeFile(path.join(dir, 'file'), 'x');
    await assert.rejects(makeDirectories(path.join(dir, 'file')), { code: 'EEXIST' });
    await assert.rejects(makeDirectories(path.join(dir, 'file', 'below')), { code: 'ENOTDIR' });
  });

  it('fails at once under /proc, whose directories refuse children (Node\'s recursive mkdir never returns there)', async (t) => {
    if (!existsSync('/proc/self')) return t.skip('needs /proc');
    await assert.rejects(makeDirectories('/proc/live2vod-nothing/asset'), { code: 'ENOENT' });
    const out = new OutputDir('/proc/live2vod-nothing/asset');
    await assert.rejects(out.prepare(), (error: unknown) => error instanceof OutputError && /cannot create the output directory \/proc\/live2vod-nothing\/asset/.test(error.message));
  });
});
