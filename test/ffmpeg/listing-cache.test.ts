// The on-disk cache of ffmpeg's listings: asked once per executable, asked again when the
// executable changes, and never trusted from a directory other accounts could write.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cachedListing } from '../../src/ffmpeg/listing-cache.ts';

describe('ffmpeg listing cache', () => {
  let root: string;
  let ffmpeg: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'live2vod-listing-cache-'));
    ffmpeg = path.join(root, 'ffmpeg');
    await writeFile(ffmpeg, '#!/bin/sh\n', { mode: 0o755 });
  });
  after(() => rm(root, { recursive: true, force: true }));

  const counting = (answer: string): { ask: () => Promise<string>; asked: () => number } => {
    let count = 0;
    return { ask: async () => { count++; return answer; }, asked: () => count };
  };

  it('asks once and answers from disk after that, per executable and arguments', async () => {
    const dir = path.join(root, 'one');
    const first = counting('V..... libx264\n');
    assert.equal(await cachedListing(ffmpeg, ['-encoders'], first.ask, { dir }), 'V..... libx264\n');
    assert.equal(await cachedListing(ffmpeg, ['-encoders'], first.ask, { dir }), 'V..... libx264\n');
    assert.equal(first.asked(), 1);
    const filters = counting('filters');
    assert.equal(await cachedListing(ffmpeg, ['-filters'], filters.ask, { dir }), 'filters');
    assert.equal(filters.asked(), 1, 'other arguments are another entry');
  });

  it('finds a bare name on PATH, and asks again once the executable changed', async () => {
    const dir = path.join(root, 'two');
    const env = { PATH: `${path.join(root, 'nowhere')}${path.delimiter}${root}` };
    const before = counting('old');
    assert.equal(await cachedListing('ffmpeg', ['-encoders'], before.ask, { dir, env }), 'old');
    await utimes(ffmpeg, new Date(), new Date(Date.now() + 60_000));
    const after = counting('new');
    assert.equal(await cachedListing('ffmpeg', ['-encoders'], after.ask, { dir, env }), 'new');
    assert.equal(after.asked(), 1);
  });

  it('asks again over a torn entry and rewrites it', async () => {
    const dir = path.join(root, 'three');
    await cachedListing(ffmpeg, ['-encoders'], async () => 'whole', { dir });
    const [file] = await readdir(dir);
    await writeFile(path.join(dir, file ?? ''), '{"key": "half');
    const again = counting('whole');
    assert.equal(await cachedListing(ffmpeg, ['-encoders'], again.ask, { dir }), 'whole');
    assert.equal(await cachedListing(ffmpeg, ['-encoders'], again.ask, { dir }), 'whole');
    assert.equal(again.asked(), 1);
  });

  it('does not trust a directory others can write: asks every time', async () => {
    const dir = path.join(root, 'shared');
    await cachedListing(ffmpeg, ['-encoders'], async () => 'mine', { dir });
    await chmod(dir, 0o777);
    const planted = counting('asked');
    assert.equal(await cachedListing(ffmpeg, ['-encoders'], planted.ask, { dir }), 'asked');
    assert.equal(await cachedListing(ffmpeg, ['-encoders'], planted.ask, { dir }), 'asked');
    assert.equal(planted.asked(), 2);
  });

  it('does not follow a link planted where the directory should be, even to a directory of this user', async () => {
    const real = path.join(root, 'real');
    await cachedListing(ffmpeg, ['-encoders'], async () => 'real', { dir: real });
    const link = path.join(root, 'link');
    await symlink(real, link);
    const through = counting('asked');
    assert.equal(await cachedListing(ffmpeg, ['-encoders'], through.ask, { dir: link }), 'asked');
    assert.equal(through.asked(), 1);
  });

  it('asks when the executable cannot be found, and keeps nothing', async () => {
    const dir = path.join(root, 'missing');
    const asked = counting('x');
    assert.equal(await cachedListing(path.join(root, 'no-ffmpeg'), ['-encoders'], asked.ask, { dir }), 'x');
    assert.equal(await cachedListing(path.join(root, 'no-ffmpeg'), ['-encoders'], asked.ask, { dir }), 'x');
    assert.equal(asked.asked(), 2);
  });
});
