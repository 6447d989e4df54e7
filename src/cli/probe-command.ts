// `live2vod probe <input>`: the source analysis and the ladder that would be made, without encoding.
import { containerName } from '../media/container-name.ts';
import { toNumber } from '../media/rational.ts';
import { prepareTranscode } from '../pipeline/prepare.ts';
import type { CliIo } from './io.ts';
import { parseTranscodeFlags, toTranscodeRequest } from './transcode-options.ts';

export async function runProbeCommand(input: string, rawFlags: Record<string, unknown>, io: CliIo): Promise<void> {
  // The same flags as transcode shape the plan; --out is irrelevant here.
  const flags = parseTranscodeFlags({ ...rawFlags, out: '.' });
  const request = await toTranscodeRequest(input, flags);
  request.signal = io.signal;
  const { source, plan, fallback } = await prepareTranscode(request);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ source, plan: { encoder: plan.encoder, fallback: fallback ?? null, video: plan.video, audio: plan.audio ?? null, deinterlace: plan.deinterlace, gopSeconds: plan.gopSeconds, segmentSeconds: plan.segmentSeconds, thumbnails: plan.thumbnails ?? null, poster: plan.poster ?? null, download: plan.downloadRenditionId ?? null } }, null, 2)}\n`);
    return;
  }
  const lines = [`source: ${containerName(source.formatName)}, ${source.duration.toFixed(2)} s, ${source.sizeBytes} bytes`];
  const v = source.video;
  if (v) lines.push(`  video: ${v.codec} ${v.width}x${v.height} → displayed ${v.displayWidth}x${v.displayHeight}, ${toNumber(v.frameRate).toFixed(3)} fps${v.variableFrameRate ? ' (variable)' : ''}${v.interlaced ? ', interlaced' : ''}${v.rotation ? `, rotated ${v.rotation}°` : ''}`);
  const a = source.audio;
  if (a) lines.push(`  audio: ${a.codec} ${a.channels} ch${a.channelLayout ? ` (${a.channelLayout})` : ''} ${a.sampleRate} Hz${a.language ? ` [${a.language}]` : ''}`);
  lines.push(`ladder (${plan.encoder}${fallback ? `; ${fallback}` : ''}):`);
  for (const r of plan.video) lines.push(`  ${r.id.padEnd(14)} ${r.width}x${r.height} @ ${toNumber(r.frameRate).toFixed(3)} fps, ≤ ${r.maxrateKbps} kb/s, crf ${r.crf}`);
  if (plan.audio) lines.push(`  ${plan.audio.id.padEnd(14)} AAC-LC ${plan.audio.sampleRate} Hz stereo, ${plan.audio.bitrateKbps} kb/s, ${plan.audio.language}${plan.loudness ? `, normalised to ${plan.loudness.integrated} LUFS / ${plan.loudness.truePeak} dBTP` : ''}`);
  io.stdout.write(`${lines.join('\n')}\n`);
}
