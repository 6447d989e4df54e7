// `live2vod probe <input>`: the source analysis and the ladder that would be made, without encoding.
import { containerName } from '../media/container-name.ts';
import { hdrTransferOf } from '../media/hdr.ts';
import { audioRenditions, type LadderChoice } from '../media/plan.ts';
import { toNumber } from '../media/rational.ts';
import { prepareTranscode } from '../pipeline/prepare.ts';
import type { CliIo } from './io.ts';
import { parseTranscodeFlags, toTranscodeRequest } from './transcode-options.ts';

export async function runProbeCommand(input: string, rawFlags: Record<string, unknown>, io: CliIo): Promise<void> {
  // The same flags as transcode shape the plan; --out is irrelevant here.
  const flags = parseTranscodeFlags({ ...rawFlags, out: '.' });
  const request = await toTranscodeRequest(input, flags);
  request.signal = io.signal;
  const { source, plan, fallback, analysisCpuSeconds } = await prepareTranscode(request);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ source, plan: { encoder: plan.encoder, fallback: fallback ?? null, video: plan.video, audio: plan.audio ?? null, alternateAudio: plan.alternateAudio ?? [], ladder: { ...(plan.ladder ?? { kind: 'fixed' }), analysisCpuSeconds: analysisCpuSeconds ?? null }, deinterlace: plan.deinterlace, gopSeconds: plan.gopSeconds, segmentSeconds: plan.segmentSeconds, thumbnails: plan.thumbnails ?? null, poster: plan.poster ?? null, download: plan.downloadRenditionId ?? null } }, null, 2)}\n`);
    return;
  }
  const lines = [`source: ${containerName(source.formatName)}, ${source.duration.toFixed(2)} s, ${source.sizeBytes} bytes`];
  const v = source.video;
  if (v) lines.push(`  video: ${v.codec} ${v.width}x${v.height} → displayed ${v.displayWidth}x${v.displayHeight}, ${toNumber(v.frameRate).toFixed(3)} fps${v.variableFrameRate ? ' (variable)' : ''}${v.interlaced ? ', interlaced' : ''}${v.rotation ? `, rotated ${v.rotation}°` : ''}${hdrTransferOf(v) ? `, HDR ${hdrTransferOf(v)?.toUpperCase()} (${v.pixelFormat ?? '?'}, ${v.colorPrimaries ?? '?'})` : ''}`);
  for (const a of source.audioStreams ?? (source.audio ? [source.audio] : [])) {
    lines.push(`  audio: ${a.codec} ${a.channels} ch${a.channelLayout ? ` (${a.channelLayout})` : ''} ${a.sampleRate} Hz${a.language ? ` [${a.language}]` : ''}${a.title ? ` "${a.title}"` : ''}`);
  }
  lines.push(`ladder (${plan.encoder}${fallback ? `; ${fallback}` : ''}; ${ladderLine(plan.ladder, analysisCpuSeconds)}):`);
  const sdrFromHdr = plan.toneMapper ? `, SDR tone-mapped (${plan.toneMapper})` : '';
  for (const r of plan.video) {
    lines.push(`  ${r.id.padEnd(16)} ${r.width}x${r.height} @ ${toNumber(r.frameRate).toFixed(3)} fps, ≤ ${r.maxrateKbps} kb/s, crf ${r.crf}${r.encoder ? `, ${r.encoder}` : ''}${r.hdr ? `, HDR ${r.hdr.toUpperCase()} 10-bit` : sdrFromHdr}`);
  }
  for (const r of plan.ladder?.rungs ?? []) if (!r.kept) lines.push(`  dropped ${r.rung}: ${r.reason}`);
  for (const r of audioRenditions(plan)) {
    lines.push(`  ${r.id.padEnd(16)} AAC-LC ${r.sampleRate} Hz stereo, ${r.bitrateKbps} kb/s, ${r.language} "${r.name}"${r === plan.audio ? ' (default)' : ''}${plan.loudness ? `, normalised to ${plan.loudness.integrated} LUFS / ${plan.loudness.truePeak} dBTP` : ''}`);
  }
  io.stdout.write(`${lines.join('\n')}\n`);
}

/** `content-aware, 0.0107 bits/pixel (crf 23, 960x540, 4 × 2 s, 1.2 CPU-s)`, or `fixed`. */
function ladderLine(ladder: LadderChoice | undefined, cpuSeconds: number | undefined): string {
  if (!ladder) return 'fixed';
  if (!ladder.analysis) return `${ladder.kind}${ladder.note ? `: ${ladder.note}` : ''}`;
  const a = ladder.analysis;
  const size = a.sizes.filter((z) => !z.native).at(-1) ?? a.sizes[0];
  return `${ladder.kind}, ${a.bitsPerPixel} bits/pixel (crf ${a.crf}${size ? `, ${size.width}x${size.height}` : ''}, ${a.windows.length} × ${a.windows[0]?.seconds ?? 0} s${cpuSeconds === undefined ? '' : `, ${cpuSeconds} CPU-s`})`;
}
