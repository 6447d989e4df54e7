// `live2vod demo`: generates a sample recording with ffmpeg's test sources and hands it to the
// `live2vod serve` the README just started (it appears in that dashboard as an upload), or, when
// no service answers, transcodes it in this process: the whole engine in one command either way.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors/index.ts';
import { resolveBinaries } from '../ffmpeg/binaries.ts';
import { runProcess } from '../ffmpeg/run-process.ts';
import { uploadToService } from './demo-upload.ts';
import type { CliIo } from './io.ts';
import { runTranscodeCommand } from './transcode-command.ts';

export interface DemoFlags {
  data: string;
  duration: string;
  url: string;
  local?: boolean;
}

export async function runDemoCommand(flags: DemoFlags, io: CliIo): Promise<void> {
  const duration = Number(flags.duration);
  if (!Number.isFinite(duration) || duration < 2 || duration > 600) throw new UsageError('--duration must be a number of seconds from 2 to 600');
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
  if (!flags.local) {
    const job = await uploadToService(flags.url, sample, process.env.LIVE2VOD_TOKEN);
    if (job) {
      io.stdout.write(`sent to the live2vod at ${flags.url}: job ${job.id}\n  follow it in the dashboard: ${job.page}\n`);
      return;
    }
    io.stderr.write(`no live2vod serve answers at ${flags.url}: transcoding here instead (start one with npm start to see the demo in its dashboard)\n`);
  }
  const out = path.join(data, 'assets', 'sample');
  await runTranscodeCommand(sample, { out }, io);
  io.stdout.write(`open ${path.join(out, 'master.m3u8')} in any HLS player (or manifest.mpd in a DASH player)\n`);
}
