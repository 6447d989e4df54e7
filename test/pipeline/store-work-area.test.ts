// The work area in an object store, without ffmpeg: a unit's files go up before its result (the
// marker), a unit whose upload fails leaves no result (so it runs again), its local scratch is
// gone either way, and remove() leaves nothing under the scratch prefix. The store is a local
// directory (LocalObjectStore) that records the order of its puts; the whole flow against S3 is
// in chunk-stages-s3.test.ts.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { exists } from '../helpers/asset-checks.ts';
import { makeTempDir, type TempDir } from '../helpers/media.ts';
import type { ChunkResult } from '../../src/pipeline/chunked/work-area.ts';
import { StoreWorkArea } from '../../src/pipeline/chunked/store-work-area.ts';
import type { UnitPlace } from '../../src/pipeline/chunked/shared-work-area.ts';
import { LocalObjectStore } from '../../src/storage/local-store.ts';
import type { ObjectInfo, ObjectStore, PutOptions } from '../../src/storage/object-store.ts';
import { StorageError } from '../../src/storage/storage-error.ts';

/** A local store that records each finished put, and refuses one key when told. */
class RecordingStore implements ObjectStore {
  readonly uri: string;
  readonly puts: string[] = [];
  refuse: string | undefined;
  readonly #inner: LocalObjectStore;

  constructor(root: string) {
    this.#inner = new LocalObjectStore(root);
    this.uri = this.#inner.uri;
  }

  get(key: string, range?: { start: number; end: number }): Promise<Readable> {
    return this.#inner.get(key, range);
  }

  head(key: string): Promise<ObjectInfo | undefined> {
    return this.#inner.head(key);
  }

  async put(key: string, body: Readable | Buffer | string, options: PutOptions): Promise<void> {
    if (key === this.refuse) throw new StorageError(`refused ${key}`, { reason: 'access-denied', retryable: false, key });
    await this.#inner.put(key, body, options);
    this.puts.push(key);
  }

  list(prefix: string): Promise<ObjectInfo[]> {
    return this.#inner.list(prefix);
  }

  delete(keys: readonly string[]): Promise<void> {
    return this.#inner.delete(keys);
  }

  url(key: string): Promise<string> {
    return this.#inner.url(key);
  }

  async close(): Promise<void> {}
}

/** What encodeChunk leaves in its place: a segment, an init segment, a sprite picture; and its result. */
async function fakeChunk(place: UnitPlace, index: number): Promise<ChunkResult> {
  const segment = place.out.path('video', 'v1', 'seg-00001.m4s');
  await mkdir(path.dirname(segment), { recursive: true });
  await writeFile(segment, 'segment');
  const dir = place.work.chunkDir(index);
  await mkdir(path.join(dir, 'init'), { recursive: true });
  await writeFile(path.join(dir, 'init', 'v1.mp4'), 'init');
  await writeFile(path.join(dir, 'thumb-00000.jpg'), 'jpeg');
  return {
    index,
    renditions: [{
      id: 'v1', init: 'init/v1.mp4', track: { kind: 'video', timescale: 90_000, codecString: 'avc1.64001e' },
      segments: [{ number: 1, file: 'seg-00001.m4s', start: 0, duration: 6, decodeTime: 0, durationTicks: 540_000, bytes: 7, keyframes: [] }],
    }],
    thumbnails: [{ index: 0, time: 0, entropy: 1 }],
    posters: [],
    encodeMs: 1,
  };
}

describe('the work area in an object store', () => {
  let tmp: TempDir;
  let store: RecordingStore;
  let work: StoreWorkArea;

  before(async () => {
    tmp = await makeTempDir('live2vod-store-work-');
    store = new RecordingStore(path.join(tmp.dir, 'bucket'));
    work = new StoreWorkArea(store, { scratchRoot: path.join(tmp.dir, 'scratch'), retry: { attempts: 1, baseDelayMs: 1 } });
  });
  after(() => tmp?.cleanup());

  test('a chunk keeps its files under its prefix, then its result, last; its scratch goes', async () => {
    let place: UnitPlace | undefined;
    let result: ChunkResult | undefined;
    await work.runChunk(3, async (given) => {
      place = given;
      result = await fakeChunk(given, 3);
      return result;
    });
    const unit = '.live2vod-chunks/chunk-0003';
    assert.deepEqual([...store.puts].sort(), [`${unit}/init/v1.mp4`, `${unit}/result.json`, `${unit}/thumb-00000.jpg`, `${unit}/video/v1/seg-00001.m4s`]);
    assert.equal(store.puts.at(-1), `${unit}/result.json`, 'the result is put after every file it names');
    assert.deepEqual(await work.readChunk(3), result);
    assert.equal(await work.readChunk(2), undefined);
    assert.ok(place && !(await exists(place.out.root)), 'the unit\'s local scratch is removed');
  });

  test('a unit whose upload fails keeps no result, so it runs again; the error says what failed', async () => {
    store.refuse = '.live2vod-chunks/chunk-0001/video/v1/seg-00001.m4s';
    await assert.rejects(work.runChunk(1, (place) => fakeChunk(place, 1)), /refused \.live2vod-chunks\/chunk-0001\/video\/v1\/seg-00001\.m4s/);
    store.refuse = undefined;
    assert.equal(await work.readChunk(1), undefined);
    assert.ok(!store.puts.includes('.live2vod-chunks/chunk-0001/result.json'));
  });

  test('remove() leaves nothing under the scratch prefix', async () => {
    await work.remove();
    assert.deepEqual(await store.list('.live2vod-chunks/'), []);
    assert.equal(await work.readChunk(3), undefined);
  });
});
