import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../src/errors/index.ts';
import { LocalObjectStore } from '../../src/storage/local-store.ts';
import { openObjectLocation, openObjectStore } from '../../src/storage/open-store.ts';
import { StorageError } from '../../src/storage/storage-error.ts';

const headers = { contentType: 'text/plain', cacheControl: 'no-cache' };

describe('LocalObjectStore', () => {
  let root: string;
  let store: LocalObjectStore;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'live2vod-local-store-'));
    store = new LocalObjectStore(join(root, 'out'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('puts strings, buffers and streams, creating parent directories', async () => {
    await store.put('a/b/c.txt', 'hello', headers);
    await store.put('a/buf.bin', Buffer.from([1, 2, 3]), headers);
    await store.put('s/stream.txt', Readable.from(['str', 'eam']), headers);
    assert.equal(await readFile(join(root, 'out/a/b/c.txt'), 'utf8'), 'hello');
    assert.deepEqual(await readFile(join(root, 'out/a/buf.bin')), Buffer.from([1, 2, 3]));
    assert.equal(await text(await store.get('s/stream.txt')), 'stream');
  });

  it('leaves no .partial files behind, and replaces existing objects', async () => {
    await store.put('a/b/c.txt', 'replaced', headers);
    assert.equal(await text(await store.get('a/b/c.txt')), 'replaced');
    const names = await readdir(join(root, 'out/a/b'));
    assert.deepEqual(names, ['c.txt']);
  });

  it('removes the partial file when the body stream fails, keeping the old object', async () => {
    const failing = new Readable({
      read() {
        this.push('part');
        this.destroy(new Error('source broke'));
      },
    });
    await assert.rejects(store.put('a/b/c.txt', failing, headers), /source broke/);
    assert.equal(await text(await store.get('a/b/c.txt')), 'replaced');
    assert.deepEqual(await readdir(join(root, 'out/a/b')), ['c.txt']);
  });

  it('reads byte ranges with an inclusive end', async () => {
    await store.put('r.bin', Buffer.from('0123456789'), headers);
    assert.equal(await text(await store.get('r.bin', { start: 2, end: 4 })), '234');
    assert.equal(await text(await store.get('r.bin', { start: 8, end: 100 })), '89');
    await assert.rejects(store.get('r.bin', { start: 10, end: 12 }), (e: unknown) => e instanceof StorageError && e.code === 'InvalidRange');
  });

  it('heads objects, and answers undefined for missing ones', async () => {
    const info = await store.head('r.bin');
    assert.equal(info?.size, 10);
    assert.equal(info?.key, 'r.bin');
    assert.ok(info?.lastModified instanceof Date);
    assert.equal(await store.head('missing.bin'), undefined);
    assert.equal(await store.head('a'), undefined, 'a directory is not an object');
  });

  it('fails get of a missing object with a non-retryable not-found StorageError', async () => {
    await assert.rejects(store.get('nope/x.bin'), (e: unknown) => e instanceof StorageError && e.reason === 'not-found' && !e.retryable);
  });

  it('lists recursively under a prefix, sorted, without partial files', async () => {
    await writeFile(join(root, 'out/a/b/c.txt.1234.partial'), 'x');
    assert.deepEqual((await store.list('a/')).map((o) => o.key), ['a/b/c.txt', 'a/buf.bin']);
    assert.deepEqual((await store.list('a/b/')).map((o) => o.key), ['a/b/c.txt']);
    assert.deepEqual((await store.list('a/b')).map((o) => o.key), ['a/b/c.txt', 'a/buf.bin'], 'a prefix, not a directory, as in S3');
    assert.deepEqual((await store.list('a/bu')).map((o) => o.key), ['a/buf.bin']);
    assert.deepEqual((await store.list('')).map((o) => o.key), ['a/b/c.txt', 'a/buf.bin', 'r.bin', 's/stream.txt']);
    assert.deepEqual(await store.list('zzz/'), []);
    assert.equal((await store.list('r'))[0]?.size, 10);
  });

  it('deletes objects and the directories they leave empty', async () => {
    await store.delete(['s/stream.txt', 'missing-is-fine.txt']);
    assert.equal(await store.head('s/stream.txt'), undefined);
    await assert.rejects(stat(join(root, 'out/s')), { code: 'ENOENT' });
    await stat(join(root, 'out'));
  });

  it('keeps unusual key characters literally on disk', async () => {
    const key = 'x y/c+d/ünï%2Fslash.m4s';
    await store.put(key, 'odd', headers);
    assert.equal(await readFile(join(root, 'out', 'x y', 'c+d', 'ünï%2Fslash.m4s'), 'utf8'), 'odd');
    assert.deepEqual((await store.list('x y/')).map((o) => o.key), [key]);
  });

  it('refuses keys that would escape the root', async () => {
    for (const key of ['../x', 'a/../../x', '/abs', 'a//b', '', 'a/', 'x.partial']) {
      await assert.rejects(store.put(key, 'x', headers), InputError, key);
    }
  });

  it('gives file:// URLs, or media URLs with encoded segments', async () => {
    assert.equal(fileURLToPath(await store.url('a/b/c.txt')), join(root, 'out/a/b/c.txt'));
    const served = new LocalObjectStore(join(root, 'out'), { mediaBaseUrl: 'http://127.0.0.1:8080/media/' });
    assert.equal(await served.url('x y/c+d/ü%2F.m4s'), 'http://127.0.0.1:8080/media/x%20y/c%2Bd/%C3%BC%252F.m4s');
    assert.equal(store.uri, `file://${join(root, 'out')}`);
  });

  it('is what openObjectStore gives for paths and file:// URLs', async () => {
    const a = openObjectStore(join(root, 'out'));
    const b = openObjectStore(`file://${join(root, 'out')}`);
    assert.ok(a instanceof LocalObjectStore && b instanceof LocalObjectStore);
    assert.equal(await text(await b.get('r.bin')), '0123456789');
    const { store: parent, key } = openObjectLocation(join(root, 'out', 'r.bin'));
    assert.equal(key, 'r.bin');
    assert.equal((await parent.head(key))?.size, 10);
    assert.throws(() => openObjectLocation(`${root}/`), InputError);
  });
});
