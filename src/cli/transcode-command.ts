// `live2vod transcode <input> --out <dir>`: one job, in this process.
import os from 'node:os';
import path from 'node:path';
import { formatCommand } from '../ffmpeg/run-process.ts';
import type { TranscodeEvent } from '../pipeline/events.ts';
import { plannedCommands, prepareTranscode } from '../pipeline/prepare.ts';
import { sourceFetchFromEnv } from '../jobs/source-fetch.ts';
import { parseSourceLocation } from '../jobs/source-location.ts';
import { transcodeAnywhere } from '../pipeline/transcode-anywhere.ts';
import { ProgressBar } from './progress-bar.ts';
import type { CliIo } from './io.ts';
import { parseTranscodeFlags, toTranscodeRequest } from './transcode-options.ts';

export async function runTranscodeCommand(input: string, rawFlags: unknown, io: CliIo): Promise<void> {
  const flags = parseTranscodeFlags(rawFlags);
  // Read once: a bad scheme or bucket is refused before anything starts.
  const source = parseSourceLocation(input, { cwd: process.cwd() });
  const request = await toTranscodeRequest(input, flags);
  request.signal = io.signal;

  if (flags.dryRun) {
    const { plan, fallback } = await prepareTranscode(request);
    const commands = plannedCommands(request, plan, path.join(request.scratchRoot ?? os.tmpdir(), 'live2vod-XXXXXX'));
    if (flags.json) io.stdout.write(`${JSON.stringify(commands)}\n`);
    else {
      if (fallback) io.stderr.write(`warning: ${fallback}\n`);
      for (const command of commands) io.stdout.write(`${formatCommand(command)}\n\n`);
    }
    return;
  }

  const bar = !flags.json && io.stderr.isTTY ? new ProgressBar(io.stderr) : undefined;
  request.onEvent = (event: TranscodeEvent) => {
    if (flags.json) return void io.stdout.write(`${JSON.stringify(event)}\n`);
    if (event.type === 'progress') return bar?.update(event);
    bar?.clear();
    if (event.type === 'plan') {
      const chunks = event.chunks ? `; in ${event.chunks.count} chunks of ${event.chunks.seconds} s, ${Math.min(event.chunks.parallelism, event.chunks.count)} at a time` : '';
      io.stderr.write(`renditions: ${event.renditions.join(', ')} (encoder ${event.encoder})${chunks}\n`);
    }
    else if (event.type === 'warning') io.stderr.write(`warning: ${event.message}\n`);
    else if (event.type === 'step' && event.state === 'end' && !bar) io.stderr.write(`${event.step} done in ${((event.ms ?? 0) / 1000).toFixed(1)} s\n`);
  };
  // Without a task, the fetch policy comes from the environment (LIVE2VOD_SOURCE_ALLOW, LIVE2VOD_SOURCE_MAX_BYTES).
  const result = await transcodeAnywhere(source, request, sourceFetchFromEnv(process.env)).finally(() => bar?.clear());
  const { manifest } = result;
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ type: 'done', outDir: result.outDir, duration: manifest.duration, renditions: manifest.renditions.map((r) => r.id), timingsMs: manifest.timingsMs })}\n`);
  } else {
    io.stdout.write([
      `asset complete in ${(manifest.timingsMs.total ?? 0) / 1000} s: ${result.outDir}`,
      `  HLS   ${result.outDir}/${manifest.hls}`,
      `  DASH  ${result.outDir}/${manifest.dash}`,
      `  ${manifest.renditions.length} video rendition${manifest.renditions.length === 1 ? '' : 's'}, ${manifest.audio ? 'audio ' + manifest.audio.id : 'no audio'}, ${manifest.duration.toFixed(2)} s`,
      '',
    ].join('\n'));
  }
}

