// Validates the `transcode` flags into a TranscodeRequest; wrong values are refused with the flag's name.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { z } from 'zod';
import { UsageError } from '../errors/index.ts';
import { resolveBinaries } from '../ffmpeg/binaries.ts';
import { isWholeMultiple } from '../media/chunk-plan.ts';
import { encoderNames, encoders, presetProblem } from '../media/encoders/registry.ts';
import type { EncoderName, VideoCodecFamily } from '../media/types.ts';
import { issueText } from '../zod-issue-text.ts';
import { parseLadderFile } from '../media/ladder-file.ts';
import type { TranscodeProfile } from '../jobs/transcode-task.ts';
import { defaultLoudness } from '../media/plan-transcode.ts';
import { defaultQualitySampling } from '../media/quality-command.ts';
import { requestFromProfile } from '../pipeline/request-from-profile.ts';
import type { TranscodeRequest } from '../pipeline/request.ts';

const numberFlag = (min: number, max: number) => z.coerce.number({ error: `must be a number from ${min} to ${max}` }).refine((v) => Number.isFinite(v) && v >= min && v <= max, `must be a number from ${min} to ${max}`);

export const transcodeFlagsSchema = z.object({
  out: z.string({ error: 'is required (an output directory)' }).min(1),
  // Absent: the --encoder's codec, else h264 (see parseTranscodeFlags).
  codec: z.enum(['h264', 'hevc', 'av1']).optional(),
  encoder: z.enum(encoderNames).optional(),
  preset: z.string().regex(/^[\w-]+$/, 'must be a plain preset name').optional(),
  ladder: z.string().optional(),
  mixedHevc: z.boolean().default(false),
  language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 tag such as en or pt-BR').default('en'),
  loudnorm: z.boolean().default(true),
  loudness: numberFlag(-70, -5).default(defaultLoudness.integrated),
  truePeak: numberFlag(-9, 0).default(defaultLoudness.truePeak),
  // ≤ 160 keeps the measured peak of the audio-only variant under the 192 kb/s the Authoring Spec allows.
  audioBitrate: numberFlag(32, 160).default(128),
  segment: numberFlag(1, 30).default(6),
  gop: numberFlag(0.5, 10).default(2),
  thumbnails: z.boolean().default(true),
  download: z.boolean().default(true),
  quality: z.boolean().default(true),
  instantRemux: z.boolean().default(false),
  scratch: z.string().optional(),
  chunkSeconds: numberFlag(0, 86_400).optional(),
  parallel: z.coerce.number({ error: 'must be a whole number from 1 to 256' }).int('must be a whole number').min(1, 'must be at least 1').max(256, 'must be at most 256').default(() => os.availableParallelism()),
  json: z.boolean().default(false),
  dryRun: z.boolean().default(false),
});

export type TranscodeFlags = Omit<z.infer<typeof transcodeFlagsSchema>, 'codec'> & { codec: VideoCodecFamily };

export function parseTranscodeFlags(raw: unknown): TranscodeFlags {
  const parsed = transcodeFlagsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const flag = issue?.path[0] ? `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : 'options';
    throw new UsageError(`${flag} ${issue ? issueText(issue) : 'is invalid'}`);
  }
  const flags = { ...parsed.data, codec: codecOf(parsed.data.codec, parsed.data.encoder) };
  // Checked here, not by ffmpeg after the probe and loudness pass (an exit 1 that would be retried).
  const presetRefused = flags.preset === undefined ? undefined : presetProblem(flags.preset, flags.codec, flags.encoder);
  if (presetRefused !== undefined) throw new UsageError(`--preset ${presetRefused}`);
  if (flags.mixedHevc && flags.codec !== 'h264') throw new UsageError(`--mixed-hevc adds HEVC rungs to an H.264 ladder: drop --codec ${flags.codec}${flags.encoder ? ` / --encoder ${flags.encoder}` : ''}`);
  if (flags.segment % flags.gop !== 0) throw new UsageError(`--segment (${flags.segment}) must be a multiple of --gop (${flags.gop})`);
  if (flags.chunkSeconds !== undefined && flags.chunkSeconds !== 0 && !isWholeMultiple(flags.chunkSeconds, flags.segment)) {
    throw new UsageError(`--chunk-seconds (${flags.chunkSeconds}) must be a multiple of --segment (${flags.segment}), or 0 to never chunk`);
  }
  return flags;
}

export async function toTranscodeRequest(input: string, flags: TranscodeFlags): Promise<TranscodeRequest> {
  const profile: TranscodeProfile = {
    codec: flags.codec,
    language: flags.language,
    loudness: flags.loudnorm ? { integrated: flags.loudness, truePeak: flags.truePeak } : false,
    audioBitrateKbps: flags.audioBitrate,
    segmentSeconds: flags.segment,
    gopSeconds: flags.gop,
    thumbnails: flags.thumbnails,
    download: flags.download,
    instantRemux: flags.instantRemux,
    mixedHevc: flags.mixedHevc,
    quality: flags.quality ? defaultQualitySampling : false,
    ...(flags.encoder ? { encoder: flags.encoder } : {}),
    ...(flags.preset ? { preset: flags.preset } : {}),
    // apple and content-aware by name; a file is used as written, no flag takes the default kind (requestFromProfile).
    ...(flags.ladder === 'content-aware' || flags.ladder === 'apple' ? { ladderKind: flags.ladder === 'apple' ? 'fixed' : 'content-aware' } : {}),
    ...(flags.ladder !== undefined && !builtInLadders.has(flags.ladder) ? { ladder: await readLadder(flags.ladder) } : {}),
  };
  const request: TranscodeRequest = { ...requestFromProfile(profile, { outDir: flags.out, binaries: resolveBinaries(), ...(flags.scratch ? { scratchRoot: flags.scratch } : {}) }), input };
  request.chunking = { parallelism: flags.parallel, ...(flags.chunkSeconds === undefined ? {} : { seconds: flags.chunkSeconds }) };
  return request;
}

/** `--ladder apple`: the fixed preset; `--ladder content-aware`: analysed; anything else names a ladder file (`./apple` for a file called so). */
const builtInLadders = new Set(['apple', 'content-aware']);

/** An encoder makes one codec: `--encoder libsvtav1` alone means av1; with another --codec it is a mistake. */
function codecOf(codec: VideoCodecFamily | undefined, encoder: EncoderName | undefined): VideoCodecFamily {
  if (encoder === undefined) return codec ?? 'h264';
  const made = encoders[encoder].codec;
  if (codec !== undefined && codec !== made) throw new UsageError(`--encoder ${encoder} makes ${made}, not ${codec}: drop --codec ${codec} or use --codec ${made}`);
  return made;
}

async function readLadder(file: string) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    // A bare word was more likely meant as a kind than as a file in the working directory.
    const meant = file.includes('/') || file.includes('.') ? '' : ' is not apple or content-aware, and as a ladder file it';
    throw new UsageError(`--ladder ${file}${meant} cannot be read (${code})`);
  }
  try {
    return parseLadderFile(JSON.parse(text));
  } catch (error) {
    throw new UsageError(`--ladder ${file}: ${(error as Error).message}`);
  }
}
