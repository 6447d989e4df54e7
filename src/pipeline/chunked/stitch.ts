// The stitch: makes one asset of the chunks' results, the very asset an unchunked encode makes.
// The segments are already in place; what is left is small: one init.mp4 per rendition (every
// chunk's must describe the same stream, or the asset would decode wrongly), the playlists and
// MPD over all segments, the sprite sheets tiled from the chunks' pictures, the poster, the
// progressive download, and manifest.json last.
import { copyFile, mkdir, open, readFile, rm, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Live2vodError, ExitCode } from '../../errors/index.ts';
import { cpuSoFar, measureCpu, sumCpu, type CpuMeasurement } from '../../ffmpeg/process-cpu.ts';
import { assetCost } from '../../media/asset-cost.ts';
import { defaultQualitySampling, type QualitySampling } from '../../media/quality-command.ts';
import type { EventSink } from '../events.ts';
import { measureQuality } from '../measure-quality.ts';
import { buildAssetManifest, type AssetFile, type AssetManifest } from '../../media/asset-manifest.ts';
import type { ChunkPlan } from '../../media/chunk-plan.ts';
import { sampleDescription } from '../../media/mp4/init-segment.ts';
import { audioRenditions, audioScratchName, scratchNames, type TranscodePlan } from '../../media/plan.ts';
import { choosePoster, writeThumbnailsVtt, type ScoredFrame } from '../../media/thumbnails.ts';
import type { PackagedTrack, Segment } from '../../media/types.ts';
import { version } from '../../version.ts';
import { mergeVideo } from '../../media/event/detections.ts';
import { finishEvent } from '../event/finish-event.ts';
import { listAssetFiles, makeDownload, writeAssetManifest } from '../finish-asset.ts';
import type { ThumbnailsResult } from '../finish-thumbnails.ts';
import { writing } from '../fs-errors.ts';
import type { OutputDir } from '../output-dir.ts';
import { writePlaylists, type PackagedAsset } from '../package-asset.ts';
import { summarizeTrack } from '../package-track.ts';
import { makeScratch } from '../scratch.ts';
import { tileSprites } from '../tile-sprites.ts';
import type { Stopwatch } from '../stopwatch.ts';
import type { AudioResult, ChunkResult, WorkArea } from './work-area.ts';

export interface StitchContext {
  ffmpeg: string;
  plan: TranscodePlan;
  chunks: ChunkPlan;
  chunkResults: ChunkResult[];
  audioResult: AudioResult | undefined;
  out: OutputDir;
  work: WorkArea;
  stopwatch: Stopwatch;
  signal: AbortSignal;
  download: boolean;
  /** When the job started (performance.now()), for timingsMs.total. */
  started: number;
  scratchRoot?: string;
  fallback?: string;
  /**
   * Files of the asset that are already at its destination and not in `out` (the instant remux an
   * audio worker published to an object store): listed in manifest.json with the rest.
   */
  publishedFiles?: AssetFile[];
  /** The source, local, for the sampled quality; absent (a remote source in a stitch stage), none is measured. */
  input?: string;
  /** How quality is sampled, false for not at all; absent, the default. */
  quality?: QualitySampling | false;
  /** Where a quality measure that failed says so (a warning); the asset goes out without figures. */
  emit?: EventSink;
}

/** Everything after the chunks: tracks, thumbnails, download, manifest.json last; then the asset is complete and the work area goes. */
export async function stitchAsset(ctx: StitchContext): Promise<AssetManifest> {
  // The stitch's own processes; the chunks and the audio bring theirs in their results.
  return (await measureCpu(() => stitchMeasured(ctx))).result;
}

