// Probe and plan: everything decided before the first encode, shared by real and dry runs.
import path from 'node:path';
import { listFilters, usableEncoders } from '../ffmpeg/capabilities.ts';
import { buildAudioEncodeCommand, buildLoudnessMeasureCommand } from '../media/audio-command.ts';
import { buildDownloadCommand } from '../media/download-command.ts';
import type { EncoderStrategy } from '../media/encoders/encoder.ts';
import { chooseEncoder, defaultEncoderFor, encoderNames, encoders } from '../media/encoders/registry.ts';
import { needsNativeMeasurement } from '../media/content-ladder.ts';
import { hdrTransferOf, type ToneMapper } from '../media/hdr.ts';
import { ladderPresets } from '../media/ladder-presets.ts';
import { planLadder } from '../media/ladder.ts';
import { pendingMeasurement } from '../media/loudness.ts';
import { planTranscode, type PlanOptions } from '../media/plan-transcode.ts';
import { toNumber } from '../media/rational.ts';
import { audioRenditions, audioScratchName, scratchNames, type TranscodePlan } from '../media/plan.ts';
import type { SourceInfo } from '../media/types.ts';
import { buildVideoCommand } from '../media/video-command.ts';
import { analyseComplexity } from './analyse-complexity.ts';
import { chooseChunks } from './chunked/choose-chunks.ts';
import { probeSource } from './probe-source.ts';
import type { TranscodeEvent } from './events.ts';
import type { TranscodeRequest } from './request.ts';

export interface PreparedTranscode {
  source: SourceInfo;
  plan: TranscodePlan;
  /** Why the requested encoder was replaced, or what else could not be done as asked (warnings). */
  fallback?: string;
  /** CPU seconds of the complexity analysis, when a content-aware ladder was analysed (not in the plan: it differs run to run). */
  analysisCpuSeconds?: number;
}

export async function prepareTranscode(request: TranscodeRequest): Promise<PreparedTranscode> {
  const requested = request.encoder ?? defaultEncoderFor[request.codec];
  // Probe and encoder check run side by side: both are ffmpeg start-ups before the encode can begin.
  // Only the requested encoder and the fallback are checked: opening a GPU encoder takes time. For
  // an audio-only source the check is wasted, but it ran beside the probe, so nothing waited for it.
  // The probe's error comes first when both fail: what is wrong with the input matters most.
  const [probed, checked] = await Promise.allSettled([
    probeSource(request.binaries.ffprobe, request.input, request.signal),
    usableEncoders(request.binaries.ffmpeg, [requested, 'libx264', ...(request.mixedHevc ? ['libx265' as const] : [])]),
  ]);
  if (probed.status === 'rejected') throw probed.reason;
  const source = probed.value;
  if (source.video && checked.status === 'rejected') throw checked.reason;
  const usable = source.video && checked.status === 'fulfilled' ? checked.value : new Set(encoderNames);
  const choice = chooseEncoder(requested, (name) => usable.has(name));
  const notes = choice.fallback ? [choice.fallback.reason] : [];
  const mixedHevc = request.mixedHevc === true && choice.encoder.codec === 'h264' && usable.has('libx265');
  if (request.mixedHevc && !mixedHevc) notes.push('the mixed ladder needs libx265 beside an H.264 encoder, which this ffmpeg lacks; making the H.264 ladder only');
  const toneMapper = source.video && hdrTransferOf(source.video) ? await chooseToneMapper(request.binaries.ffmpeg) : undefined;
  if (toneMapper === 'colorspace') notes.push('this ffmpeg has no zscale (libzimg): the HDR source is converted to BT.709 SDR without tone mapping, so it looks flat and its highlights clip; use an ffmpeg built with libzimg');
  const ladder = request.ladderKind === 'content-aware' && source.video ? await contentLadder(request, source, choice.encoder) : undefined;
  const plan = planTranscode(source, {
    codec: choice.encoder.codec,
    encoder: choice.encoder.name,
    ...(request.encoderPreset !== undefined && !choice.fallback ? { encoderPreset: request.encoderPreset } : {}),
    rungs: request.rungs ?? ladderPresets[choice.encoder.codec],
    ladder: ladder?.choice,
    defaultLanguage: request.defaultLanguage,
    loudness: request.loudness,
    audioBitrateKbps: request.audioBitrateKbps,
    gopSeconds: request.gopSeconds,
    segmentSeconds: request.segmentSeconds,
    thumbnails: request.thumbnails,
    mixedHevc,
    toneMapper,
  });
  return {
    source, plan,
    ...(notes.length > 0 ? { fallback: notes.join('; ') } : {}),
    ...(ladder?.cpuSeconds === undefined ? {} : { analysisCpuSeconds: ladder.cpuSeconds }),
  };
}

