// The shared work area under the scratch prefix `<output>/.live2vod-chunks/` of an object store
// (S3), for workers that share nothing but the store (Kubernetes pods). A unit runs in local
// scratch laid out like its keys, uploads its files, then its result last. The stitch fetches what
// the results name into scratch laid out like the asset, builds the asset there, publishes it
// with the asset publisher (manifest.json last) and removes the prefix. The audio worker mirrors
// its instant remux to the asset's own `instant/` while it grows, as a whole encode does.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import type { AssetManifest } from '../../media/asset-manifest.ts';
import { instantDir } from '../../media/remux-command.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { downloadToFile } from '../../storage/parallel-download.ts';
import { StorageError } from '../../storage/storage-error.ts';
import { AssetPublisher, defaultPublisherRetry, type PublisherRetry } from '../asset-publisher.ts';
import type { EventSink } from '../events.ts';
import { InstantMirror, mirrorInstantEvents } from '../instant-mirror.ts';
import { manifestName, OutputDir } from '../output-dir.ts';
import { makeScratch } from '../scratch.ts';
import type { AudioPlace, SharedWorkArea, StitchPlace, UnitPlace } from './shared-work-area.ts';
import { audioUnitFiles, chunkUnitFiles, resultKey, unitPrefix, type UnitFile } from './unit-files.ts';
import { planName, WorkArea, workAreaName, type AudioResult, type ChunkResult, type WorkPlan } from './work-area.ts';

/** Files the stitch fetches at once: segments are small, so requests, not bytes, bound the time. */
const fetchConcurrency = 8;
const planKey = `${workAreaName}/${planName}`;

export interface StoreWorkAreaOptions {
  /** Where units and the stitch make their local scratch (the system temp dir by default). */
  scratchRoot?: string;
  retry?: PublisherRetry;
}

export class StoreWorkArea implements SharedWorkArea {
  readonly location: string;
  readonly #store: ObjectStore & { close(): Promise<void> };
  readonly #scratchRoot: string | undefined;
  readonly #retry: PublisherRetry;

  /** `store` is rooted at the output (`s3://bucket/prefix`); the work area is under it. */
  constructor(store: ObjectStore & { close(): Promise<void> }, options: StoreWorkAreaOptions = {}) {
    this.#store = store;
    this.location = `${store.uri.endsWith('/') ? store.uri : `${store.uri}/`}${workAreaName}/`;
    this.#scratchRoot = options.scratchRoot;
    this.#retry = options.retry ?? defaultPublisherRetry;
  }

  readPlan(): Promise<WorkPlan | undefined> {
    return this.#readJson<WorkPlan>(planKey);
  }

  readChunk(index: number): Promise<ChunkResult | undefined> {
    return this.#readJson<ChunkResult>(resultKey({ chunk: index }));
  }

  readAudio(): Promise<AudioResult | undefined> {
    return this.#readJson<AudioResult>(resultKey('audio'));
  }

