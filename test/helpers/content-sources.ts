// Generated recordings that look like the work, for the content-aware ladder's tests and bench:
// a "talk" (slides whose text changes every `slideSeconds`, a small speaker window with modest
// motion, speech from espeak-ng, else a sine) and a "sport" (full-frame motion and temporal noise).
// lavfi only, argument arrays, nothing downloaded.
import { execFile } from 'node:child_process';
import { access, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ffmpeg, generate } from './media.ts';

const run = promisify(execFile);

export interface ContentSourceOptions {
  seconds: number;
  width?: number;
  height?: number;
  rate?: number;
  /** Talk only: seconds each slide stays up (20–30 in a real talk). */
  slideSeconds?: number;
  /** x264 preset of the generated file (default veryfast); ultrafast makes it in a third (sport) to a half (talk) of the CPU (tests). */
  preset?: 'veryfast' | 'ultrafast';
}

const sansBold = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
const sans = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

const slides = [
  { colour: '0x1f4e79', title: 'Quarterly results and roadmap', lines: ['Revenue up twelve percent', 'Three new regions live', 'Churn down to four percent', 'Hiring plan for next year'] },
  { colour: '0x7a2e2e', title: 'Architecture of the encoder farm', lines: ['Split the recording into chunks', 'Encode every chunk on spot nodes', 'Stitch one ladder at the end', 'Publish HLS and DASH together'] },
  { colour: '0x2e6b3a', title: 'What we learned this year', lines: ['Measure before you optimise', 'Small files with one job each', 'Real media in every test', 'Questions from the audience'] },
];

const speech = 'Good morning everyone and welcome to the quarterly review. Today I will walk you through our results, the architecture of the encoder farm, and what we learned this year. Let us start with revenue, which grew by twelve percent, while churn fell to four percent. ';

/** Slides with changing text, a speaker window with modest motion, speech: what most live events are. */
export async function makeTalkSource(file: string, options: ContentSourceOptions): Promise<void> {
  const { seconds, width = 1920, height = 1080, rate = 30, slideSeconds = 25, preset = 'veryfast' } = options;
  const fonts = await fontArgs();
  const size = (share: number) => Math.max(8, Math.round(height * share));
  const filters: string[] = [];
  for (let k = 0; k * slideSeconds < seconds; k++) {
    const slide = slides[k % slides.length];
    if (!slide) continue;
    const when = `enable='between(t,${k * slideSeconds},${(k + 1) * slideSeconds})'`;
    filters.push(`drawbox=x=0:y=0:w=iw:h=ih*0.16:color=${slide.colour}:t=fill:${when}`);
    filters.push(`drawtext=${fonts.bold}text='${slide.title}':fontsize=${size(0.06)}:fontcolor=white:x=w*0.05:y=h*0.05:${when}`);
    slide.lines.forEach((line, i) => {
      filters.push(`drawtext=${fonts.regular}text='${line}':fontsize=${size(0.045)}:fontcolor=0x202020:x=w*0.07:y=h*(0.26+${i}*0.1):${when}`);
    });
    filters.push(`drawtext=${fonts.regular}text='${k + 1}':fontsize=${size(0.03)}:fontcolor=0x606060:x=w*0.05:y=h*0.92:${when}`);
  }
  const [sw, sh] = [even(width / 4), even(height / 4)];
  const [hw, hh] = [even(sw * 0.3), even(sh * 0.45)];
  // The speaker: a head that sways a little in front of a plain wall. No grain: a live encoder's
  // few Mb/s (OBS, a hardware encoder) have smoothed it away before the recording reaches us.
  const graph = [
    `[0:v]${filters.join(',')}[slide]`,
    `color=c=0x5a6470:s=${sw}x${sh}:r=${rate}:d=${seconds}[wall]`,
    `color=c=0xd0a080:s=${hw}x${hh}:r=${rate}:d=${seconds}[head]`,
    `[wall][head]overlay=x='(W-w)/2+W*0.04*sin(t*1.1)':y='H*0.22+H*0.02*sin(t*2.3)'[speaker]`,
    `[slide][speaker]overlay=x=W-w-W*0.03:y=H-h-H*0.05:shortest=1,format=yuv420p[v]`,
  ].join(';');
  const wav = path.join(path.dirname(file), `speech-${process.pid}-${path.basename(file)}.wav`);
  const audio = await speechInput(wav, seconds);
  try {
    await ffmpeg([
      '-f', 'lavfi', '-i', `color=c=0xf4f1ea:s=${width}x${height}:r=${rate}:d=${seconds}`,
      ...audio,
      '-filter_complex', graph, '-map', '[v]', '-map', '1:a',
      '-c:v', 'libx264', '-preset', preset, '-crf', '18', '-g', String(rate * 2),
      '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2', '-t', String(seconds), file,
    ]);
  } finally {
    await rm(wav, { force: true });
  }
}

/** Full-frame motion (a panning test pattern) with temporal noise over every pixel: hard to encode. */
export async function makeSportSource(file: string, options: ContentSourceOptions): Promise<void> {
  const { seconds, width = 1920, height = 1080, rate = 30, preset = 'veryfast' } = options;
  await generate([
    '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${rate}:duration=${seconds}`,
    '-f', 'lavfi', '-i', `anoisesrc=color=pink:amplitude=0.2:sample_rate=48000:duration=${seconds}`,
    '-filter_complex', `[0:v]scroll=h=0.003:v=0.0015,hue=H=t*0.4,noise=alls=8:allf=t,format=yuv420p[v]`,
    '-map', '[v]', '-map', '1:a',
    '-c:v', 'libx264', '-preset', preset, '-crf', '20', '-g', String(rate * 2),
    '-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2', '-t', String(seconds),
  ], file);
}

async function fontArgs(): Promise<{ bold: string; regular: string }> {
  const exists = async (f: string) => access(f).then(() => true, () => false);
  return { bold: (await exists(sansBold)) ? `fontfile=${sansBold}:` : '', regular: (await exists(sans)) ? `fontfile=${sans}:` : '' };
}

/** espeak-ng speech looped to the length (written to `wav`), or a sine where espeak-ng is missing. */
async function speechInput(wav: string, seconds: number): Promise<string[]> {
  try {
    await run('espeak-ng', ['-s', '150', '-w', wav, speech.repeat(Math.ceil(seconds / 25))]);
    return ['-stream_loop', '-1', '-i', wav];
  } catch {
    return ['-f', 'lavfi', '-i', `sine=frequency=220:sample_rate=48000:duration=${seconds}`];
  }
}

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}
