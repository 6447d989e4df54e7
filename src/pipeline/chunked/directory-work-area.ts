// The shared work area in a local asset directory (`<asset>/.live2vod-chunks/`): workers on one
// disk write their segments in place, to the asset's own directories, and their results beside
// them; the stitch builds the asset where it is. Nothing is copied.
import { readFile } from 'node:fs/promises';
import type { AssetManifest } from '../../media/asset-manifest.ts';
import type { EventSink } from '../events.ts';
import { manifestName, OutputDir } from '../output-dir.ts';
import type { AudioPlace, SharedWorkArea, StitchPlace, UnitPlace } from './shared-work-area.ts';
import { layWorkArea, WorkArea, type AudioResult, type ChunkResult, type WorkPlan } from './work-area.ts';

export class DirectoryWorkArea implements SharedWorkArea {
  readonly #out: OutputDir;
  readonly #work: WorkArea;

  constructor(assetRoot: string) {
    this.#out = new OutputDir(assetRoot);
    this.#work = new WorkArea(this.#out.root);
  }

  get location(): string {
    return this.#work.root;
  }

  readPlan(): Promise<WorkPlan | undefined> {
    return this.#work.readPlan();
  }

  readChunk(index: number): Promise<ChunkResult | undefined> {
    return this.#work.readChunk(index);
  }

  readAudio(): Promise<AudioResult | undefined> {
    return this.#work.readAudio();
  }

  async lay(plan: WorkPlan): Promise<{ resume: boolean }> {
    const { resume } = await layWorkArea(this.#out, plan);
    return { resume };
  }

  async runChunk(index: number, encode: (place: UnitPlace) => Promise<ChunkResult>): Promise<void> {
    const result = await encode({ out: this.#out, work: this.#work });
    if (result.index !== index) throw new Error(`runChunk ${index}: the encode returned chunk ${result.index}`);
    await this.#work.writeChunk(result);
  }

  async runAudio(emit: EventSink, encode: (place: AudioPlace) => Promise<AudioResult | undefined>): Promise<void> {
    const result = await encode({ out: this.#out, work: this.#work, asset: this.#out, emit });
    if (result) await this.#work.writeAudio(result);
  }

  async completedManifest(): Promise<AssetManifest | undefined> {
    if (!(await this.#out.isComplete())) return undefined;
    return JSON.parse(await readFile(this.#out.path(manifestName), 'utf8')) as AssetManifest;
  }

  async stitch(_units: { chunks: ChunkResult[]; audio: AudioResult | undefined; signal: AbortSignal }, make: (place: StitchPlace) => Promise<AssetManifest>): Promise<void> {
    // In place: make (stitchAsset) completes the asset and then removes the work area itself.
    await make({ out: this.#out, work: this.#work, published: [] });
  }

  remove(): Promise<void> {
    return this.#work.remove();
  }

  async close(): Promise<void> {}
}