  async lay(plan: WorkPlan): Promise<{ resume: boolean }> {
    // Nothing is staged for the split: begin() and uploadSnapshot() read no file.
    const publisher = new AssetPublisher(this.#store, '', 1, this.#retry);
    await publisher.begin();
    const resume = (await this.readPlan().catch(() => undefined))?.fingerprint === plan.fingerprint;
    if (!resume) {
      // Another plan's units must never be stitched with this one's.
      await this.remove();
      await publisher.uploadSnapshot(planKey, Buffer.from(JSON.stringify(plan)));
    }
    return { resume };
  }

  async runChunk(index: number, encode: (place: UnitPlace) => Promise<ChunkResult>): Promise<void> {
    await this.#inScratch(`live2vod-chunk${index}-`, async (staging, publisher) => {
      const result = await encode(unitPlace(staging, { chunk: index }));
      if (result.index !== index) throw new Error(`runChunk ${index}: the encode returned chunk ${result.index}`);
      await keep(publisher, chunkUnitFiles(result), resultKey({ chunk: index }), result);
    });
  }

  async runAudio(emit: EventSink, encode: (place: AudioPlace) => Promise<AudioResult | undefined>): Promise<void> {
    await this.#inScratch('live2vod-audio-', async (staging, publisher) => {
      // Staged at their keys, the instant files go where players look, the unit's to its prefix.
      const mirror = new InstantMirror(publisher, staging);
      const events = mirrorInstantEvents(mirror, emit);
      try {
        const result = await encode({ ...unitPlace(staging, 'audio'), asset: new OutputDir(staging), emit: events.emit });
        await events.settled();
        // A last pass also when the remux failed without ending its step: the stitch lists `instant/` as it is now.
        await mirror.finish();
        if (result) await keep(publisher, audioUnitFiles(result), resultKey('audio'), result);
      } finally {
        mirror.stop();
      }
    });
  }

  async completedManifest(): Promise<AssetManifest | undefined> {
    // The split deleted manifest.json before laying out the work area: one there now is the stitch's.
    if ((await this.#store.head(manifestName)) === undefined) return undefined;
    return JSON.parse(await text(await this.#store.get(manifestName))) as AssetManifest;
  }

  async stitch(units: { chunks: ChunkResult[]; audio: AudioResult | undefined; signal: AbortSignal }, make: (place: StitchPlace) => Promise<AssetManifest>): Promise<void> {
    await this.#inScratch('live2vod-stitch-', async (staging, publisher) => {
      const out = new OutputDir(staging);
      await out.prepare();
      await this.#fetch([...units.chunks.flatMap(chunkUnitFiles), ...(units.audio ? audioUnitFiles(units.audio) : [])], staging, units.signal);
      const published = (await this.#store.list(`${instantDir}/`)).map((o) => ({ path: o.key, bytes: o.size }));
      const manifest = await make({ out, work: new WorkArea(staging), published });
      publisher.adopt(published.map((f) => f.path));
      await publisher.finish([...manifest.files.map((f) => f.path), manifestName]);
      // Only once the asset is complete: until then a retried stitch finds every unit.
      await this.remove();
    });
  }

  async remove(): Promise<void> {
    const keys = (await this.#store.list(`${workAreaName}/`)).map((o) => o.key);
    if (keys.length > 0) await this.#store.delete(keys);
  }

  close(): Promise<void> {
    return this.#store.close();
  }

  /** Runs `action` in fresh scratch with a publisher from it; nothing uploads any more when this settles. */
  async #inScratch(prefix: string, action: (staging: string, publisher: AssetPublisher) => Promise<void>): Promise<void> {
    const staging = await makeScratch(this.#scratchRoot, prefix);
    const publisher = new AssetPublisher(this.#store, staging, 8, this.#retry);
    try {
      await action(staging, publisher);
    } catch (error) {
      await publisher.abort();
      throw error;
    } finally {
      await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  async #readJson<T>(key: string): Promise<T | undefined> {
    let body;
    try {
      body = await this.#store.get(key);
    } catch (error) {
      if (error instanceof StorageError && error.reason === 'not-found') return undefined;
      throw error;
    }
    // Put in one request, after the files it names: what is read is whole. The plan's fingerprint
    // covers live2vod's version, so a layout of another version is never resumed.
    return JSON.parse(await text(body)) as T;
  }

  /** Downloads each file to its place in the asset directory, a few at once; stops at the first failure. */
  async #fetch(files: readonly UnitFile[], staging: string, signal: AbortSignal): Promise<void> {
    let next = 0;
    let failure: { error: unknown } | undefined;
    const fetchSome = async (): Promise<void> => {
      for (let file = files[next++]; file && !failure; file = files[next++]) {
        try {
          await downloadToFile(this.#store, file.key, path.join(staging, ...file.rel.split('/')), { signal });
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(fetchConcurrency, files.length) }, fetchSome));
    if (failure) throw failure.error;
  }
}

/** A unit's scratch laid out like the store: its output is its prefix, so a staged file's path is its key. */
function unitPlace(staging: string, unit: { chunk: number } | 'audio'): UnitPlace {
  return { out: new OutputDir(path.join(staging, ...unitPrefix(unit).split('/'))), work: new WorkArea(staging) };
}

/** Uploads a unit's files, then its result: whoever finds the result finds every file it names. */
async function keep(publisher: AssetPublisher, files: readonly UnitFile[], key: string, result: ChunkResult | AudioResult): Promise<void> {
  for (const file of files) await publisher.upload(file.key);
  await publisher.flush();
  await publisher.uploadSnapshot(key, Buffer.from(JSON.stringify(result)));
}