async function stitchMeasured(ctx: StitchContext): Promise<AssetManifest> {
  const { plan, out, work, stopwatch, signal } = ctx;
  const packaged = await stopwatch.step('package', () => stitchTracks(plan, ctx.chunkResults, ctx.audioResult, out, work));
  const scratch = await makeScratch(ctx.scratchRoot, 'live2vod-stitch-');
  try {
    const thumbnails = await stopwatch.step('thumbnails', () => stitchThumbnails(ctx.ffmpeg, plan, ctx.chunkResults, out, work, scratch, packaged.duration, signal));
    const download = ctx.download
      ? await stopwatch.step('download', async () => {
          // The download is remuxed from whole files: each track's segments joined again.
          const audioTracks = [...(packaged.audio ? [packaged.audio] : []), ...(packaged.alternateAudio ?? [])];
          for (const track of packaged.video.filter((t) => t.id === plan.downloadRenditionId)) {
            await joinTrack(out, track, path.join(scratch, scratchNames.video(track.id)));
          }
          for (const track of audioTracks) {
            const rendition = track.audio;
            if (!rendition) throw new Error(`audio track ${track.id} lost its rendition`);
            await joinTrack(out, track, path.join(scratch, audioScratchName(plan, rendition)));
          }
          return makeDownload(ctx.ffmpeg, plan, out, (name) => path.join(scratch, name), signal);
        })
      : undefined;
    const sampling = ctx.quality ?? defaultQualitySampling;
    const input = ctx.input;
    const quality = sampling && input
      ? await stopwatch.step('quality', () => measureQuality({ ffmpeg: ctx.ffmpeg, input, plan, video: packaged.video, out, sampling, signal, emit: ctx.emit ?? (() => undefined), ...(ctx.scratchRoot ? { scratchRoot: ctx.scratchRoot } : {}) }))
      : undefined;
    const manifest = await stopwatch.step('manifest', async () => {
      // Every chunk's findings joined at the seams, with the audio's silences (see finish-event.ts).
      const detections = ctx.chunkResults.flatMap((c) => (c.detections ? [c.detections] : []));
      const merged = detections.length === ctx.chunkResults.length ? mergeVideo(detections) : undefined;
      const event = await finishEvent(plan, out, merged, ctx.audioResult?.silences, packaged.duration);
      const built = buildAssetManifest({
        cost: assetCost(sumCpu([...ctx.chunkResults.map(unitCpu), ...(ctx.audioResult ? [unitCpu(ctx.audioResult)] : []), cpuSoFar()]), plan.source.duration),
        ...(quality ? { quality } : {}),
        version, plan, video: packaged.video, files: await assetFiles(out, ctx.publishedFiles ?? []), createdAt: new Date(),
        timingsMs: { ...stopwatch.timingsMs, total: Math.round(performance.now() - ctx.started) },
        chunks: { count: ctx.chunks.chunks.length, seconds: ctx.chunks.seconds },
        ...(ctx.fallback ? { fallback: ctx.fallback } : {}),
        ...(packaged.audio ? { audio: packaged.audio } : {}),
        ...(packaged.alternateAudio ? { alternateAudio: packaged.alternateAudio } : {}),
        ...(ctx.audioResult?.loudness ? { loudness: ctx.audioResult.loudness } : {}),
        ...(ctx.audioResult?.audioLoudness ? { audioLoudness: ctx.audioResult.audioLoudness } : {}),
        ...(thumbnails ? { thumbnails } : {}),
        ...(download ? { download } : {}),
        ...(event ? { event } : {}),
      });
      await writeAssetManifest(out, built);
      return built;
    });
    await out.markComplete();
    // Only now: until the asset is complete, a retried stitch finds every chunk where it was.
    await work.remove();
    return manifest;
  } finally {
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The files in `out` and those published elsewhere, in listAssetFiles' order. */
async function assetFiles(out: OutputDir, published: readonly AssetFile[]): Promise<AssetFile[]> {
  const files = await listAssetFiles(out.root);
  if (published.length === 0) return files;
  return [...files, ...published].sort((a, b) => a.path.localeCompare(b.path));
}

export async function stitchTracks(plan: TranscodePlan, chunks: ChunkResult[], audio: AudioResult | undefined, out: OutputDir, work: WorkArea): Promise<PackagedAsset> {
  const ordered = [...chunks].sort((a, b) => a.index - b.index);
  const video: PackagedTrack[] = [];
  for (const rendition of plan.video) {
    const parts = ordered.map((chunk) => {
      const part = chunk.renditions.find((r) => r.id === rendition.id);
      if (!part) throw new Error(`chunk ${chunk.index} has no rendition ${rendition.id}`);
      return { chunk: chunk.index, ...part };
    });
    const first = parts[0];
    if (!first) throw new Error('no chunks to stitch');
    const initBytes = await readFile(path.join(work.chunkDir(first.chunk), first.init));
    const description = sampleDescription(initBytes);
    for (const part of parts.slice(1)) {
      const other = sampleDescription(await readFile(path.join(work.chunkDir(part.chunk), part.init)));
      if (!other.equals(description)) {
        throw new Live2vodError(`chunk ${part.chunk} of rendition ${rendition.id} was encoded with other stream headers than chunk ${first.chunk}; its segments cannot share one init segment. Encode this recording unchunked (--chunk-seconds 0)`, { exitCode: ExitCode.internal, retryable: false });
      }
    }
    const segments: Segment[] = parts.flatMap((p) => p.segments);
    checkContinuous(rendition.id, segments, first.track.timescale);
    const relDir = `video/${rendition.id}`;
    await writing(relDir, () => writeFile(out.path(relDir, 'init.mp4'), initBytes));
    video.push(summarizeTrack({ id: rendition.id, kind: 'video', relDir, rendition }, first.track, segments));
  }
  // An audio result kept from an earlier attempt must hold every track this plan has, or the asset would silently lose a language.
  const wanted = audioRenditions(plan).map((r) => r.id);
  const found = audio ? [audio.track, ...(audio.alternateTracks ?? [])].map((t) => t.id) : [];
  if (wanted.join() !== found.join()) throw new Error(`the audio unit holds tracks [${found.join(', ')}] but the plan has [${wanted.join(', ')}]`);
  return writePlaylists(out, video, audio?.track, audio?.alternateTracks);
}

/** A unit's CPU; results written before cost was measured have none. */
function unitCpu(result: ChunkResult | AudioResult): CpuMeasurement {
  return result.cpu ?? { measured: false, reason: 'a unit of this job was encoded by a live2vod that did not measure CPU' };
}

/** Numbers follow on, and each segment starts where the one before ended: one timeline, no gap, no overlap. */
function checkContinuous(id: string, segments: Segment[], timescale: number): void {
  segments.forEach((segment, i) => {
    const before = segments[i - 1];
    if (!before) return;
    if (segment.number !== before.number + 1 || segment.decodeTime !== before.decodeTime + before.durationTicks) {
      throw new Live2vodError(`rendition ${id}: segment ${segment.number} (at ${(segment.decodeTime / timescale).toFixed(3)} s) does not follow segment ${before.number} (ending at ${((before.decodeTime + before.durationTicks) / timescale).toFixed(3)} s); the chunks do not join`, { exitCode: ExitCode.internal, retryable: false });
    }
  });
}

/** Tiles the chunks' sprite pictures into sheets, picks the poster, writes the WebVTT track. */
export async function stitchThumbnails(ffmpeg: string, plan: TranscodePlan, chunks: ChunkResult[], out: OutputDir, work: WorkArea, scratch: string, duration: number, signal: AbortSignal): Promise<ThumbnailsResult | undefined> {
  if (!plan.thumbnails || !plan.poster) return undefined;
  const ordered = [...chunks].sort((a, b) => a.index - b.index);
  const thumbs = ordered.flatMap((c) => c.thumbnails.map((frame) => ({ chunk: c.index, frame })));
  const posters = ordered.flatMap((c) => c.posters.map((frame) => ({ chunk: c.index, frame })));
  const best = choosePoster(posters.map((p) => p.frame));
  const poster = posters.find((p) => p.frame === best);
  if (!poster || thumbs.length === 0) throw new Live2vodError('the chunks produced no thumbnail frames', { exitCode: ExitCode.internal, retryable: true });
  const sheet = plan.thumbnails;
  const tiles = path.join(scratch, 'tiles');
  await mkdir(tiles, { recursive: true });
  // One sequence over the whole recording, then ffmpeg's tile filter as in the unchunked encode.
  for (const [i, t] of thumbs.entries()) await copyFile(path.join(work.chunkDir(t.chunk), scratchNames.thumb(t.frame.index)), path.join(tiles, scratchNames.thumb(i)));
  const dir = out.path('thumbnails');
  await writing('thumbnails', () => mkdir(dir, { recursive: true }));
  const sprites = await tileSprites(ffmpeg, tiles, thumbs.length, sheet, dir, signal);
  const frames: ScoredFrame[] = thumbs.map((t, i) => ({ ...t.frame, index: i }));
  await writing('thumbnails', async () => {
    await copyFile(path.join(work.chunkDir(poster.chunk), scratchNames.poster(poster.frame.index)), path.join(dir, 'poster.jpg'));
    await writeFile(path.join(dir, 'thumbnails.vtt'), writeThumbnailsVtt(frames, sheet, duration, (n) => scratchNames.sprite(n)));
  });
  return { poster: 'thumbnails/poster.jpg', posterTime: poster.frame.time, sprites: sprites.map((s) => `thumbnails/${s}`), vtt: 'thumbnails/thumbnails.vtt', intervalSeconds: sheet.intervalSeconds };
}

/** A track's init and segments joined into one fragmented MP4 (what the download is remuxed from). */
export async function joinTrack(out: OutputDir, track: PackagedTrack, file: string): Promise<void> {
  const target: FileHandle = await open(file, 'w');
  try {
    for (const name of [track.initFile, ...track.segments.map((s) => s.file)]) await target.write(await readFile(out.path(track.dir, name)));
  } finally {
    await target.close();
  }
}
