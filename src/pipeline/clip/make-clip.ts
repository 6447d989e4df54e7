// Makes a clip: a new asset of [start, end) of a finished one, with every rendition of the parent,
// frame-accurate at both ends. Per video rendition only the GOP that straddles each cut is
// re-encoded (from the parent's own rendition, with its settings, so its stream headers are the
// parent's); every GOP inside the range is copied, moved to the clip's timeline, which starts at
// 0. Audio frames are copied, cut on the frames nearest the pictures' ends (at most half a frame
// off; a decoder starts the first one without its predecessor's overlap, a few ms of fade-in).
// Then packaging, playlists, thumbnails, download and manifest.json last, as any asset. Only the
// parent files the range needs are read.
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ExitCode, InputError, Live2vodError } from '../../errors/index.ts';
import { cpuSoFar, measureCpu } from '../../ffmpeg/process-cpu.ts';
import { runProcess } from '../../ffmpeg/run-process.ts';
import { minClipSeconds } from '../../jobs/clip-request.ts';
import type { TranscodeProfile } from '../../jobs/transcode-profile.ts';
import { assetCost } from '../../media/asset-cost.ts';
import { buildAssetManifest, type AssetManifest } from '../../media/asset-manifest.ts';
import { buildClipPicturesCommand, buildEdgeCommand, type EdgeEncode } from '../../media/clip-command.ts';
import { ClipRangeError, cutRendition, segmentsAround, type RenditionCut } from '../../media/clip-plan.ts';
import { encoders } from '../../media/encoders/registry.ts';
import { chapterFiles } from '../../media/event/chapters.ts';
import { clipChapters } from '../../media/event/clip-chapters.ts';
import type { EventSummary } from '../../media/event/summary.ts';
import { ladderPresets } from '../../media/ladder-presets.ts';
import { parseFragments } from '../../media/mp4/fragments.ts';
import { readFragmentSamples, writeFragment, type FragmentSamples, type Sample } from '../../media/mp4/fragment-samples.ts';
import { parseInitSegment, sampleDescription } from '../../media/mp4/init-segment.ts';
import { placedCopy } from '../../media/mp4/shift-fragment.ts';
import { planTranscode } from '../../media/plan-transcode.ts';
import { audioRenditions, audioScratchName, scratchNames, type TranscodePlan } from '../../media/plan.ts';
import type { Fragment, PackagedTrack, VideoRendition } from '../../media/types.ts';
import { version } from '../../version.ts';
import { AssetPublisher } from '../asset-publisher.ts';
import type { EventSink } from '../events.ts';
import { listAssetFiles, makeDownload, writeAssetManifest } from '../finish-asset.ts';
import { withThumbnails, writeChapters } from '../event/finish-event.ts';
import { finishThumbnails } from '../finish-thumbnails.ts';
import { OutputDir } from '../output-dir.ts';
import { writePlaylists } from '../package-asset.ts';
import { packageTrack } from '../package-track.ts';
import { probedSourceEvent } from '../prepare.ts';
import { makeScratch } from '../scratch.ts';
import { Stopwatch } from '../stopwatch.ts';
import { openParentAsset, trackSegments, type ParentAsset, type ParentManifest } from './parent-asset.ts';

export interface ClipRequest {
  ffmpeg: string;
  /** The parent asset: a directory or an s3:// prefix. */
  parent: string;
  /** Where the clip goes: a directory or an s3:// prefix. */
  output: string;
  startSeconds: number;
  endSeconds: number;
  title?: string | undefined;
  parentJobId?: string | undefined;
  /** The transcode settings the parent was made with (its ladder, thumbnails, download). */
  profile: TranscodeProfile;
  signal: AbortSignal;
  onEvent?: EventSink | undefined;
  scratchRoot?: string | undefined;
}


export async function makeClip(request: ClipRequest): Promise<AssetManifest> {
  return (await measureCpu(() => makeClipMeasured(request))).result;
}

