// A recording with an event inside it, for the chapter and trim tests of the API and the dashboard:
// 8 s of black and silence (the pre-show), three still slides of 32 s over a tone (slide changes at
// 40 and 72 s: chapters at 8, 40 and 72 s), then 6 s of black and silence (the post-show, from 104 s).
import path from 'node:path';
import { generate } from './media.ts';

export const eventSlides = { preShowEnd: 8, slideChanges: [40, 72], postShowStart: 104, duration: 110 } as const;

export async function makeEventSlides(dir: string, name = 'event-slides.mp4'): Promise<string> {
  const out = path.join(dir, name);
  const size = '320x180';
  const rate = 15;
  const slides = ['navy', 'darkred', 'darkgreen'];
  await generate([
    '-f', 'lavfi', '-i', `color=black:s=${size}:r=${rate}:d=8`,
    ...slides.flatMap((c) => ['-f', 'lavfi', '-i', `color=${c}:s=${size}:r=${rate}:d=32`]),
    '-f', 'lavfi', '-i', `color=black:s=${size}:r=${rate}:d=6`,
    '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo:d=8',
    '-f', 'lavfi', '-i', 'sine=f=330:r=48000:d=96',
    '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo:d=6',
    '-filter_complex', '[0:v][1:v][2:v][3:v][4:v]concat=n=5:v=1:a=0[v];[6:a]aformat=channel_layouts=stereo[tone];[5:a][tone][7:a]concat=n=3:v=0:a=1[a]',
    '-map', '[v]', '-map', '[a]', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-c:a', 'aac',
  ], out);
  return out;
}
