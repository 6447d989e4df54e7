// `live2vod demo` (what `npm start` runs until `serve` exists): generates a sample recording with
// ffmpeg's test sources and transcodes it, so a fresh clone shows the whole engine in one command.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { resolveBinaries } from '../ffmpeg/binaries.ts';
import { runProcess } from '../ffmpeg/run-process.ts';
import type { CliIo } from './io.ts';
import { runTranscodeCommand } from './transcode-command.ts';

export async function runDemoCommand(flags: { data: string; duration: string }, io: CliIo): Promise<void> {
  const duration = Number(flags.duration);
  if (!Number.isFinite(duration) || duration < 2 || duration > 600) throw new Error('--duration must be between 2 and 600 seconds');
  const data = path.resolve(flags.data);
  const sample = path.join(data, 'sample', 'recording.flv');
  await mkdir(path.dirname(sample), { recursive: true });
  io.stderr.write(`generating a ${duration} s 1280x720 sample recording (FLV, as nginx-rtmp writes it): ${sample}\n`);
  const { ffmpeg } = resolveBinaries();
  await runProcess({
    stage: 'encode',
    signal: io.signal,
    command: [
      ffmpeg, '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
      '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${duration}`,
      '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${duration}`,
      '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-c:a', 'aac', '-b:a', '128k', '-f', 'flv', sample,
    ],
  });
  const out = path.join(data, 'assets', 'sample');
  await runTranscodeCommand(sample, { out }, io);
  io.stdout.write(`open ${path.join(out, 'master.m3u8')} in any HLS player (or manifest.mpd in a DASH player)\n`);
}