async function makeClipMeasured(given: ClipRequest): Promise<AssetManifest> {
  const started = performance.now();
  // A failed part stops the others (an audio encode still running when the video failed).
  const own = new AbortController();
  const request: ClipRequest = { ...given, signal: AbortSignal.any([given.signal, own.signal]) };
  const pending: Promise<unknown>[] = [];
  let firstFailure: unknown;
  const emit = request.onEvent ?? (() => undefined);
  const stopwatch = new Stopwatch(emit);
  const remote = request.output.startsWith('s3://');
  const scratch = await makeScratch(request.scratchRoot, 'live2vod-clip-');
  const out = new OutputDir(remote ? path.join(scratch, 'asset') : request.output);
  // The S3 SDK is loaded only for a clip that goes to S3: a worker's start-up is every job's.
  const destination = remote ? (await import('../../storage/open-store.ts')).openObjectStore(request.output) : undefined;
  const publisher = destination ? new AssetPublisher(destination, out.root) : undefined;
  let parent: ParentAsset | undefined;
  try {
    const opened = await openParentAsset(request.parent);
    parent = opened;
    const { manifest } = opened;
    if (!(request.startSeconds >= 0 && request.endSeconds <= manifest.duration + 1e-3 && request.endSeconds - request.startSeconds >= minClipSeconds - 1e-6)) {
      throw new ClipRangeError(`the clip ${request.startSeconds}–${request.endSeconds} s must lie within the parent's 0–${manifest.duration} s and last at least ${minClipSeconds} s`);
    }
    await out.prepare();
    await publisher?.begin();
    const plan = planFromParent(manifest, request.profile);
    const range = { startSeconds: request.startSeconds, endSeconds: Math.min(request.endSeconds, manifest.duration) };
    // The cuts first (only the parent's segments around the range are read): they fix the clip's
    // first frame and length, so the audio runs beside the video's edges, packaging and pictures.
    const loaded = await stopwatch.step('fetch', () => Promise.all(plan.video.map((rendition) => loadRendition(opened, plan, rendition, range))));
    const lead = loaded[0];
    if (!lead) throw new Error('a clip needs a video rendition');
    const duration = lead.cut.frames * lead.cut.frameTicks / lead.timescale;
    const clipPlan: TranscodePlan = { ...plan, source: { ...plan.source, duration } };
    // What the job page shows while the clip is made, as a transcode's probe tells it: the clip's
    // length, the parent recording's picture (and size, as the clip's manifest.json keeps it).
    emit(probedSourceEvent(clipPlan.source));
    const assembled = stopwatch.step('encode', () => clipVideo(request, loaded, plan, scratch));
    const videoDone = assembled.then(() => packageVideo(loaded, plan, scratch, out));
    const audioDone = stopwatch.step('audio', () => clipAudio(opened, plan, lead.cut.firstFrameSeconds, duration, scratch, out));
    // The pictures come from the parent's own GOPs over the range, beside the edge encodes: the
    // re-encoded ends are copies of those frames, so waiting for them would change nothing seen.
    const pictures = clipPlan.thumbnails && clipPlan.poster ? clipPictures(request, clipPlan, loaded, scratch, duration) : Promise.resolve();
    // The download is remuxed from the assembled files, beside the packaging.
    const downloadDone = request.profile.download ? Promise.all([assembled, audioDone]).then(() => stopwatch.step('download', () => makeDownload(request.ffmpeg, clipPlan, out, (name) => path.join(scratch, name), request.signal))) : Promise.resolve(undefined);
    const watch = (work: Promise<unknown>): void => {
      pending.push(work);
      work.catch((error: unknown) => {
        firstFailure ??= error;
        own.abort();
      });
    };
    for (const work of [videoDone, audioDone, pictures, downloadDone]) watch(work);
    const video = await videoDone;
    const [defaultAudio, ...alternates] = await audioDone;
    const packaged = await stopwatch.step('package', () => writePlaylists(out, video.map((v) => v.track), defaultAudio, alternates));
    // The WebVTT track covers the whole asset, the audio's last frame included.
    const thumbnailsDone = clipPlan.thumbnails && clipPlan.poster ? stopwatch.step('thumbnails', async () => {
      await pictures;
      return finishThumbnails(request.ffmpeg, clipPlan, scratch, out, packaged.duration, request.signal);
    }) : Promise.resolve(undefined);
    watch(thumbnailsDone);
    const [thumbnails, download] = await Promise.all([thumbnailsDone, downloadDone]);
    const chapters = await carryChapters(manifest, clipPlan, out, lead.cut.firstFrameSeconds, packaged.duration);
    const built = await stopwatch.step('manifest', async () => {
      const result = buildAssetManifest({
        version, plan: clipPlan, video: packaged.video, createdAt: new Date(),
        files: await listAssetFiles(out.root),
        timingsMs: { ...stopwatch.timingsMs, total: Math.round(performance.now() - started) },
        cost: assetCost(cpuSoFar(), duration),
        clip: { parentJobId: request.parentJobId ?? null, start: lead.cut.firstFrameSeconds, end: lead.cut.firstFrameSeconds + duration, title: request.title ?? null },
        ...(packaged.audio ? { audio: packaged.audio } : {}),
        ...(packaged.alternateAudio ? { alternateAudio: packaged.alternateAudio } : {}),
        ...(thumbnails ? { thumbnails } : {}),
        ...(download ? { download } : {}),
        ...(chapters ? { event: { chapters } } : {}),
      });
      await writeAssetManifest(out, result);
      return result;
    });
    if (publisher) {
      await stopwatch.step('publish', async () => publisher.finish((await listAssetFiles(out.root)).map((f) => f.path).concat('manifest.json')));
    } else await out.markComplete();
    return built;
  } catch (error) {
    // The part that failed first says why, not a part it stopped (which rejects as cancelled):
    // taken before the abort below makes the others fail too.
    const cause = given.signal.aborted ? error : (firstFailure ?? error);
    own.abort();
    await Promise.allSettled(pending);
    await publisher?.abort();
    await out.discard();
    throw cause;
  } finally {
    await parent?.close();
    await destination?.close();
    await rm(scratch, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * The parent's plan again, from the source analysis in its manifest and the transcode settings:
 * every rendition's encoder settings (CRF, rate caps, GOP), the audio, thumbnails and download.
 * Refused when the settings no longer make the parent's renditions.
 */
export function planFromParent(manifest: ParentManifest, profile: TranscodeProfile): TranscodePlan {
  const encoder = encoders[manifest.encoder.name];
  const planned = planTranscode(manifest.source, {
    codec: encoder.codec,
    encoder: encoder.name,
    ...(manifest.encoder.preset === null ? {} : { encoderPreset: manifest.encoder.preset }),
    rungs: profile.ladder ?? ladderPresets[encoder.codec],
    defaultLanguage: profile.language,
    // The parent's audio is normalised already; the clip keeps its levels.
    loudness: false,
    audioBitrateKbps: profile.audioBitrateKbps,
    gopSeconds: manifest.packaging.gopSeconds,
    segmentSeconds: manifest.packaging.segmentSeconds,
    thumbnails: profile.thumbnails,
  });
  const video = manifest.renditions.map((r) => {
    const found = planned.video.find((p) => p.id === r.id);
    if (!found) {
      throw new Live2vodError(`the parent's rendition ${r.id} is not in the ladder this control plane uses now (${planned.video.map((p) => p.id).join(', ')}): a clip re-encodes its ends with the rendition's own settings, so it can only be cut from an asset made with the current ladder`, { exitCode: ExitCode.badInput, retryable: false });
    }
    return found;
  });
  // The richest first: its frame times are the clip's.
  video.sort((a, b) => b.width * b.height - a.width * a.height || b.bitrateKbps - a.bitrateKbps);
  const audio = audioRenditions(planned);
  const parentAudio = manifest.audioTracks.map((t) => t.id);
  if (audio.map((a) => a.id).join() !== parentAudio.join()) {
    throw new Live2vodError(`the parent's audio tracks [${parentAudio.join(', ')}] are not the ones its source plans now [${audio.map((a) => a.id).join(', ')}]`, { exitCode: ExitCode.badInput, retryable: false });
  }
  const { detectEvent: _detect, ...plan } = planned;
  return { ...plan, video, deinterlace: false };
}

interface ClippedVideo {
  rendition: VideoRendition;
  cut: RenditionCut;
  track: PackagedTrack;
}

interface LoadedRendition {
  rendition: VideoRendition;
  dir: string;
  init: Buffer;
  timescale: number;
  fragments: { fragment: Fragment; bytes: Buffer }[];
  cut: RenditionCut;
}

/** Every rendition of the clip as one fragmented MP4 in scratch: the edges re-encoded, the GOPs between copied. */
async function clipVideo(request: ClipRequest, loaded: readonly LoadedRendition[], plan: TranscodePlan, scratch: string): Promise<void> {
  // One ffmpeg per cut, every rendition's straddling GOP in it; the two cuts side by side.
  const edges = (which: 'head' | 'tail'): EdgeEncode[] => loaded.flatMap((r) => {
    const piece = which === 'head' ? r.cut.pieces[0] : r.cut.pieces.at(-1);
    if (piece?.kind !== 'encode' || (which === 'tail' && r.cut.pieces.length === 1)) return [];
    return [{ rendition: r.rendition, input: path.join(scratch, `edge-${r.rendition.id}-${piece.fragment}.mp4`), fromFrame: piece.fromFrame, toFrame: piece.toFrame, timescale: r.timescale, output: path.join(scratch, `piece-${r.rendition.id}-${piece.fragment}.mp4`) }];
  });
  const cuts = [edges('head'), edges('tail')].filter((e) => e.length > 0);
  for (const r of loaded) {
    for (const piece of r.cut.pieces) {
      const f = r.fragments[piece.fragment];
      if (piece.kind === 'encode' && f) await writeFile(path.join(scratch, `edge-${r.rendition.id}-${piece.fragment}.mp4`), Buffer.concat([r.init, f.bytes]));
    }
  }
  await Promise.all(cuts.map((edgesOfCut) => runProcess({ command: buildEdgeCommand(request.ffmpeg, plan, edgesOfCut), stage: 'encode', cwd: scratch, signal: request.signal })));
  await Promise.all(loaded.map((r) => assemble(r, scratch, path.join(scratch, scratchNames.video(r.rendition.id)))));
}

/** The assembled renditions cut into the clip's segments. */
function packageVideo(loaded: readonly LoadedRendition[], plan: TranscodePlan, scratch: string, out: OutputDir): Promise<ClippedVideo[]> {
  return Promise.all(loaded.map(async (r): Promise<ClippedVideo> => {
    const relDir = `video/${r.rendition.id}`;
    const track = await packageTrack({ fmp4Path: path.join(scratch, scratchNames.video(r.rendition.id)), outDir: out.path(relDir), relDir, id: r.rendition.id, kind: 'video', segmentSeconds: plan.segmentSeconds, rendition: r.rendition });
    return { rendition: r.rendition, cut: r.cut, track };
  }));
}

async function loadRendition(parent: ParentAsset, plan: TranscodePlan, rendition: VideoRendition, range: { startSeconds: number; endSeconds: number }): Promise<LoadedRendition> {
  const entry = parent.manifest.renditions.find((r) => r.id === rendition.id);
  if (!entry) throw new Error(`no rendition ${rendition.id} in the parent`);
  const dir = path.posix.dirname(entry.init);
  const files = trackSegments(parent.manifest, dir);
  const numbers = segmentsAround(range, plan.segmentSeconds, files.length);
  const [init, ...segments] = await Promise.all([parent.read(entry.init), ...numbers.map((n) => parent.read(files[n - 1] ?? `${dir}/missing`))]);
  if (!init) throw new Error('unreachable: no init read');
  const timescale = trackTimescale(init);
  const fragments = segments.flatMap((bytes) => parseFragments(bytes, 0).map((fragment) => ({ fragment, bytes: bytes.subarray(fragment.offset, fragment.offset + fragment.size) })));
  const cut = cutRendition(fragments.map((f) => f.fragment), timescale, rendition.frameRate, range, numbers.at(-1) === files.length);
  return { rendition, dir, init, timescale, fragments, cut };
}

/** The clip's rendition as one fragmented MP4 under the parent's init: copied GOPs and re-encoded edges, one after the other from 0. */
async function assemble(r: LoadedRendition, scratch: string, file: string): Promise<void> {
  const parts: Buffer[] = [r.init];
  const headers = sampleDescription(r.init);
  let at = 0;
  let sequence = 1;
  const place = (bytes: Buffer, duration: number): void => {
    parts.push(...placedCopy(bytes, { decodeTicks: at, sequence: sequence++ }));
    at += duration;
  };
  for (const piece of r.cut.pieces) {
    const source = r.fragments[piece.fragment];
    if (!source) throw new Error(`fragment ${piece.fragment} of ${r.rendition.id} was not read`);
    if (piece.kind === 'copy') {
      place(source.bytes, source.fragment.duration);
      continue;
    }
    const encoded = await readFile(path.join(scratch, `piece-${r.rendition.id}-${piece.fragment}.mp4`));
    if (!sampleDescription(encoded).equals(headers)) {
      throw new Live2vodError(`the re-encoded end of rendition ${r.rendition.id} has other stream headers than the parent's (the encoder or its settings changed since the parent was made); the clip cannot share the parent's segments`, { exitCode: ExitCode.internal, retryable: false });
    }
    const fragments = parseFragments(encoded, parseInitSegment(encoded).initSize);
    const ticks = fragments.reduce((sum, f) => sum + f.duration, 0);
    const wanted = (piece.toFrame - piece.fromFrame) * r.cut.frameTicks;
    if (ticks !== wanted) throw new Live2vodError(`the re-encoded end of rendition ${r.rendition.id} lasts ${ticks} ticks, not the ${wanted} of its ${piece.toFrame - piece.fromFrame} frames`, { exitCode: ExitCode.internal, retryable: false });
    for (const f of fragments) place(encoded.subarray(f.offset, f.offset + f.size), f.duration);
  }
  await writeParts(file, parts);
}

/** Buffers written one after the other into a new file: joining them first would copy a clip's media once more. */
async function writeParts(file: string, parts: readonly Buffer[]): Promise<void> {
  const handle = await open(file, 'w');
  try {
    for (const part of parts) await handle.write(part);
  } finally {
    await handle.close();
  }
}

function trackTimescale(init: Buffer): number {
  return parseInitSegment(init).track.timescale;
}

/**
 * Each audio track of the range, the parent's frames copied: the first is the frame that starts
 * nearest the clip's first picture and the last ends nearest its last, so the sound is at most half
 * a frame off (about 10 ms of AAC at 48 kHz, well under what lip sync shows) and nothing is
 * decoded. Re-encoding would be exact to the sample but cost more than the whole rest of a long clip.
 */
async function clipAudio(parent: ParentAsset, plan: TranscodePlan, startSeconds: number, seconds: number, scratch: string, out: OutputDir): Promise<PackagedTrack[]> {
  const range = { startSeconds, endSeconds: startSeconds + seconds };
  return Promise.all(audioRenditions(plan).map(async (rendition): Promise<PackagedTrack> => {
    const entry = parent.manifest.audioTracks.find((t) => t.id === rendition.id);
    if (!entry) throw new Error(`no audio track ${rendition.id} in the parent`);
    const dir = path.posix.dirname(entry.playlist);
    const files = trackSegments(parent.manifest, dir);
    const numbers = segmentsAround(range, plan.segmentSeconds, files.length);
    const [init, ...segments] = await Promise.all([parent.read(`${dir}/init.mp4`), ...numbers.map((n) => parent.read(files[n - 1] ?? `${dir}/missing`))]);
    if (!init) throw new Error('unreachable: no init read');
    const timescale = trackTimescale(init);
    const fragments = segments.flatMap((bytes) => parseFragments(bytes, 0).map((f) => readFragmentSamples(bytes.subarray(f.offset, f.offset + f.size))));
    const picked = audioFramesOf(fragments, Math.round(startSeconds * timescale), Math.round(seconds * timescale));
    if (!picked) throw new InputError(`the parent's audio track ${rendition.id} has no frames around ${startSeconds} s`);
    const file = path.join(scratch, audioScratchName(plan, rendition));
    const oneFragment = 2 * timescale;
    const parts: Buffer[] = [init];
    // Fragments of about 2 s, as the transcode's audio has.
    let run: Sample[] = [];
    let ticks = 0;
    let time = 0;
    const flush = (): void => {
      parts.push(writeFragment({ trackId: picked.trackId, decodeTime: time, samples: run }, parts.length));
      time += ticks;
      run = [];
      ticks = 0;
    };
    for (const sample of picked.samples) {
      run.push(sample);
      ticks += sample.duration;
      if (ticks >= oneFragment) flush();
    }
    if (run.length > 0) flush();
    await writeParts(file, parts);
    const relDir = `audio/${rendition.id}`;
    await mkdir(out.path(relDir), { recursive: true });
    return packageTrack({ fmp4Path: file, outDir: out.path(relDir), relDir, id: rendition.id, kind: 'audio', segmentSeconds: plan.segmentSeconds, audio: rendition });
  }));
}

/** The frames of `fragments` (joined, in order) from the one starting nearest `fromTick` for about `ticks`: each kept while it ends no more than half a frame past. */
export function audioFramesOf(fragments: readonly FragmentSamples[], fromTick: number, ticks: number): { trackId: number; samples: Sample[] } | undefined {
  const timed = fragments.flatMap((f) => {
    let time = f.decodeTime;
    return f.samples.map((sample) => {
      const at = time;
      time += sample.duration;
      return { at, sample };
    });
  });
  let first = -1;
  timed.forEach((t, i) => {
    const best = timed[first];
    if (!best || Math.abs(t.at - fromTick) < Math.abs(best.at - fromTick)) first = i;
  });
  const head = fragments[0];
  if (first < 0 || !head) return undefined;
  const samples: Sample[] = [];
  let length = 0;
  for (const { sample } of timed.slice(first)) {
    if (length + sample.duration / 2 > ticks) break;
    samples.push(sample);
    length += sample.duration;
  }
  return samples.length > 0 ? { trackId: head.trackId, samples } : undefined;
}

/** The parent's chapters over the clip's range, written as the clip's own documents (each with a thumbnail of the clip's); undefined when the parent has none there. */
async function carryChapters(parent: ParentManifest, plan: TranscodePlan, out: OutputDir, start: number, duration: number): Promise<EventSummary['chapters'] | undefined> {
  const carried = clipChapters(parent.chapters?.list ?? [], start, duration);
  if (carried.length === 0) return undefined;
  const list = await withThumbnails(plan, out, carried);
  await writeChapters(plan, out, list, duration);
  return { vtt: chapterFiles.vtt, hls: chapterFiles.hls, list };
}

/** Sprite pictures and poster candidates of the clip, decoded from the parent's GOPs that hold it (joined from time 0, the clip's first frame found by an exact seek). */
async function clipPictures(request: ClipRequest, plan: TranscodePlan, loaded: readonly LoadedRendition[], scratch: string, duration: number): Promise<void> {
  const pick = picturesRendition(plan);
  const source = loaded.find((r) => r.rendition.id === pick.id);
  const first = source?.cut.pieces[0]?.fragment;
  const last = source?.cut.pieces.at(-1)?.fragment;
  if (!source || first === undefined || last === undefined) throw new Error(`the pictures' rendition ${pick.id} was not read`);
  const parts: Buffer[] = [source.init];
  let at = 0;
  for (const [i, { fragment, bytes }] of source.fragments.slice(first, last + 1).entries()) {
    parts.push(...placedCopy(bytes, { decodeTicks: at, sequence: i + 1 }));
    at += fragment.duration;
  }
  const file = path.join(scratch, 'pictures-source.mp4');
  await writeParts(file, parts);
  const offset = source.cut.firstFrameSeconds - (source.fragments[first]?.fragment.decodeTime ?? 0) / source.timescale;
  await runProcess({ command: buildClipPicturesCommand(request.ffmpeg, plan, file, pick.frameRate, { offsetSeconds: offset, durationSeconds: duration }), stage: 'encode', cwd: scratch, signal: request.signal });
}

/** The smallest rendition at least as large as a sprite thumbnail: the cheapest decode that loses nothing. */
function picturesRendition(plan: TranscodePlan): VideoRendition {
  const small = [...plan.video].sort((a, b) => a.width * a.height - b.width * b.height);
  const fits = small.find((r) => !plan.thumbnails || (r.width >= plan.thumbnails.width && r.height >= plan.thumbnails.height));
  const pick = fits ?? small.at(-1);
  if (!pick) throw new Error('no rendition for the pictures');
  return pick;
}
