// Turns a validated TranscodeProfile (from CLI flags or a TranscodeTask) into a TranscodeRequest
// without its input: the CLI adds a local path, a worker's stage a source location.
import type { FfmpegBinaries } from '../ffmpeg/binaries.ts';
import type { TranscodeProfile } from '../jobs/transcode-profile.ts';
import { defaultLadderKind } from '../media/plan.ts';
import { defaultLoudness } from '../media/plan-transcode.ts';
import type { TranscodeRequest } from './request.ts';

export function requestFromProfile(profile: TranscodeProfile, where: { outDir: string; scratchRoot?: string; binaries: FfmpegBinaries }): Omit<TranscodeRequest, 'input'> {
  const request: Omit<TranscodeRequest, 'input'> = {
    outDir: where.outDir,
    codec: profile.codec,
    defaultLanguage: profile.language,
    loudness: profile.loudness ? { ...profile.loudness, range: defaultLoudness.range } : false,
    audioBitrateKbps: profile.audioBitrateKbps,
    gopSeconds: profile.gopSeconds,
    segmentSeconds: profile.segmentSeconds,
    thumbnails: profile.thumbnails,
    download: profile.download,
    instantRemux: profile.instantRemux,
    quality: profile.quality,
    // A ladder written into the profile is used as written unless content-aware is asked for by name.
    ladderKind: profile.ladderKind ?? (profile.ladder ? 'fixed' : defaultLadderKind),
    binaries: where.binaries,
  };
  if (profile.encoder) request.encoder = profile.encoder;
  if (profile.mixedHevc) request.mixedHevc = true;
  if (profile.preset) request.encoderPreset = profile.preset;
  if (profile.ladder) request.rungs = profile.ladder.map((r) => ({ ...r }));
  if (where.scratchRoot) request.scratchRoot = where.scratchRoot;
  return request;
}
