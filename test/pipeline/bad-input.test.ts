// Real CLI runs against inputs and outputs that must fail cleanly: `live2vod transcode` through the
// CLI's main() in this process (cli-in-process.ts), and as a child process (`bin/live2vod`, argument
// arrays, never a shell) where the process is under test: its exit code and stderr once, a missing
// ffmpeg named by the environment, another user. Each failure must exit with its documented code
// (3 bad input, 4 output, 5 environment), say ONE `live2vod: …` line that names the cause, leave no
// manifest.json and nothing else in the output directory, and no `live2vod-*` scratch directory.
//
// Media is generated with lavfi into temp dirs (tiny, 3 s). The read-only / full-disk cases mount a
// tmpfs and are skipped where mounting is not allowed (not root, no CAP_SYS_ADMIN).

import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OutputError } from '../../src/errors/index.ts';
import { packageTrack } from '../../src/pipeline/package-track.ts';
import { cliInProcess } from '../helpers/cli-in-process.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(repoRoot, 'bin', 'live2vod');
const ffmpeg = process.env.LIVE2VOD_FFMPEG || 'ffmpeg';

const ExitBadInput = 3;
const ExitOutput = 4;
const ExitEnvironment = 5;

// --- helpers ---------------------------------------------------------------------------------------------

interface CliResult { code: number | null; stdout: string; stderr: string; ms: number }

/** `live2vod transcode <args>` in this process: the command's code and output without Node's start-up (~0.5 CPU-s a run). */
async function transcode(args: string[]): Promise<CliResult> {
  const started = performance.now();
  const result = await cliInProcess(['transcode', ...args]);
  return { code: result.code, stdout: result.stdout, stderr: result.stderr, ms: performance.now() - started };
}

