// Moves the sprite sheets and the chosen poster from scratch into thumbnails/, and writes the
// WebVTT track that maps time ranges to sprite tiles.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Live2vodError, ExitCode } from '../errors/index.ts';
import { scratchNames, type TranscodePlan } from '../media/plan.ts';
import { choosePoster, parseFrameLog, writeThumbnailsVtt } from '../media/thumbnails.ts';
import type { OutputDir } from './output-dir.ts';
import { writing } from './fs-errors.ts';

export interface ThumbnailsResult {
  poster: string;
  posterTime: number;
  sprites: string[];
  vtt: string;
  intervalSeconds: number;
}

export async function finishThumbnails(plan: TranscodePlan, scratch: string, out: OutputDir, duration: number): Promise<ThumbnailsResult | undefined> {
  if (!plan.thumbnails || !plan.poster) return undefined;
  const thumbs = parseFrameLog(await readFile(path.join(scratch, scratchNames.spriteScores), 'utf8'));
  const poster = choosePoster(parseFrameLog(await readFile(path.join(scratch, scratchNames.posterScores), 'utf8')));
  if (!poster || thumbs.length === 0) {
    throw new Live2vodError('the encode produced no thumbnail frames', { exitCode: ExitCode.internal, retryable: true });
  }
  const dir = out.path('thumbnails');
  const perSheet = plan.thumbnails.columns * plan.thumbnails.rows;
  const sheets = Math.ceil(thumbs.length / perSheet);
  const sprites = Array.from({ length: sheets }, (_, i) => scratchNames.sprite(i));
  const vtt = writeThumbnailsVtt(thumbs, plan.thumbnails, duration, (sheet) => scratchNames.sprite(sheet));
  await writing('thumbnails', async () => {
    await mkdir(dir, { recursive: true });
    await copyFile(path.join(scratch, scratchNames.poster(poster.index)), path.join(dir, 'poster.jpg'));
    for (const sprite of sprites) await copyFile(path.join(scratch, sprite), path.join(dir, sprite));
    await writeFile(path.join(dir, 'thumbnails.vtt'), vtt);
  });
  return {
    poster: 'thumbnails/poster.jpg',
    posterTime: poster.time,
    sprites: sprites.map((s) => `thumbnails/${s}`),
    vtt: 'thumbnails/thumbnails.vtt',
    intervalSeconds: plan.thumbnails.intervalSeconds,
  };
}
