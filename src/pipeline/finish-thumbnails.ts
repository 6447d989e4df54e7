// Tiles the encode's thumbnail pictures into sprite sheets in thumbnails/, copies the chosen poster
// there, and writes the WebVTT track that maps time ranges to sprite tiles.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Live2vodError, ExitCode } from '../errors/index.ts';
import { scratchNames, type TranscodePlan } from '../media/plan.ts';
import { choosePoster, parseFrameLog, writeThumbnailsVtt } from '../media/thumbnails.ts';
import type { OutputDir } from './output-dir.ts';
import { tileSprites } from './tile-sprites.ts';
import { writing } from './fs-errors.ts';

export interface ThumbnailsResult {
  poster: string;
  posterTime: number;
  sprites: string[];
  vtt: string;
  intervalSeconds: number;
}

export async function finishThumbnails(ffmpeg: string, plan: TranscodePlan, scratch: string, out: OutputDir, duration: number, signal: AbortSignal): Promise<ThumbnailsResult | undefined> {
  if (!plan.thumbnails || !plan.poster) return undefined;
  const thumbs = parseFrameLog(await readFile(path.join(scratch, scratchNames.spriteScores), 'utf8'));
  const poster = choosePoster(parseFrameLog(await readFile(path.join(scratch, scratchNames.posterScores), 'utf8')));
  if (!poster || thumbs.length === 0) {
    throw new Live2vodError('the encode produced no thumbnail frames', { exitCode: ExitCode.internal, retryable: true });
  }
  const dir = out.path('thumbnails');
  const vtt = writeThumbnailsVtt(thumbs, plan.thumbnails, duration, (sheet) => scratchNames.sprite(sheet));
  await writing('thumbnails', () => mkdir(dir, { recursive: true }));
  const sprites = await tileSprites(ffmpeg, scratch, thumbs.length, plan.thumbnails, dir, signal);
  await writing('thumbnails', async () => {
    await copyFile(path.join(scratch, scratchNames.poster(poster.index)), path.join(dir, 'poster.jpg'));
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
