// Tiles a numbered sequence of thumbnail pictures into sprite sheets with ffmpeg's tile filter.
// The encode writes one picture per thumbnail (a tile sheet inside the encode would hold its
// progress back, see video-command.ts), so the sheets are made here, after it: a fraction of a
// second for a few hundred small JPEGs.
import path from 'node:path';
import { runProcess } from '../ffmpeg/run-process.ts';
import { commonArgs } from '../media/fmp4-output.ts';
import { scratchNames, type ThumbnailPlan } from '../media/plan.ts';

/** Writes `sprite-000.jpg`… into `dir` from `thumb-00000.jpg`… in `pictures`; returns the sheet names. */
export async function tileSprites(ffmpeg: string, pictures: string, count: number, sheet: ThumbnailPlan, dir: string, signal: AbortSignal): Promise<string[]> {
  await runProcess({
    command: [
      ffmpeg, ...commonArgs,
      '-f', 'image2', '-framerate', '1', '-start_number', '0', '-i', path.join(pictures, scratchNames.thumbPattern),
      '-vf', `tile=${sheet.columns}x${sheet.rows}`,
      '-c:v', 'mjpeg', '-q:v', '4',
      '-f', 'image2', '-start_number', '0', path.join(dir, scratchNames.spritePattern),
    ],
    stage: 'package',
    signal,
  });
  const sheets = Math.ceil(count / (sheet.columns * sheet.rows));
  return Array.from({ length: sheets }, (_, i) => scratchNames.sprite(i));
}