/** `bin/live2vod transcode <args>` as a child process. */
function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, 'transcode', ...args], { env: { ...process.env, ...env }, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

function makeMedia(args: string[]): void {
  execFileSync(ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Every file and directory under `dir` (relative paths), or undefined when `dir` does not exist. */
async function tree(dir: string): Promise<string[] | undefined> {
  try {
    return (await readdir(dir, { recursive: true })).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

let root: string;
let caseNumber = 0;

interface Case { dir: string; out: string; scratch: string }

/** A fresh working directory with an (existing, empty) scratch root and a not-yet-existing out dir. */
async function newCase(name: string): Promise<Case> {
  const dir = path.join(root, `${String(++caseNumber).padStart(2, '0')}-${name}`);
  await mkdir(path.join(dir, 'scratch'), { recursive: true });
  return { dir, out: path.join(dir, 'out'), scratch: path.join(dir, 'scratch') };
}

/** The failure contract shared by every case. */
async function assertCleanFailure(result: CliResult, c: Case, expected: { code: number; message: RegExp }): Promise<void> {
  const context = `stderr:\n${result.stderr}\nstdout:\n${result.stdout}`;
  assert.equal(result.code, expected.code, `exit code\n${context}`);
  const messages = result.stderr.split('\n').filter((l) => l.startsWith('live2vod:'));
  assert.equal(messages.length, 1, `exactly one live2vod: line\n${context}`);
  assert.match(messages[0] ?? '', expected.message, context);
  assert.doesNotMatch(result.stderr, /^\s+at .+:\d+:\d+\)?$/m, `no stack trace\n${context}`);
  assert.equal(result.stdout.includes('asset complete'), false);
  const out = await tree(c.out);
  assert.ok(out === undefined || out.length === 0, `the out dir is empty or absent, found: ${out?.join(', ')}`);
  assert.deepEqual(await readdir(c.scratch), [], 'no live2vod-* scratch dir left behind');
}

// --- mounts --------------------------------------------------------------------------------------------

const mounted: string[] = [];

function mountTmpfs(dir: string, options: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
  mounted.push(dir);
}

function unmount(dir: string): void {
  const i = mounted.indexOf(dir);
  if (i < 0) return;
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
    mounted.splice(i, 1);
  } catch {
    // A busy mount is retried lazily in after().
  }
}

/** Why mount tests cannot run here, or undefined when they can. */
async function mountUnavailable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'tmpfs mounts need Linux';
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const probe = await mkdtemp(path.join(tmpdir(), 'live2vod-mount-probe-'));
  try {
    mountTmpfs(probe, 'size=64k');
    unmount(probe);
    return undefined;
  } catch (error) {
    return `cannot mount a tmpfs here: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    await rm(probe, { recursive: true, force: true });
  }
}

// --- fixtures --------------------------------------------------------------------------------------------

let source: string; // 3 s 320x180 H.264 + AAC, faststart
let ladder: string; // one small rung
/** The optional stages, each an ffmpeg run or two: off where a case does not look at them. */
const noExtras = ['--no-thumbnails', '--no-download', '--no-quality', '--no-loudnorm'];
let noMount: string | undefined;
let hasNvenc = false;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'live2vod-bad-input-'));
  source = path.join(root, 'source.mp4');
  makeMedia([
    '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30:duration=3', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-shortest', '-movflags', '+faststart', source,
  ]);
  ladder = path.join(root, 'ladder.json');
  await writeFile(ladder, JSON.stringify({ rungs: [{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }] }));
  noMount = await mountUnavailable();
  try {
    execFileSync(ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=size=256x144:rate=30:duration=0.2', '-c:v', 'h264_nvenc', '-f', 'null', '-'], { stdio: 'pipe' });
    hasNvenc = true;
  } catch {
    hasNvenc = false;
  }
});

after(async () => {
  for (const dir of [...mounted]) {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    } catch { /* nothing more to do */ }
  }
  if (root) await rm(root, { recursive: true, force: true });
});

// --- bad input: exit 3 ---------------------------------------------------------------------------------

// Failing runs cost mostly CLI start-up and one ffprobe: run a few at a time.
describe('bad input (exit 3)', { concurrency: 2 }, () => {
  test('a missing file', async () => {
    const c = await newCase('missing');
    const input = path.join(c.dir, 'nope.mp4');
    await assertCleanFailure(await runCli([input, '--out', c.out, '--scratch', c.scratch]), c, { code: ExitBadInput, message: /^live2vod: the source .*nope\.mp4 does not exist$/ });
  });

  test('an empty file', async () => {
    const c = await newCase('empty');
    const input = path.join(c.dir, 'empty.mp4');
    await writeFile(input, '');
    await assertCleanFailure(await transcode([input, '--out', c.out, '--scratch', c.scratch]), c, { code: ExitBadInput, message: /empty\.mp4 is empty \(0 bytes\)/ });
  });

  test('a directory instead of a file', async () => {
    const c = await newCase('directory');
    await assertCleanFailure(await transcode([c.scratch, '--out', c.out, '--scratch', c.scratch]), c, { code: ExitBadInput, message: /is not a regular file/ });
  });

  test('a truncated MP4 (moov at the end, cut in half)', async () => {
    const c = await newCase('truncated');
    const input = path.join(c.dir, 'recording.mp4');
    // No +faststart: the index is written last, as by a recorder that was killed.
    makeMedia(['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30:duration=3', '-c:v', 'libx264', '-preset', 'ultrafast', input]);
    await truncate(input, Math.floor((await stat(input)).size / 2));
    const result = await transcode([input, '--out', c.out, '--scratch', c.scratch]);
    await assertCleanFailure(result, c, { code: ExitBadInput, message: /moov atom.*truncated, unfinished/ });
    assert.match(result.stderr, /ffmpeg said:\n\s+.*moov atom not found/, 'the ffmpeg evidence follows the message');
  });

  test('a corrupt file (random bytes)', async () => {
    const c = await newCase('corrupt');
    const input = path.join(c.dir, 'recording.bin');
    // Deterministic "random" bytes (xorshift), so the test does not depend on luck.
    const bytes = Buffer.alloc(256 * 1024);
    let x = 0x2545f491;
    for (let i = 0; i < bytes.length; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      bytes[i] = x & 0xff;
    }
    await writeFile(input, bytes);
    await assertCleanFailure(await transcode([input, '--out', c.out, '--scratch', c.scratch]), c, { code: ExitBadInput, message: /corrupt or not a media file/ });
  });

  test('not media at all (a text file)', async () => {
    const c = await newCase('text');
    const input = path.join(c.dir, 'notes.txt');
    await writeFile(input, 'Meeting notes\n- record the town hall\n- upload it tomorrow\n'.repeat(50));
    // ffmpeg's tty demuxer claims .txt files: refused by the whitelist, or unreadable: both name it.
    await assertCleanFailure(await transcode([input, '--out', c.out, '--scratch', c.scratch]), c, { code: ExitBadInput, message: /(text file ffmpeg reads as tty|not a media file)/ });
  });

  test('an HLS playlist disguised as .mp4 is refused without reading what it points at', async (t) => {
    const c = await newCase('hls');
    const target = await watchedCopy(c, (note) => t.diagnostic(note));
    const input = path.join(c.dir, 'upload.mp4');
    await writeFile(input, `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXTINF:3.0,\n${target?.file ?? source}\n#EXT-X-ENDLIST\n`);
    const result = await transcode([input, '--out', c.out, '--scratch', c.scratch]);
    await assertCleanFailure(result, c, { code: ExitBadInput, message: /reads as hls \(playlists and concat lists are refused\)/ });
    assert.match(result.stderr, /\[hls @ [^\]]+\] Format not on whitelist/);
    await target?.assertUnread();
  });

  test('an ffconcat list disguised as .mp4 is refused without reading the file it names', async (t) => {
    const c = await newCase('concat');
    const target = await watchedCopy(c, (note) => t.diagnostic(note));
    const input = path.join(c.dir, 'upload.mp4');
    await writeFile(input, `ffconcat version 1.0\nfile '${target?.file ?? source}'\n`);
    const result = await transcode([input, '--out', c.out, '--scratch', c.scratch]);
    await assertCleanFailure(result, c, { code: ExitBadInput, message: /reads as concat \(playlists and concat lists are refused\)/ });
    assert.match(result.stderr, /\[concat @ [^\]]+\] Format not on whitelist/);
    await target?.assertUnread();
  });

  test('a name that looks like a protocol stays a (missing) local file', async () => {
    const c = await newCase('protocol-name');
    await assertCleanFailure(await transcode([`concat:${source}|${source}`, '--out', c.out, '--scratch', c.scratch]), c, { code: ExitBadInput, message: /does not exist/ });
  });

  test('neither video nor audio (an MKV holding only a subtitle)', async () => {
    const c = await newCase('subtitle-only');
    const srt = path.join(c.dir, 'captions.srt');
    await writeFile(srt, '1\n00:00:00,000 --> 00:00:02,000\nHello\n\n2\n00:00:02,000 --> 00:00:03,000\nworld\n');
    const input = path.join(c.dir, 'captions.mkv');
    makeMedia(['-i', srt, '-c:s', 'srt', input]);
    await assertCleanFailure(await transcode([input, '--out', c.out, '--scratch', c.scratch]), c, { code: ExitBadInput, message: /neither a video nor an audio stream/ });
  });

  test('an unsupported video codec (Cinepak in AVI) is named', async () => {
    const c = await newCase('cinepak');
    const input = path.join(c.dir, 'old.avi');
    // Three tiny frames: only the codec is looked at, and the Cinepak encoder is slow (~0.7 CPU-s for 15 frames of 160x120).
    makeMedia(['-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=15:duration=0.2', '-c:v', 'cinepak', input]);
    await assertCleanFailure(await transcode([input, '--out', c.out, '--scratch', c.scratch]), c, { code: ExitBadInput, message: /video codec "cinepak" is not supported/ });
  });

  test('an unsupported audio codec (IMA ADPCM in WAV) is named', async () => {
    const c = await newCase('adpcm');
    const input = path.join(c.dir, 'old.wav');
    makeMedia(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:a', 'adpcm_ima_wav', input]);
    await assertCleanFailure(await transcode([input, '--out', c.out, '--scratch', c.scratch]), c, { code: ExitBadInput, message: /audio codec "adpcm_ima_wav" is not supported/ });
  });

  test('an unreadable source is bad input, not an output problem', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to run the CLI as another user');
    const c = await newCase('unreadable');
    const input = path.join(c.dir, 'private.mp4');
    await writeFile(input, await readFile(source), { mode: 0o000 });
    for (const dir of [root, c.dir, c.scratch]) execFileSync('chmod', ['0777', dir]);
    const result = await new Promise<CliResult>((resolve) => {
      execFile(process.execPath, [cli, 'transcode', input, '--out', c.out, '--scratch', c.scratch], { uid: 65534, gid: 65534, env: process.env, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr, ms: 0 });
      });
    });
    await assertCleanFailure(result, c, { code: ExitBadInput, message: /cannot be read|permission/i });
  });
});

