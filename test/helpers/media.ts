// Test media for the real-ffmpeg integration tests, generated with ffmpeg's lavfi sources into a
// temp dir (no binary fixtures in the repo, nothing downloaded). Every command is an argument
// array run with execFile/spawn: never a shell string.
//
// Sources are small and short on purpose (CI has 2 cores); encoded with x264 ultrafast.

import { execFile, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { chmod, copyFile, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stopWithThisProcess } from './stop-with-this-process.ts';

const execFileAsync = promisify(execFile);

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliPath = path.join(repoRoot, 'bin', 'live2vod');

const FFMPEG = process.env.LIVE2VOD_FFMPEG || 'ffmpeg';
const FFPROBE = process.env.LIVE2VOD_FFPROBE || 'ffprobe';

// --- processes ---------------------------------------------------------------------------------------

/** Runs ffmpeg quietly with the given arguments; resolves with its stderr (for filters that report there). */
export async function ffmpeg(args: readonly string[], options: { cwd?: string; loglevel?: string } = {}): Promise<string> {
  const { stderr } = await execFileAsync(FFMPEG, ['-hide_banner', '-nostdin', '-nostats', '-y', '-loglevel', options.loglevel ?? 'error', ...args], {
    maxBuffer: 64 << 20,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  return stderr;
}

/** Runs ffmpeg quietly with the given arguments; resolves with what it wrote to stdout (raw frames, say). */
export async function ffmpegStdout(args: readonly string[]): Promise<Buffer> {
  const { stdout } = await execFileAsync(FFMPEG, ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', ...args], { encoding: 'buffer', maxBuffer: 256 << 20 });
  return stdout;
}

/** Set by scripts/test.ts for one `npm test` run: where `generate` keeps what it made. */
export const mediaCacheVariable = 'LIVE2VOD_TEST_MEDIA_CACHE';

const multiFileFormats = new Set(['hls', 'dash', 'segment', 'stream_segment', 'image2', 'tee']);

/**
 * Makes `out` with an ffmpeg command whose inputs are all lavfi sources. Within one `npm test` run
 * the same command made by another test file is copied instead of encoded again (a fifth of the
 * suite's fixtures are repeats); a copy, so a test that damages its file damages only its own.
 */
export async function generate(args: readonly string[], out: string): Promise<string> {
  const inputs = args.flatMap((arg, i) => (arg === '-i' ? [args[i - 1] === 'lavfi' && args[i - 2] === '-f'] : []));
  if (inputs.length === 0 || inputs.includes(false)) throw new Error(`generate() takes lavfi inputs only: ${args.join(' ')}`);
  // One cached file stands for the output: a muxer that writes several files cannot be cached.
  const formats = args.filter((_, i) => args[i - 1] === '-f');
  if (out.includes('%') || formats.some((f) => multiFileFormats.has(f))) throw new Error(`generate() makes one file: ${out}`);
  const cacheDir = process.env[mediaCacheVariable];
  if (!cacheDir) {
    await ffmpeg([...args, out]);
    return out;
  }
  const key = createHash('sha256').update(JSON.stringify([FFMPEG, args])).digest('hex').slice(0, 32);
  const cached = path.join(cacheDir, `${key}${path.extname(out)}`);
  try {
    await copyFile(cached, out);
    return out;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await ffmpeg([...args, out]);
  // Two files making the same media at once both encode it; the rename keeps the cache whole.
  const partial = `${cached}.${randomUUID()}.partial`;
  await copyFile(out, partial);
  await rename(partial, cached);
  return out;
}

export interface ProbeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  codec_tag_string?: string;
  profile?: string;
  level?: number;
  width?: number;
  height?: number;
  pix_fmt?: string;
  color_transfer?: string;
  color_primaries?: string;
  color_space?: string;
  field_order?: string;
  sample_aspect_ratio?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  time_base?: string;
  start_time?: string;
  duration?: string;
  nb_frames?: string;
  nb_read_packets?: string;
  nb_read_frames?: string;
  channels?: number;
  channel_layout?: string;
  sample_rate?: string;
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
}

export interface ProbePacket {
  stream_index?: number;
  codec_type?: string;
  pts_time?: string;
  dts_time?: string;
  duration_time?: string;
  size?: string;
  pos?: string;
  flags?: string;
}

export interface ProbeFrame {
  media_type?: string;
  key_frame?: number;
  pict_type?: string;
  interlaced_frame?: number;
  pts_time?: string;
  best_effort_timestamp_time?: string;
  width?: number;
  height?: number;
}

export interface ProbeResult {
  streams?: ProbeStream[];
  packets?: ProbePacket[];
  frames?: ProbeFrame[];
  format?: { format_name?: string; duration?: string; start_time?: string; size?: string; bit_rate?: string; tags?: Record<string, string> };
}

/** `ffprobe -of json <args> <file>`, parsed. */
export async function ffprobeJson(file: string, args: readonly string[] = ['-show_format', '-show_streams']): Promise<ProbeResult> {
  const { stdout } = await execFileAsync(FFPROBE, ['-hide_banner', '-loglevel', 'error', '-of', 'json', ...args, file], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as ProbeResult;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `bin/live2vod <args>` as a child process with this Node (which strips the types). */
export function runCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    stopWithThisProcess(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    // SIGTERM first: live2vod then stops ffmpeg and removes its scratch and partial output.
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, options.timeoutMs ?? 240_000);
    child.on('error', (error) => { clearTimeout(timer); reject(error); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs the CLI and fails with its output when it does not exit 0. */
export async function runCliOk(args: readonly string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const result = await runCli(args, options);
  if (result.code !== 0) {
    throw new Error(`live2vod ${args.join(' ')} exited ${result.code ?? result.signal}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`);
  }
  return result;
}

// --- temp dirs and files -----------------------------------------------------------------------------

export interface TempDir {
  dir: string;
  cleanup: () => Promise<void>;
}

export async function makeTempDir(prefix = 'live2vod-it-'): Promise<TempDir> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes the concatenation of `files` to `out` (an init segment plus media segments makes a playable file). */
export async function concatFiles(out: string, files: readonly string[]): Promise<string> {
  const parts = await Promise.all(files.map((f) => readFile(f)));
  await writeFile(out, Buffer.concat(parts));
  return out;
}

/** A ladder file for `--ladder`; returns its path. */
export async function writeLadder(dir: string, name: string, rungs: readonly { width: number; height: number; bitrateKbps: number; maxFrameRate?: number; crf?: number }[]): Promise<string> {
  const file = path.join(dir, `${name}.ladder.json`);
  await writeFile(file, JSON.stringify({ rungs }));
  return file;
}

// --- source generators -------------------------------------------------------------------------------

const x264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
const aacStereo = ['-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2'];

/**
 * Programme-like audio: a quiet 220 Hz tone with short loud clicks twice a second
 * (≈ -28 LUFS, peaks ≈ -12 dBFS), so reaching -16 LUFS needs the true-peak limiter.
 */
export function programmeAudio(seconds: number): string[] {
  return ['-f', 'lavfi', '-i', `aevalsrc=exprs='0.05*sin(2*PI*220*t)+if(lt(mod(t,0.5),0.004),0.3*sin(2*PI*2000*t),0)':s=48000:d=${seconds}`];
}

export function sineAudio(seconds: number, frequency = 440): string[] {
  return ['-f', 'lavfi', '-i', `sine=frequency=${frequency}:sample_rate=48000:duration=${seconds}`];
}

function testPattern(width: number, height: number, rate: number | string, seconds: number): string[] {
  return ['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${rate}:duration=${seconds}`];
}

export interface LandscapeOptions {
  seconds?: number;
  width?: number;
  height?: number;
  rate?: number;
  audio?: 'programme' | 'sine' | 'none';
  name?: string;
}

/** testsrc2 + audio in MP4 (H.264 + AAC): the common case, any size and rate. */
export async function makeTestPattern(dir: string, options: LandscapeOptions = {}): Promise<string> {
  const { seconds = 8, width = 1920, height = 1080, rate = 30, audio = 'programme' } = options;
  const out = path.join(dir, options.name ?? `pattern-${width}x${height}p${rate}.mp4`);
  const audioInput = audio === 'programme' ? programmeAudio(seconds) : audio === 'sine' ? sineAudio(seconds) : [];
  await generate([
    ...testPattern(width, height, rate, seconds), ...audioInput,
    '-map', '0:v', ...(audio === 'none' ? [] : ['-map', '1:a', ...aacStereo]),
    ...x264, '-g', String(rate * 2), '-t', String(seconds),
  ], out);
  return out;
}

/**
 * A recording with two audio tracks, as an event with an interpretation channel has: English
 * (440 Hz) first, German (660 Hz) second with a title. Matroska, because MP4 keeps no per-track
 * title (ffmpeg's MP4 muxer drops it; recorders such as OBS write MKV).
 */
export async function makeTwoLanguages(dir: string, seconds = 12): Promise<string> {
  const out = path.join(dir, `two-languages-${seconds}s.mkv`);
  await generate([
    ...testPattern(320, 180, 30, seconds), ...sineAudio(seconds, 440), ...sineAudio(seconds, 660),
    '-map', '0:v', '-map', '1:a', '-map', '2:a', ...aacStereo,
    '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=deu', '-metadata:s:a:1', 'title=Dolmetscher',
    ...x264, '-g', '60', '-t', String(seconds),
  ], out);
  return out;
}

/** 1920x1080 at 30 fps with programme-like stereo audio. */
export function make1080p30(dir: string, seconds = 8): Promise<string> {
  return makeTestPattern(dir, { seconds, width: 1920, height: 1080, rate: 30, name: 'src-1080p30.mp4' });
}

/** 1280x720 at 60 fps. */
export function make720p60(dir: string, seconds = 4): Promise<string> {
  return makeTestPattern(dir, { seconds, width: 1280, height: 720, rate: 60, audio: 'sine', name: 'src-720p60.mp4' });
}

/** A portrait recording stored portrait (1080x1920 coded, no rotation flag). */
export function makePortrait(dir: string, seconds = 4): Promise<string> {
  return makeTestPattern(dir, { seconds, width: 1080, height: 1920, rate: 30, audio: 'sine', name: 'src-portrait-1080x1920.mp4' });
}

/** A source without any audio stream. */
export function makeNoAudio(dir: string, seconds = 4, width = 640, height = 360): Promise<string> {
  return makeTestPattern(dir, { seconds, width, height, rate: 30, audio: 'none', name: 'src-no-audio.mp4' });
}

/**
 * PAL SD, interlaced top field first: 720x576 with a 16:15 pixel aspect (4:3 on screen), coded as
 * interlaced H.264 so ffprobe reports field_order=tt.
 */
export async function makeInterlacedSd(dir: string, seconds = 4): Promise<string> {
  const out = path.join(dir, 'src-sd-interlaced.mp4');
  await generate([
    '-f', 'lavfi', '-i', `testsrc2=size=720x576:rate=25:duration=${seconds},setsar=16/15`, ...sineAudio(seconds),
    '-map', '0:v', '-map', '1:a', ...x264, '-flags', '+ilme+ildct', '-top', '1', ...aacStereo,
  ], out);
  return out;
}

/** 853x479: odd in both directions (libx264 4:4:4 can code odd sizes; testsrc2 itself rounds, hence the crop). */
export async function makeOddSize(dir: string, seconds = 4): Promise<string> {
  const out = path.join(dir, 'src-odd-853x479.mp4');
  await generate([
    '-f', 'lavfi', '-i', `testsrc2=size=854x480:rate=30:duration=${seconds},format=yuv444p,crop=853:479:0:0`, ...sineAudio(seconds),
    '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv444p', ...aacStereo,
  ], out);
  return out;
}

/**
 * Variable frame rate: 2 s at 30 fps then 2 s at 15 fps (every other frame dropped), timestamps
 * kept as they are (`-fps_mode vfr`). Written to MP4: Matroska's muxer stores a default duration
 * that makes ffprobe report r_frame_rate == avg_frame_rate, which hides the variable rate.
 */
export async function makeVfr(dir: string, seconds = 4): Promise<string> {
  const out = path.join(dir, 'src-vfr.mp4');
  const half = seconds / 2;
  await generate([
    '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30:duration=${seconds},select='if(lt(t,${half}),1,not(mod(n,2)))'`, ...sineAudio(seconds),
    '-map', '0:v', '-map', '1:a', '-fps_mode:v', 'vfr', ...x264, ...aacStereo,
  ], out);
  return out;
}

/** Audio only, as an M4A (AAC). */
export async function makeAudioOnly(dir: string, seconds = 4): Promise<string> {
  const out = path.join(dir, 'src-audio-only.m4a');
  await generate([...programmeAudio(seconds), ...aacStereo], out);
  return out;
}

/** 5.1 AAC (six different tones) with video. */
export async function makeSurround51(dir: string, seconds = 4): Promise<string> {
  const out = path.join(dir, 'src-5.1.mp4');
  const tones = [220, 330, 440, 60, 550, 660].map((f) => `0.1*sin(2*PI*${f}*t)`).join('|');
  await generate([
    ...testPattern(320, 180, 30, seconds),
    '-f', 'lavfi', '-i', `aevalsrc=exprs='${tones}':c=5.1:s=48000:d=${seconds}`,
    '-map', '0:v', '-map', '1:a', ...x264, '-c:a', 'aac', '-b:a', '256k', '-ac', '6',
  ], out);
  return out;
}

/** testsrc2 as BT.709 SDR, tagged: the picture an HDR test source is made from, and compared with. */
export const sdrPatternFilter = 'scale=out_color_matrix=bt709:out_range=tv,format=yuv420p,setparams=color_primaries=bt709:color_trc=bt709:colorspace=bt709:range=tv';

/**
 * A 10-bit HDR10 recording as a camera or grading suite writes it: HEVC Main 10, BT.2020, PQ (or
 * HLG), tagged in the stream and the container. The picture is testsrc2 placed in PQ with SDR
 * white at 100 nits (libzimg), so a tone-mapped SDR rendition can be compared with the SDR
 * original, and a naive one (PQ code values shown as SDR) is visibly washed out.
 */
export async function makeHdr(dir: string, options: { seconds?: number; width?: number; height?: number; transfer?: 'smpte2084' | 'arib-std-b67' } = {}): Promise<string> {
  const { seconds = 4, width = 640, height = 360, transfer = 'smpte2084' } = options;
  const out = path.join(dir, `src-hdr-${transfer}-${width}x${height}.mp4`);
  await generate([
    ...testPattern(width, height, 30, seconds), ...sineAudio(seconds),
    '-map', '0:v', '-map', '1:a', ...aacStereo,
    '-vf', `${sdrPatternFilter},zscale=t=${transfer}:p=bt2020:m=bt2020nc:r=tv:npl=100,format=yuv420p10le`,
    '-c:v', 'libx265', '-preset', 'ultrafast', '-profile:v', 'main10', '-pix_fmt', 'yuv420p10le', '-tag:v', 'hvc1',
    '-color_primaries', 'bt2020', '-color_trc', transfer, '-colorspace', 'bt2020nc',
    '-x265-params', 'log-level=error', '-t', String(seconds),
  ], out);
  return out;
}

/** HEVC (libx265, hvc1) + AAC in MP4. */
export async function makeHevc(dir: string, seconds = 4): Promise<string> {
  const out = path.join(dir, 'src-hevc.mp4');
  await generate([
    ...testPattern(640, 360, 30, seconds), ...sineAudio(seconds),
    '-map', '0:v', '-map', '1:a', '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-tag:v', 'hvc1', '-pix_fmt', 'yuv420p', ...aacStereo,
  ], out);
  return out;
}

/** WebM: VP9 + Opus, the audio tagged German (ISO 639-2 `ger`). */
export async function makeWebm(dir: string, seconds = 4): Promise<string> {
  const out = path.join(dir, 'src-vp9-opus.webm');
  await generate([
    ...testPattern(640, 360, 30, seconds), ...sineAudio(seconds),
    '-map', '0:v', '-map', '1:a',
    '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k', '-pix_fmt', 'yuv420p',
    '-c:a', 'libopus', '-b:a', '96k', '-metadata:s:a:0', 'language=ger',
  ], out);
  return out;
}

/** FLV with H.264 + AAC, as nginx-rtmp records a stream. */
export async function makeFlv(dir: string, seconds = 4): Promise<string> {
  const out = path.join(dir, 'src-rtmp.flv');
  await generate([
    ...testPattern(640, 360, 30, seconds), ...sineAudio(seconds),
    '-map', '0:v', '-map', '1:a', ...x264, '-g', '60', ...aacStereo, '-f', 'flv',
  ], out);
  return out;
}

/** MPEG-TS with H.264 + AAC; the muxer starts timestamps at 1.4 s, as broadcast captures do. */
export async function makeMpegTs(dir: string, seconds = 4): Promise<string> {
  const out = path.join(dir, 'src-capture.ts');
  await generate([
    ...testPattern(640, 360, 30, seconds), ...sineAudio(seconds),
    '-map', '0:v', '-map', '1:a', ...x264, '-g', '60', ...aacStereo, '-f', 'mpegts',
  ], out);
  return out;
}

/**
 * A phone video: coded 1280x720 landscape, with a display matrix saying "rotate 90°". The picture's
 * left half is white and the right half black, so the orientation of the result can be checked.
 * ffmpeg 5.1 writes the display matrix only on a stream copy, hence the second pass.
 */
export async function makeRotated(dir: string, seconds = 4, rotate = 90): Promise<string> {
  const coded = path.join(dir, 'src-phone-coded.mp4');
  const out = path.join(dir, `src-phone-rotate${rotate}.mp4`);
  await generate([
    '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${seconds},drawbox=x=0:y=0:w=640:h=720:color=white:t=fill,drawbox=x=640:y=0:w=640:h=720:color=black:t=fill`,
    ...sineAudio(seconds),
    '-map', '0:v', '-map', '1:a', ...x264, ...aacStereo,
  ], coded);
  await ffmpeg(['-i', coded, '-map', '0', '-c', 'copy', '-metadata:s:v:0', `rotate=${rotate}`, out]);
  await rm(coded, { force: true });
  return out;
}

/**
 * A still, detailed picture (fixed noise over a test pattern frame): keyframes are large and the
 * frames between them nearly free, so a segment's bit rate depends on how many keyframes it holds.
 */
export async function makeStillDetail(dir: string, seconds: number): Promise<string> {
  const out = path.join(dir, `src-still-${seconds}s.mp4`);
  await generate([
    '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30:duration=${seconds},select='eq(n,0)',loop=loop=-1:size=1,noise=alls=30,fps=30,trim=duration=${seconds}`,
    ...sineAudio(seconds),
    '-map', '0:v', '-map', '1:a', ...x264, ...aacStereo, '-t', String(seconds),
  ], out);
  return out;
}

/** `blackSeconds` of black, then the test pattern: the poster must not be the black opening. */
export async function makeBlackStart(dir: string, seconds = 6, blackSeconds = 2): Promise<string> {
  const out = path.join(dir, 'src-black-start.mp4');
  await generate([
    '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30:duration=${seconds},drawbox=x=0:y=0:w=iw:h=ih:color=black:t=fill:enable='lt(t,${blackSeconds})'`,
    ...sineAudio(seconds),
    '-map', '0:v', '-map', '1:a', ...x264, ...aacStereo,
  ], out);
  return out;
}

/**
 * A/V sync reference: black video with white frames for t in [flashAt, flashAt + 0.1) and a 1 kHz
 * beep over exactly the same interval; silence and black everywhere else.
 */
export async function makeAvSync(dir: string, seconds = 6, flashAt = 3): Promise<string> {
  const out = path.join(dir, 'src-avsync.mp4');
  const end = flashAt + 0.1;
  await generate([
    // lt() on the frame's start time: frames 90, 91, 92 at 30 fps.
    '-f', 'lavfi', '-i', `color=c=black:size=640x360:rate=30:duration=${seconds},drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='gte(t,${flashAt})*lt(t,${end - 0.001})'`,
    '-f', 'lavfi', '-i', `aevalsrc=exprs='if(gte(t,${flashAt})*lt(t,${end}),0.5*sin(2*PI*1000*t),0)':c=stereo:s=48000:d=${seconds}`,
    '-map', '0:v', '-map', '1:a', ...x264, ...aacStereo,
  ], out);
  return out;
}

// --- an ffmpeg that tells what it was asked to encode ------------------------------------------------

export interface LoggingFfmpeg {
  /** Give this as LIVE2VOD_FFMPEG. */
  path: string;
  /** The -ss of every video encode so far (the one with -filter_complex), "0" without one, in order. */
  encodes(): Promise<string[]>;
}

/**
 * A real ffmpeg behind a shell wrapper that logs each video encode's -ss, so a test can see which
 * chunks ran. With `crashOnceAt`, the encode with that -ss exits 139 the first time (as a crashed
 * or killed process would), and runs normally after. With `realTime`, the encodes read their input
 * at its own rate (`-re`, as writeRealTimeFfmpeg's): a 3 s chunk takes 3–4 s of wall time.
 */
export async function writeLoggingFfmpeg(dir: string, options: { crashOnceAt?: string; realTime?: boolean } = {}): Promise<LoggingFfmpeg> {
  const log = path.join(dir, `ffmpeg-${process.pid}-${Date.now()}.log`);
  const wrapper = `${log}.sh`;
  await writeFile(wrapper, [
    '#!/bin/sh',
    'case " $* " in *" -filter_complex "*) ;; *) exec ffmpeg "$@" ;; esac',
    // The sampled quality comparison (ssim/psnr on a window) is not an encode.
    'case " $* " in *"ssim=stats_file"*) exec ffmpeg "$@" ;; esac',
    'start=0; prev=""; for a in "$@"; do [ "$prev" = "-ss" ] && start="$a"; prev="$a"; done',
    `echo "$start" >> '${log}'`,
    ...(options.crashOnceAt === undefined ? [] : [`if [ "$start" = "${options.crashOnceAt}" ] && [ ! -e '${log}.crashed' ]; then touch '${log}.crashed'; echo "simulated crash" >&2; exit 139; fi`]),
    options.realTime ? 'exec ffmpeg -re "$@"' : 'exec ffmpeg "$@"',
    '',
  ].join('\n'));
  await chmod(wrapper, 0o755);
  return {
    path: wrapper,
    encodes: async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean),
  };
}

/**
 * A real ffmpeg whose video encode (the command with -filter_complex) reads its input at the
 * source's own rate (`-re`), so a 20 s recording takes 20 s of wall time at little CPU: what a
 * test of progress over wall time needs on a shared machine. Every other command runs as is.
 */
export async function writeRealTimeFfmpeg(dir: string): Promise<string> {
  const wrapper = path.join(dir, `ffmpeg-realtime-${process.pid}-${Date.now()}.sh`);
  await writeFile(wrapper, [
    '#!/bin/sh',
    'case " $* " in *" -filter_complex "*) exec ffmpeg -re "$@" ;; *) exec ffmpeg "$@" ;; esac',
    '',
  ].join('\n'));
  await chmod(wrapper, 0o755);
  return wrapper;
}
