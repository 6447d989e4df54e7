// Comparing pictures of two videos: one rendition of an asset joined into one file, a frame of it
// as a PNG, and the PSNR of two pictures (the clip and trim tests: "starts at the right frame").
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadAsset, trackFiles, videoVariants } from './asset-checks.ts';
import { concatFiles, ffmpeg } from './media.ts';

/** The rendition of `assetDir` whose URI contains `id`, joined (init + every segment) into `scratch/name`. */
export async function joinedRendition(assetDir: string, id: string, scratch: string, name: string): Promise<string> {
  const asset = await loadAsset(assetDir);
  const variant = videoVariants(asset).find((v) => v.uri.includes(id));
  assert.ok(variant, `no variant ${id}`);
  const track = await trackFiles(asset, variant.uri);
  return concatFiles(path.join(scratch, name), [track.init, ...track.segments.map((s) => s.path)]);
}

/** Frame `n` of `file` (decode order counted from the first) as `scratch/name.png`. */
export async function frameAt(file: string, n: number, scratch: string, name: string): Promise<string> {
  const out = path.join(scratch, `${name}.png`);
  await ffmpeg(['-i', file, '-vf', `select=eq(n\\,${n})`, '-frames:v', '1', '-y', out]);
  return out;
}

/** The PSNR of two pictures in dB; identical ones answer 100. */
export async function psnr(a: string, b: string): Promise<number> {
  const log = await ffmpeg(['-i', a, '-i', b, '-lavfi', 'psnr', '-f', 'null', '-'], { loglevel: 'info' });
  const match = /average:(inf|[\d.]+)/.exec(log);
  assert.ok(match?.[1], `no PSNR in ${log.slice(-300)}`);
  return match[1] === 'inf' ? 100 : Number(match[1]);
}