/**
 * A copy of the source on a strictatime tmpfs with its access time set to 2001: reading it would
 * move the time. Where mounting is not possible the refusal is still checked, without this proof.
 */
async function watchedCopy(c: Case, note: (message: string) => void): Promise<{ file: string; assertUnread: () => Promise<void> } | undefined> {
  if (noMount) {
    note(`not proving the referenced file stays unread: ${noMount}`);
    return undefined;
  }
  const dir = path.join(c.dir, 'watched');
  await mkdir(dir);
  mountTmpfs(dir, 'strictatime,size=2m');
  const file = path.join(dir, 'other-recording.mp4');
  await writeFile(file, await readFile(source));
  const past = new Date('2001-01-01T00:00:00Z');
  await utimes(file, past, past);
  return {
    file,
    assertUnread: async () => {
      try {
        assert.equal((await stat(file)).atime.getTime(), past.getTime(), 'the referenced file was not read');
        // The check itself works: reading does move the access time on this mount.
        await readFile(file);
        assert.notEqual((await stat(file)).atime.getTime(), past.getTime(), 'strictatime works here');
      } finally {
        unmount(dir);
      }
    },
  };
}

// --- environment: exit 5 / fallback -------------------------------------------------------------------

describe('environment', { concurrency: 2 }, () => {
  test('ffmpeg and ffprobe missing: exit 5 with an install hint', async () => {
    const c = await newCase('no-ffmpeg');
    const result = await runCli([source, '--out', c.out, '--scratch', c.scratch], { LIVE2VOD_FFMPEG: '/nonexistent/ffmpeg', LIVE2VOD_FFPROBE: '/nonexistent/ffprobe' });
    await assertCleanFailure(result, c, { code: ExitEnvironment, message: /^live2vod: \/nonexistent\/ffprobe was not found: install ffmpeg ≥ 5\.1.*LIVE2VOD_FFMPEG/ });
  });

  test('only ffmpeg missing (ffprobe fine): exit 5 naming ffmpeg', async () => {
    const c = await newCase('no-ffmpeg-only');
    const result = await runCli([source, '--out', c.out, '--scratch', c.scratch, '--ladder', ladder], { LIVE2VOD_FFMPEG: '/nonexistent/ffmpeg' });
    await assertCleanFailure(result, c, { code: ExitEnvironment, message: /^live2vod: \/nonexistent\/ffmpeg was not found/ });
  });

  test('an unavailable encoder (h264_nvenc without a GPU) falls back to libx264 with a warning and still makes the asset', async (t) => {
    if (hasNvenc) return t.skip('this machine can open h264_nvenc');
    const c = await newCase('nvenc');
    // Only the fallback is the point: no thumbnails, download, quality or loudness pass (an ffmpeg each).
    const result = await transcode([source, '--out', c.out, '--scratch', c.scratch, '--ladder', ladder, '--encoder', 'h264_nvenc', ...noExtras]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^warning: h264_nvenc (could not be opened|is not compiled into this ffmpeg).*; falling back to libx264$/m);
    assert.match(result.stderr, /^renditions: 180p-300k, aac-128k \(encoder libx264\)$/m);
    assert.equal(result.stderr.split('\n').filter((l) => l.startsWith('live2vod:')).length, 0, 'no error line');
    const manifest = JSON.parse(await readFile(path.join(c.out, 'manifest.json'), 'utf8')) as { encoder: { name: string; preset: string | null; fallback: string | null }; renditions: { id: string; codecs: string }[] };
    assert.equal(manifest.encoder.name, 'libx264');
    // No --preset: the one libx264 used, recorded rather than null.
    assert.equal(manifest.encoder.preset, 'veryfast');
    assert.match(manifest.encoder.fallback ?? '', /h264_nvenc/);
    assert.deepEqual(manifest.renditions.map((r) => r.id), ['180p-300k']);
    assert.match(manifest.renditions[0]?.codecs ?? '', /^avc1\./);
    const files = await tree(c.out) ?? [];
    for (const expected of ['master.m3u8', 'manifest.mpd', 'video/180p-300k/init.mp4', 'audio/aac-128k/init.mp4']) assert.ok(files.includes(expected), `${expected} in ${files.join(', ')}`);
    assert.ok(!files.includes('.live2vod-incomplete'));
    assert.deepEqual(await readdir(c.scratch), []);
  });
});

