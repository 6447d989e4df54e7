// Turns ffprobe's JSON into SourceInfo. The JSON comes from outside (the file decides it), so it is
// validated, and anything that makes the source unusable becomes an InputError that says why.
import { z } from 'zod';
import { InputError } from '../errors/index.ts';
import { isSupportedAudioCodec, isSupportedVideoCodec, supportedCodecsHint } from './codecs.ts';
import { capFrameRate, isStandardRate, parseRational, snapFrameRate, toNumber } from './rational.ts';
import type { Rational, Rotation, SourceAudio, SourceInfo, SourceVideo } from './types.ts';

const numeric = z.union([z.string(), z.number()]).optional().transform((v) => {
  if (v === undefined || v === 'N/A') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
});

const streamSchema = z.object({
  index: z.number(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  profile: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  sample_aspect_ratio: z.string().optional(),
  pix_fmt: z.string().optional(),
  color_transfer: z.string().optional(),
  color_primaries: z.string().optional(),
  color_space: z.string().optional(),
  r_frame_rate: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  field_order: z.string().optional(),
  channels: z.number().optional(),
  channel_layout: z.string().optional(),
  sample_rate: numeric,
  bit_rate: numeric,
  start_time: numeric,
  duration: numeric,
  disposition: z.object({ attached_pic: z.number().optional(), default: z.number().optional() }).partial().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  side_data_list: z.array(z.object({ side_data_type: z.string().optional(), rotation: z.number().optional() }).loose()).optional(),
}).loose();

const probeSchema = z.object({
  streams: z.array(streamSchema).default([]),
  format: z.object({
    format_name: z.string(),
    duration: numeric,
    size: numeric,
    bit_rate: numeric,
  }).loose(),
});

type ProbeStream = z.infer<typeof streamSchema>;

export function parseProbe(json: unknown): SourceInfo {
  const parsed = probeSchema.safeParse(json);
  if (!parsed.success) throw new InputError(`ffprobe could not describe the source: ${parsed.error.issues[0]?.message ?? 'unexpected output'}`);
  const { streams, format } = parsed.data;
  const videoStream = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audioStreams = streams.filter((s) => s.codec_type === 'audio');
  // The stream the recorder marked default leads; without a mark, the first.
  const audioStream = audioStreams.find((s) => s.disposition?.default === 1) ?? audioStreams[0];
  if (!videoStream && !audioStream) throw new InputError('the source has neither a video nor an audio stream');

  const video = videoStream ? toVideo(videoStream) : undefined;
  const audio = audioStream ? toAudio(audioStream) : undefined;
  const duration = Math.max(format.duration ?? 0, video?.duration ?? 0, audio?.duration ?? 0);
  if (!(duration > 0)) throw new InputError('the source has no duration: it is empty or truncated before its first frame');

  const info: SourceInfo = { formatName: format.format_name, duration, sizeBytes: format.size ?? 0 };
  if (format.bit_rate !== undefined) info.bitRate = format.bit_rate;
  if (video) info.video = video;
  if (audio) info.audio = audio;
  if (audioStream && audioStreams.length > 1) info.audioStreams = audioStreams.map((s) => (s === audioStream && audio ? audio : toAudio(s)));
  return info;
}

function toVideo(s: ProbeStream): SourceVideo {
  const codec = s.codec_name ?? 'unknown';
  if (!isSupportedVideoCodec(codec)) throw new InputError(`the source's video codec "${codec}" is not supported (supported: ${supportedCodecsHint()})`);
  if (!s.width || !s.height) throw new InputError('the source video stream has no frame size: the file is corrupt or truncated');
  const sar = parseRational(s.sample_aspect_ratio, ':') ?? { num: 1, den: 1 };
  const rotation = rotationOf(s);
  const squareWidth = s.width * (sar.num / sar.den);
  const swap = rotation === 90 || rotation === 270;
  const { frameRate, variable } = frameRateOf(s);
  const video: SourceVideo = {
    index: s.index,
    codec,
    width: s.width,
    height: s.height,
    sampleAspectRatio: sar,
    rotation,
    displayWidth: Math.round(swap ? s.height : squareWidth),
    displayHeight: Math.round(swap ? squareWidth : s.height),
    frameRate,
    variableFrameRate: variable,
    interlaced: ['tt', 'bb', 'tb', 'bt'].includes(s.field_order ?? ''),
    startTime: s.start_time ?? 0,
  };
  if (s.profile) video.profile = s.profile;
  if (s.pix_fmt) video.pixelFormat = s.pix_fmt;
  // ffprobe says `unknown` for an untagged stream: absent here, so SDR is assumed.
  if (s.color_transfer && s.color_transfer !== 'unknown') video.colorTransfer = s.color_transfer;
  if (s.color_primaries && s.color_primaries !== 'unknown') video.colorPrimaries = s.color_primaries;
  if (s.color_space && s.color_space !== 'unknown') video.colorSpace = s.color_space;
  if (s.bit_rate !== undefined) video.bitRate = s.bit_rate;
  if (s.duration !== undefined) video.duration = s.duration;
  return video;
}

function toAudio(s: ProbeStream): SourceAudio {
  const codec = s.codec_name ?? 'unknown';
  if (!isSupportedAudioCodec(codec)) throw new InputError(`the source's audio codec "${codec}" is not supported (supported: ${supportedCodecsHint()})`);
  if (!s.channels || !s.sample_rate) throw new InputError('the source audio stream has no channels or sample rate: the file is corrupt or truncated');
  const audio: SourceAudio = { index: s.index, codec, channels: s.channels, sampleRate: s.sample_rate, startTime: s.start_time ?? 0 };
  if (s.channel_layout) audio.channelLayout = s.channel_layout;
  if (s.bit_rate !== undefined) audio.bitRate = s.bit_rate;
  if (s.duration !== undefined) audio.duration = s.duration;
  const language = s.tags?.language;
  if (language && language !== 'und') audio.language = language;
  const title = s.tags?.title?.trim();
  if (title) audio.title = title;
  return audio;
}

function rotationOf(s: ProbeStream): Rotation {
  const fromSideData = s.side_data_list?.find((d) => d.rotation !== undefined)?.rotation;
  const raw = fromSideData ?? Number(s.tags?.rotate ?? 0);
  const normalised = (((Math.round(raw / 90) * 90) % 360) + 360) % 360;
  return normalised as Rotation;
}

/**
 * The nominal rate: r_frame_rate when it is a plausible video rate, else the average snapped to a
 * broadcast rate. Timebase-like values (1000/1, 90000/1) mark variable-rate sources.
 */
function frameRateOf(s: ProbeStream): { frameRate: Rational; variable: boolean } {
  const r = parseRational(s.r_frame_rate);
  const avg = parseRational(s.avg_frame_rate);
  const plausible = (x: Rational | undefined): x is Rational => x !== undefined && toNumber(x) >= 1 && toNumber(x) <= 240;
  if (plausible(r) && plausible(avg)) {
    const variable = Math.abs(toNumber(r) - toNumber(avg)) / toNumber(avg) > 0.01;
    // A recording that drops frames still has its nominal rate in r_frame_rate: keep that when it is
    // a broadcast rate, so output motion does not judder at an odd average.
    return { frameRate: variable && !isStandardRate(r) ? snapFrameRate(avg) : r, variable };
  }
  if (plausible(avg)) return { frameRate: snapFrameRate(avg), variable: true };
  if (plausible(r)) return { frameRate: r, variable: false };
  // No usable rate at all (some broken FLVs): assume 30 and say so through `variable`.
  return { frameRate: capFrameRate({ num: 30, den: 1 }, 60), variable: true };
}
