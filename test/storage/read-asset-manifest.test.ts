import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assetManifestReader, sharingReads } from '../../src/storage/read-asset-manifest.ts';

describe('reading an asset manifest', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'l2v-manifest-'));
    await mkdir(path.join(root, 'assets', 'a'), { recursive: true });
    await writeFile(path.join(root, 'assets', 'a', 'manifest.json'), JSON.stringify({ version: 1, durationSeconds: 12 }));
  });
  after(async () => rm(root, { recursive: true, force: true }));

  it('parses manifest.json under the media root', async () => {
    assert.deepEqual(await assetManifestReader(root, undefined)({ outputPrefix: 'assets/a' }), { version: 1, durationSeconds: 12 });
  });

  it('shares overlapping reads of one asset and reads again once they settled', async () => {
    let reads = 0;
    const shared = sharingReads(async (job) => {
      reads += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { prefix: job.outputPrefix, read: reads };
    });
    const [first, second, other] = await Promise.all([shared({ outputPrefix: 'x' }), shared({ outputPrefix: 'x' }), shared({ outputPrefix: 'y' })]);
    assert.equal(first, second, 'two readers of x at once got the same read');
    assert.deepEqual(other, { prefix: 'y', read: 2 });
    assert.equal(reads, 2);
    assert.deepEqual(await shared({ outputPrefix: 'x' }), { prefix: 'x', read: 3 }, 'a later read is fresh (chapters may have been edited)');
  });

  it('a failed read is not kept: the next read tries again', async () => {
    let reads = 0;
    const shared = sharingReads(async () => {
      reads += 1;
      if (reads === 1) throw new Error('bucket hiccup');
      return 'ok';
    });
    await assert.rejects(shared({ outputPrefix: 'x' }), /bucket hiccup/);
    assert.equal(await shared({ outputPrefix: 'x' }), 'ok');
  });
});