/** The `source` event of a probed recording: what the job page shows while the job runs. */
export function probedSourceEvent(source: SourceInfo): Extract<TranscodeEvent, { type: 'source' }> {
  const video = source.video;
  const rate = video ? toNumber(video.frameRate) : 0;
  return {
    type: 'source', durationSeconds: source.duration,
    ...(source.sizeBytes > 0 ? { bytes: source.sizeBytes } : {}),
    ...(video ? { width: video.displayWidth, height: video.displayHeight } : {}),
    // A report the control plane would refuse (no sane rate) says nothing of it instead.
    ...(rate > 0 && rate <= 10_000 ? { frameRate: rate } : {}),
  };
}

async function chooseToneMapper(ffmpeg: string): Promise<ToneMapper> {
  return (await listFilters(ffmpeg)).has('zscale') ? 'zscale' : 'colorspace';
}

/**
 * The analysis a content-aware ladder is chosen from, or why the fixed ladder is made instead. The
 * analysis encodes with x264, so it prices H.264 rungs; other codecs keep their fixed ladder.
 */
async function contentLadder(request: TranscodeRequest, source: SourceInfo, encoder: EncoderStrategy): Promise<{ choice: PlanOptions['ladder']; cpuSeconds?: number }> {
  if (encoder.codec !== 'h264') return { choice: { kind: 'fixed', note: `the complexity analysis prices H.264 rungs; the ${encoder.codec} ladder stays fixed` } };
  const video = source.video;
  const rungs = request.rungs ?? ladderPresets[encoder.codec];
  const planned = video ? planLadder(video, { codec: encoder.codec, rungs }) : [];
  const analysed = await analyseComplexity({
    ffmpeg: request.binaries.ffmpeg, input: request.input, source,
    needsNative: (downscaled) => video !== undefined && needsNativeMeasurement(planned, downscaled, video),
    ...(planned.length > 0 ? { crf: Math.min(...planned.map((r) => r.crf)) } : {}),
    // The encode's own preset where it is x264's; a GPU encoder's presets mean nothing to x264.
    preset: encoder.name === 'libx264' && request.encoderPreset !== undefined ? request.encoderPreset : encoders.libx264.defaultPreset,
    scratchRoot: request.scratchRoot, signal: request.signal,
  });
  if (!analysed) return { choice: { kind: 'fixed', note: 'the recording is too short to analyse' } };
  return { choice: { kind: 'content-aware', analysis: analysed.analysis }, ...(analysed.cpuSeconds === undefined ? {} : { cpuSeconds: analysed.cpuSeconds }) };
}

/** Scratch paths a download is made from, and where it goes inside the asset. */
export function downloadSpec(plan: TranscodePlan): { video?: string; audio?: string; alternateAudio?: string[]; output: string } | undefined {
  const video = plan.downloadRenditionId ? scratchNames.video(plan.downloadRenditionId) : undefined;
  const audio = plan.audio ? scratchNames.audio : undefined;
  if (!video && !audio) return undefined;
  const output = video ? `download/${plan.downloadRenditionId}.mp4` : 'download/audio.m4a';
  const alternateAudio = (plan.alternateAudio ?? []).map((r) => audioScratchName(plan, r));
  return { ...(video ? { video } : {}), ...(audio ? { audio } : {}), ...(alternateAudio.length > 0 ? { alternateAudio } : {}), output };
}

/** The ffmpeg commands a run would execute, in order; for `--dry-run`. */
export function plannedCommands(request: TranscodeRequest, plan: TranscodePlan, scratch: string): string[][] {
  const { ffmpeg } = request.binaries;
  const commands: string[][] = [];
  if (plan.video.length > 0) {
    const chunks = chooseChunks(plan, request.chunking);
    if (chunks) for (const chunk of chunks.chunks) commands.push(buildVideoCommand(ffmpeg, request.input, plan, chunk));
    else commands.push(buildVideoCommand(ffmpeg, request.input, plan));
  }
  for (const rendition of audioRenditions(plan)) {
    if (plan.loudness) commands.push(buildLoudnessMeasureCommand(ffmpeg, request.input, plan, rendition));
    commands.push(buildAudioEncodeCommand(ffmpeg, request.input, plan, plan.loudness ? pendingMeasurement : undefined, plan.video.length === 0 && rendition === plan.audio, rendition));
  }
  const download = downloadSpec(plan);
  if (request.download && download) {
    commands.push(buildDownloadCommand(ffmpeg, {
      ...(download.video ? { video: path.join(scratch, download.video) } : {}),
      ...(download.audio ? { audio: path.join(scratch, download.audio) } : {}),
      ...(download.alternateAudio ? { alternateAudio: download.alternateAudio.map((name) => path.join(scratch, name)) } : {}),
    }, path.resolve(request.outDir, download.output)));
  }
  return commands;
}
