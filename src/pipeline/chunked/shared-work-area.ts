// The work area as the split-and-stitch stages share it across workers that share nothing else:
// the split's plan, and per unit (each chunk, the audio) its files and a result written after them.
// A reader that finds a unit's result finds every file it names, so a unit with a result is done
// and is not run again. Two places, one contract:
// - DirectoryWorkArea: in the local asset directory itself; units write in place (no copies).
// - StoreWorkArea: under the scratch prefix `<output>/.live2vod-chunks/` of an object store (S3);
//   units run in local scratch and upload, the stitch fetches what it needs and publishes.
import type { AssetFile, AssetManifest } from '../../media/asset-manifest.ts';
import type { EventSink } from '../events.ts';
import type { OutputDir } from '../output-dir.ts';
import type { AudioResult, ChunkResult, WorkArea, WorkPlan } from './work-area.ts';

/** Where a unit writes while it runs. */
export interface UnitPlace {
  /** Its segments go under this (`video/<id>/`, `audio/<id>/`). */
  out: OutputDir;
  /** Its init segments and pictures go to its directory here (WorkArea.chunkDir). */
  work: WorkArea;
}

/** The audio unit's place, with the asset beside it for the instant remux. */
export interface AudioPlace extends UnitPlace {
  /** The asset as players see it: the instant remux writes `instant/` here. */
  asset: OutputDir;
  /** The unit's events: `playable` only once the instant playlist is where players look. */
  emit: EventSink;
}

/** Where the stitch builds the asset: a local directory laid out like the asset, units in place. */
export interface StitchPlace {
  out: OutputDir;
  work: WorkArea;
  /** Files of the asset already at its destination and not in `out` (the published instant remux). */
  published: AssetFile[];
}

export interface SharedWorkArea {
  /** Where it is, for messages: a directory or an s3:// prefix. */
  readonly location: string;
  readPlan(): Promise<WorkPlan | undefined>;
  readChunk(index: number): Promise<ChunkResult | undefined>;
  readAudio(): Promise<AudioResult | undefined>;
  /**
   * The split's: the output stops claiming a complete asset, and the plan is stored. When the
   * stored plan is the same one (an earlier attempt was interrupted), its finished units are kept.
   */
  lay(plan: WorkPlan): Promise<{ resume: boolean }>;
  /** Runs a chunk's encode in a place of its own, then keeps its files and, last, its result. */
  runChunk(index: number, encode: (place: UnitPlace) => Promise<ChunkResult>): Promise<void>;
  /** The same for the audio; `undefined` from `encode` keeps nothing (a recording without audio). */
  runAudio(emit: EventSink, encode: (place: AudioPlace) => Promise<AudioResult | undefined>): Promise<void>;
  /** The asset's manifest.json once a stitch has finished it; undefined before. */
  completedManifest(): Promise<AssetManifest | undefined>;
  /**
   * Brings the units' files to one local place, lets `make` build the asset there, publishes it
   * (manifest.json last) and removes the work area once the asset is complete.
   */
  stitch(units: { chunks: ChunkResult[]; audio: AudioResult | undefined; signal: AbortSignal }, make: (place: StitchPlace) => Promise<AssetManifest>): Promise<void>;
  /** Removes the work area (after the asset is complete). */
  remove(): Promise<void>;
  /** Releases the store's connections. */
  close(): Promise<void>;
}
