// Comparing pictures of two videos: one rendition of an asset joined into one file, frames of it
// as RGB pictures, and the PSNR of two pictures (the clip and trim tests: "starts at the right frame").
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadAsset, trackFiles, videoVariants } from './asset-checks.ts';
import { concatFiles, ffmpegStdout } from './media.ts';

/** The rendition of `assetDir` whose URI contains `id`, joined (init + every segment) into `scratch/name`. */
export async function joinedRendition(assetDir: string, id: string, scratch: string, name: string): Promise<string> {
  const asset = await loadAsset(assetDir);
  const variant = videoVariants(asset).find((v) => v.uri.includes(id));
  assert.ok(variant, `no variant ${id}`);
  const track = await trackFiles(asset, variant.uri);
  return concatFiles(path.join(scratch, name), [track.init, ...track.segments.map((s) => s.path)]);
}

/**
 * Frames `ns` of `file` (decode order counted from the first) as RGB24 pictures of `size`, from one
 * ffmpeg run for all of them (a process per frame was most of the clip tests' cost).
 */
export async function framesRgb(file: string, ns: readonly number[], size: { width: number; height: number }): Promise<Map<number, Buffer>> {
  const wanted = [...new Set(ns)].sort((a, b) => a - b);
  const stdout = await ffmpegStdout([
    '-i', file, '-vf', `select=${wanted.map((n) => `eq(n\\,${n})`).join('+')}`, '-fps_mode', 'passthrough',
    '-frames:v', String(wanted.length), '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1',
  ]);
  const bytes = size.width * size.height * 3;
  assert.equal(stdout.length, bytes * wanted.length, `${file}: frames ${wanted.join(', ')} at ${size.width}x${size.height}`);
  return new Map(wanted.map((n, i) => [n, stdout.subarray(i * bytes, (i + 1) * bytes)]));
}

/** The PSNR of two RGB pictures in dB, as ffmpeg's psnr filter averages it over R, G and B; identical ones answer 100. */
export function psnr(a: Buffer | undefined, b: Buffer | undefined): number {
  assert.ok(a && b && a.length === b.length, 'two pictures of one size');
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2;
  return sum === 0 ? 100 : 10 * Math.log10((255 * 255 * a.length) / sum);
}
