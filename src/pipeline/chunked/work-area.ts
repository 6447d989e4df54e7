// The chunks' work area: `.live2vod-chunks/` inside the asset directory, beside the segments the
// chunks write to their final places. It holds the plan the chunks were cut from and, per unit
// (each chunk, the audio), a result written last: a unit with a result is done and is not run
// again, so an interrupted job redoes only what is missing. Removed when the asset is complete.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CpuMeasurement } from '../../ffmpeg/process-cpu.ts';
import type { ChunkPlan } from '../../media/chunk-plan.ts';
import type { Interval, VideoDetections } from '../../media/event/detections.ts';
import type { LoudnessMeasurement } from '../../media/loudness.ts';
import type { TranscodePlan } from '../../media/plan.ts';
import type { ScoredFrame } from '../../media/thumbnails.ts';
import type { PackagedTrack, Segment, TrackInfo } from '../../media/types.ts';
import { buildVideoCommand } from '../../media/video-command.ts';
import { version } from '../../version.ts';
import { writing } from '../fs-errors.ts';
import type { OutputDir } from '../output-dir.ts';

export const workAreaName = '.live2vod-chunks';
/** A unit's directory in the work area, by name: `chunk-0003`, `audio`. */
export const audioUnitName = 'audio';
export function chunkUnitName(index: number): string {
  return `chunk-${String(index).padStart(4, '0')}`;
}
/** Each unit's result, written last; the plan beside the units. */
export const resultName = 'result.json';
export const planName = 'plan.json';

/** What the chunks were cut from: a stored work area is resumed only when this matches. */
export interface WorkPlan {
  /** Identifies the source file and the plan: a changed recording or profile starts over. */
  fingerprint: string;
  plan: TranscodePlan;
  chunks: ChunkPlan;
}

/** One rendition of one chunk: its segments, already numbered and timed for the whole asset. */
export interface ChunkRendition {
  id: string;
  track: TrackInfo;
  segments: Segment[];
  /** The chunk's init.mp4 for this rendition, relative to the chunk's directory. */
  init: string;
}

export interface ChunkResult {
  index: number;
  renditions: ChunkRendition[];
  /** Sprite thumbnails (times on the whole recording), pictures `thumb-NNNNN.jpg` by index. */
  thumbnails: ScoredFrame[];
  /** Poster candidates, pictures `poster-NNN.jpg` by index. */
  posters: ScoredFrame[];
  encodeMs: number;
  /** CPU of the chunk's processes, summed into the asset's cost by the stitch. */
  cpu?: CpuMeasurement;
  /** What the chunk's pictures showed (black, still, cuts), on the whole recording's timeline. */
  detections?: VideoDetections;
}

export interface AudioResult {
  /** The default audio track and its measurement. */
  track: PackagedTrack;
  loudness?: LoudnessMeasurement;
  /** CPU of the audio's processes (loudness measure, encode), summed into the asset's cost. */
  cpu?: CpuMeasurement;
  /** The other audio tracks, in the plan's order; absent when there are none. */
  alternateTracks?: PackagedTrack[];
  /** Every track's measurement by rendition id. */
  audioLoudness?: Record<string, LoudnessMeasurement>;
  /** The recording's silences, for the suggested trim. */
  silences?: Interval[];
}

export class WorkArea {
  readonly root: string;

  constructor(assetRoot: string) {
    this.root = path.join(assetRoot, workAreaName);
  }

  chunkDir(index: number): string {
    return path.join(this.root, chunkUnitName(index));
  }

  audioDir(): string {
    return path.join(this.root, audioUnitName);
  }

  async readPlan(): Promise<WorkPlan | undefined> {
    return readJson<WorkPlan>(path.join(this.root, planName));
  }

  async writePlan(plan: WorkPlan): Promise<void> {
    await writeJson(path.join(this.root, planName), plan);
  }

  async readChunk(index: number): Promise<ChunkResult | undefined> {
    return readJson<ChunkResult>(path.join(this.chunkDir(index), resultName));
  }

  async writeChunk(result: ChunkResult): Promise<void> {
    await writeJson(path.join(this.chunkDir(result.index), resultName), result);
  }

  async readAudio(): Promise<AudioResult | undefined> {
    return readJson<AudioResult>(path.join(this.audioDir(), resultName));
  }

  async writeAudio(result: AudioResult): Promise<void> {
    await writeJson(path.join(this.audioDir(), resultName), result);
  }

  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}

/**
 * Claims the asset directory for a chunked job and lays out its work area. When the stored plan
 * has the same fingerprint (an earlier run of the same job was interrupted), the finished chunks,
 * their segments and the audio are kept (`resume`); otherwise everything starts over.
 */
export async function prepareWorkArea(out: OutputDir, sourcePath: string, plan: TranscodePlan, chunks: ChunkPlan): Promise<{ work: WorkArea; resume: boolean; fingerprint: string }> {
  const fingerprint = workFingerprint(await localSourceIdentity(sourcePath), plan, chunks);
  const { work, resume } = await layWorkArea(out, { fingerprint, plan, chunks });
  return { work, resume, fingerprint };
}

/** prepareWorkArea for a plan already fingerprinted. */
export async function layWorkArea(out: OutputDir, stored: WorkPlan): Promise<{ work: WorkArea; resume: boolean }> {
  const work = new WorkArea(out.root);
  const resume = (await work.readPlan().catch(() => undefined))?.fingerprint === stored.fingerprint;
  await out.prepare(resume ? { keep: ['video', 'audio', workAreaName] } : {});
  if (!resume) await work.writePlan(stored);
  return { work, resume };
}

/**
 * The source file (path, size, modification time), the plan, this live2vod's version and a chunk's
 * encoder arguments, hashed: chunks made from another recording, or by another build or with other
 * settings, are never stitched together.
 */
export function workFingerprint(sourceIdentity: string, plan: TranscodePlan, chunks: ChunkPlan): string {
  // The command with a stand-in for the input: a remote source's ranged-reader URL differs per run.
  const command = chunks.chunks[0] ? buildVideoCommand('ffmpeg', 'SOURCE', plan, chunks.chunks[0]) : [];
  return createHash('sha256').update(JSON.stringify([sourceIdentity, plan, chunks, version, command])).digest('hex');
}

/**
 * A local source file as the fingerprint knows it: path, size and modification time. (A remote
 * source is known by its location; its probed facts in the plan tell a replaced object apart.)
 */
export async function localSourceIdentity(sourcePath: string): Promise<string> {
  const info = await stat(sourcePath);
  return JSON.stringify([path.resolve(sourcePath), info.size, info.mtimeMs]);
}

async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // Written by this code to a temporary name and renamed, so a result is whole or absent; and by
  // this very version of it: the plan's fingerprint covers the version, so an older layout is
  // never resumed.
  return JSON.parse(text) as T;
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writing(path.basename(file), async () => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.partial`, JSON.stringify(value));
    await rename(`${file}.partial`, file);
  });
}