// --- output problems: exit 4 ---------------------------------------------------------------------------

describe('output problems (exit 4)', { concurrency: 2 }, () => {
  test('a read-only output (read-only tmpfs as --out)', async (t) => {
    if (noMount) return t.skip(noMount);
    const c = await newCase('read-only');
    await mkdir(c.out);
    mountTmpfs(c.out, 'ro,size=1m');
    try {
      const result = await transcode([source, '--out', c.out, '--scratch', c.scratch, '--ladder', ladder]);
      await assertCleanFailure(result, c, { code: ExitOutput, message: /cannot write the output directory .*read-only file system \(EROFS\)/ });
    } finally {
      unmount(c.out);
    }
  });

  test('a new output directory below a read-only mount', async (t) => {
    if (noMount) return t.skip(noMount);
    const c = await newCase('read-only-below');
    const mount = path.join(c.dir, 'ro');
    await mkdir(mount);
    mountTmpfs(mount, 'ro,size=1m');
    try {
      const result = await transcode([source, '--out', path.join(mount, 'asset'), '--scratch', c.scratch, '--ladder', ladder]);
      await assertCleanFailure(result, { ...c, out: path.join(mount, 'asset') }, { code: ExitOutput, message: /read-only|cannot write/ });
    } finally {
      unmount(mount);
    }
  });

  test('a full disk as --out: exit 4, no manifest.json, the partial files removed', async (t) => {
    if (noMount) return t.skip(noMount);
    const c = await newCase('full-out');
    await mkdir(c.out);
    // Room for some of the asset (~175 kB of segments and playlists) but not all of it: packaging
    // fills it, before thumbnails, download or quality would run (left out, they change nothing here).
    mountTmpfs(c.out, 'size=160k');
    try {
      const result = await transcode([source, '--out', c.out, '--scratch', c.scratch, '--ladder', ladder, ...noExtras]);
      await assertCleanFailure(result, c, { code: ExitOutput, message: /disk is full/ });
      const df = execFileSync('df', ['--output=used', '-B1', c.out], { encoding: 'utf8' }).trim().split('\n').at(-1)?.trim();
      assert.equal(Number(df), 0, 'the partial asset no longer takes space');
    } finally {
      unmount(c.out);
    }
  });

  test('a full scratch disk: ffmpeg\'s "No space left" is exit 4 and both dirs are cleaned', async (t) => {
    if (noMount) return t.skip(noMount);
    const c = await newCase('full-scratch');
    mountTmpfs(c.scratch, 'size=64k');
    try {
      const result = await transcode([source, '--out', c.out, '--scratch', c.scratch, '--ladder', ladder]);
      await assertCleanFailure(result, c, { code: ExitOutput, message: /disk is full/ });
      assert.match(result.stderr, /No space left on device/);
    } finally {
      unmount(c.scratch);
    }
  });

  test('an encoder output cut short on a full disk (ffmpeg 5.1 can lose its last write and exit 0) is a full disk, exit 4', async (t) => {
    if (noMount) return t.skip(noMount);
    const c = await newCase('cut-short');
    const fragmented = path.join(c.dir, 'video.mp4');
    makeMedia(['-i', source, '-map', '0:v', '-c', 'copy', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', fragmented]);
    const whole = await readFile(fragmented);
    const cut = whole.subarray(0, Math.min(whole.length - 100, 40_000));
    const options = (fmp4Path: string, name: string) => ({ fmp4Path, outDir: path.join(c.out, name), relDir: `video/${name}`, id: name, kind: 'video' as const, segmentSeconds: 2 });
    // Elsewhere the same bytes are what they are: a truncated MP4.
    const onFreeDisk = path.join(c.dir, 'cut.mp4');
    await writeFile(onFreeDisk, cut);
    await assert.rejects(packageTrack(options(onFreeDisk, 'free')), (error: Error) => !(error instanceof OutputError) && /truncated or corrupt/.test(error.message));
    mountTmpfs(c.scratch, 'size=64k');
    try {
      const onFullDisk = path.join(c.scratch, 'cut.mp4');
      await writeFile(onFullDisk, cut);
      await writeFile(path.join(c.scratch, 'filler'), Buffer.alloc(64 << 10)).catch((error: NodeJS.ErrnoException) => assert.equal(error.code, 'ENOSPC'));
      await assert.rejects(packageTrack(options(onFullDisk, 'full')), (error: Error) => error instanceof OutputError && error.exitCode === ExitOutput && /the disk is full: cut\.mp4, as ffmpeg wrote it, is cut short/.test(error.message));
    } finally {
      unmount(c.scratch);
    }
  });

  test('the output is an existing file', async () => {
    const c = await newCase('out-is-file');
    await writeFile(c.out, 'not a directory');
    const result = await transcode([source, '--out', c.out, '--scratch', c.scratch, '--ladder', ladder]);
    assert.equal(result.code, ExitOutput, result.stderr);
    assert.equal(result.stderr.split('\n').filter((l) => l.startsWith('live2vod:')).length, 1, result.stderr);
    assert.match(result.stderr, /live2vod: .*(not a directory|a file is in the way)/);
    assert.equal(await readFile(c.out, 'utf8'), 'not a directory', 'the file is untouched');
    assert.deepEqual(await readdir(c.scratch), []);
  });

  test('a non-empty foreign output directory is refused and its files are untouched', async () => {
    const c = await newCase('foreign');
    await mkdir(path.join(c.out, 'clips'), { recursive: true });
    const files: Record<string, string> = { 'notes.txt': 'keep me\n', 'clips/intro.mp4': 'not really a video\n', 'index.html': '<h1>my site</h1>\n' };
    for (const [name, body] of Object.entries(files)) await writeFile(path.join(c.out, name), body);
    const before = await tree(c.out);
    const result = await transcode([source, '--out', c.out, '--scratch', c.scratch, '--ladder', ladder]);
    assert.equal(result.code, ExitOutput, result.stderr);
    const messages = result.stderr.split('\n').filter((l) => l.startsWith('live2vod:'));
    assert.equal(messages.length, 1, result.stderr);
    assert.match(messages[0] ?? '', /is not empty and does not hold only a live2vod asset \(found .*notes\.txt.*\); choose an empty or new directory/);
    assert.deepEqual(await tree(c.out), before);
    for (const [name, body] of Object.entries(files)) assert.equal(await readFile(path.join(c.out, name), 'utf8'), body, name);
    assert.deepEqual(await readdir(c.scratch), []);
  });

  test('a refused foreign directory keeps even entries whose names live2vod uses', async () => {
    const c = await newCase('foreign-hls');
    await mkdir(path.join(c.out, 'video'), { recursive: true });
    const files: Record<string, string> = { 'notes.txt': 'keep me\n', 'master.m3u8': '#EXTM3U\n', 'video/seg-1.ts': 'segment\n' };
    for (const [name, body] of Object.entries(files)) await writeFile(path.join(c.out, name), body);
    const before = await tree(c.out);
    const result = await transcode([source, '--out', c.out, '--scratch', c.scratch, '--ladder', ladder]);
    assert.equal(result.code, ExitOutput, result.stderr);
    assert.deepEqual(await tree(c.out), before);
  });
});

// --- rerun ---------------------------------------------------------------------------------------------

describe('rerun into a previous asset', () => {
  test('overwrites cleanly: stale renditions of a different ladder are gone', async () => {
    const c = await newCase('rerun');
    const twoRungs = path.join(c.dir, 'two.json');
    await writeFile(twoRungs, JSON.stringify([{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }, { width: 256, height: 144, bitrateKbps: 200, maxFrameRate: 30 }]));
    const oneRung = path.join(c.dir, 'one.json');
    await writeFile(oneRung, JSON.stringify([{ width: 256, height: 144, bitrateKbps: 150, maxFrameRate: 30 }]));

    // Thumbnails and download in the first run only, so the second must remove them; quality (manifest.json only) in neither.
    const first = await transcode([source, '--out', c.out, '--scratch', c.scratch, '--ladder', twoRungs, '--no-loudnorm', '--no-quality']);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual((await readdir(path.join(c.out, 'video'))).sort(), ['144p-200k', '180p-300k']);
    const firstManifest = await readFile(path.join(c.out, 'manifest.json'), 'utf8');

    const second = await transcode([source, '--out', c.out, '--scratch', c.scratch, '--ladder', oneRung, '--no-thumbnails', '--no-loudnorm', '--no-quality']);
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(await readdir(path.join(c.out, 'video')), ['144p-150k']);
    assert.deepEqual(await readdir(path.join(c.out, 'download')), ['144p-150k.mp4']);
    const files = await tree(c.out) ?? [];
    assert.ok(!files.some((f) => f.startsWith('thumbnails')), `no stale thumbnails: ${files.join(', ')}`);
    assert.ok(!files.includes('.live2vod-incomplete'));
    assert.ok(!files.includes('manifest.json.partial'));
    const manifestText = await readFile(path.join(c.out, 'manifest.json'), 'utf8');
    assert.notEqual(manifestText, firstManifest);
    const manifest = JSON.parse(manifestText) as { renditions: { id: string }[]; files: { path: string }[] };
    assert.deepEqual(manifest.renditions.map((r) => r.id), ['144p-150k']);
    // The manifest lists exactly what is on disk.
    const onDisk = [];
    for (const f of files) if ((await stat(path.join(c.out, f))).isFile()) onDisk.push(f);
    assert.deepEqual(manifest.files.map((f) => f.path).sort(), onDisk.filter((f) => f !== 'manifest.json').sort());
    const master = await readFile(path.join(c.out, 'master.m3u8'), 'utf8');
    assert.ok(!master.includes('180p-300k') && !master.includes('144p-200k'), master);
    const mpd = await readFile(path.join(c.out, 'manifest.mpd'), 'utf8');
    assert.ok(!mpd.includes('180p-300k') && !mpd.includes('144p-200k'));
    assert.deepEqual(await readdir(c.scratch), []);
  });
});
