// Runs ffprobe on a local source, with the same guards as every other ffmpeg invocation.
import { guardedInput } from '../media/input-args.ts';
import { runProcess } from './run-process.ts';

export function buildProbeCommand(ffprobe: string, file: string): string[] {
  return [ffprobe, '-hide_banner', '-loglevel', 'error', '-print_format', 'json', '-show_format', '-show_streams', ...guardedInput(file)];
}

export async function ffprobeJson(ffprobe: string, file: string, signal?: AbortSignal): Promise<unknown> {
  const { stdout } = await runProcess({ command: buildProbeCommand(ffprobe, file), stage: 'probe', timeoutMs: 120_000, ...(signal ? { signal } : {}) });
  return JSON.parse(stdout);
}
