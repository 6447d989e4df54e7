// The profile of a transcode (ladder, codecs, packaging, thumbnails, loudness): part of every
// TranscodeTask, and the `transcode` section of the configuration.
import { z } from 'zod';
import { isWholeMultiple } from '../media/chunk-plan.ts';
import { encoderNames, presetProblem } from '../media/encoders/registry.ts';
import { defaultQualitySampling } from '../media/quality-command.ts';

const rungSchema = z.strictObject({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bitrateKbps: z.number().int().positive(),
  maxFrameRate: z.number().positive(),
  crf: z.number().min(0).max(63).optional(),
});

export const transcodeProfileSchema = z.strictObject({
  codec: z.enum(['h264', 'hevc', 'av1']).default('h264'),
  encoder: z.enum(encoderNames).optional(),
  preset: z.string().regex(/^[\w-]+$/).optional(),
  ladder: z.array(rungSchema).min(1).optional(),
  /**
   * A mixed ladder (codec h264 only): the H.264 rungs up to 1080p for every device, plus the same
   * rungs in HEVC (libx265, hvc1) up to the source's size, 4K included, in one master and one MPD.
   * An HDR source keeps HDR in the HEVC rungs; the H.264 ones are tone-mapped to SDR.
   */
  mixedHevc: z.boolean().default(false),
  /**
   * `fixed`: the rungs (`ladder`, else the codec's preset) as they are; `content-aware`: a short
   * analysis encode of the recording prices each rung, and rungs that add nothing are dropped and
   * caps fitted (H.264 only; docs/architecture.md "The ladder"). Absent: a `ladder` given here is
   * used as written, the preset as the default kind says (defaultLadderKind).
   */
  ladderKind: z.enum(['fixed', 'content-aware']).optional(),
  language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/).default('en'),
  loudness: z.union([z.literal(false), z.strictObject({ integrated: z.number().min(-70).max(-5), truePeak: z.number().min(-9).max(0) })]).default({ integrated: -16, truePeak: -1.5 }),
  audioBitrateKbps: z.number().int().min(32).max(160).default(128),
  segmentSeconds: z.number().min(1).max(30).default(6),
  gopSeconds: z.number().min(0.5).max(10).default(2),
  thumbnails: z.boolean().default(true),
  download: z.boolean().default(true),
  /** A stream-copy HLS in instant/ that plays seconds after intake, while the ladder encodes. */
  instantRemux: z.boolean().default(true),
  /**
   * Split-and-stitch: the chunk length in seconds (a multiple of segmentSeconds), 0 to never chunk;
   * absent, it is chosen from the recording's length and the chunks that can run at once.
   */
  chunkSeconds: z.number().min(0).max(86_400).optional(),
  /**
   * Sampled quality per rendition in manifest.json (SSIM, PSNR; VMAF where ffmpeg has libvmaf):
   * whole-GOP windows spread over the recording, every 4th frame, under 5 % of the encode's CPU
   * (defaultQualitySampling, docs/benchmarks.md); false to skip it.
   */
  quality: z.union([
    z.literal(false),
    z.strictObject({
      windows: z.number().int().min(1).max(50).default(defaultQualitySampling.windows),
      windowSeconds: z.number().min(0.2).max(30).optional(),
      share: z.number().positive().max(1).default(defaultQualitySampling.share),
      frameStep: z.number().int().min(1).max(60).default(defaultQualitySampling.frameStep),
    }),
  ]).default(defaultQualitySampling),
}).refine((p) => !p.mixedHevc || p.codec === 'h264', { path: ['mixedHevc'], message: 'adds HEVC rungs to an H.264 ladder: use it with codec h264' })
  .refine((p) => p.chunkSeconds === undefined || p.chunkSeconds === 0 || isWholeMultiple(p.chunkSeconds, p.segmentSeconds), { path: ['chunkSeconds'], message: 'must be a multiple of segmentSeconds, or 0 to never chunk' })
  // At start (serve's configuration), not in ffmpeg on every job.
  .superRefine((p, context) => {
    const problem = p.preset === undefined ? undefined : presetProblem(p.preset, p.codec, p.encoder);
    if (problem !== undefined) context.addIssue({ code: 'custom', path: ['preset'], message: problem });
  });

export type TranscodeProfile = z.infer<typeof transcodeProfileSchema>;
