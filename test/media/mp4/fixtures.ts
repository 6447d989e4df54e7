// Test media for the fMP4 tests, generated with ffmpeg's lavfi sources into a temp dir (no
// binary fixtures in the repo), written with the same movflags the packager's encoders use.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { children, iterateBoxes, readBoxHeader, readFullBoxHeader } from '../../../src/media/mp4/boxes.ts';
import { parseInitSegment } from '../../../src/media/mp4/init-segment.ts';

const run = promisify(execFile);

export const VIDEO_MOVFLAGS = ['-movflags', '+frag_keyframe+empty_moov+default_base_moof+negative_cts_offsets'];
export const AUDIO_MOVFLAGS = ['-movflags', '+empty_moov+default_base_moof', '-frag_duration', '2000000'];
/** 2 s GOPs at 30 fps with an IDR exactly every 2 s, as the ladder encodes them. */
export const GOP_2S = ['-g', '60', '-sc_threshold', '0', '-force_key_frames', 'expr:gte(t,n_forced*2)'];

export async function makeTempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'live2vod-mp4-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-v', 'error', '-nostdin', '-y', ...args], { maxBuffer: 16 << 20 });
}

/** Encodes `seconds` of 320x180 30 fps test pattern with the given encoder arguments. */
export async function makeVideo(out: string, seconds: number, codecArgs: string[]): Promise<string> {
  await ffmpeg([
    '-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=30:duration=${seconds}`,
    '-pix_fmt', 'yuv420p', ...codecArgs, '-f', 'mp4', ...VIDEO_MOVFLAGS, out,
  ]);
  return out;
}

/** Encodes `seconds` of 48 kHz stereo AAC-LC. */
export async function makeAudio(out: string, seconds: number): Promise<string> {
  await ffmpeg([
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    '-ac', '2', '-c:a', 'aac', '-b:a', '96k', '-f', 'mp4', ...AUDIO_MOVFLAGS, out,
  ]);
  return out;
}

export const x264Args = (preset = 'ultrafast'): string[] => [
  '-c:v', 'libx264', '-preset', preset, '-bf', '2', ...GOP_2S,
];

export async function ffprobeJson(file: string, extra: string[]): Promise<unknown> {
  const { stdout } = await run('ffprobe', ['-v', 'error', ...extra, '-of', 'json', file], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as unknown;
}

export interface ProbedStream {
  profile?: string;
  level?: number;
  duration?: string;
}

export async function probeStream(file: string): Promise<ProbedStream> {
  const json = (await ffprobeJson(file, ['-show_streams'])) as { streams?: ProbedStream[] };
  const stream = json.streams?.[0];
  if (!stream) throw new Error(`ffprobe found no stream in ${file}`);
  return stream;
}

export interface ProbedPacket {
  pts_time?: string;
  flags?: string;
}

/** Packets of the first stream in decode order. */
export async function probePackets(file: string): Promise<ProbedPacket[]> {
  const json = (await ffprobeJson(file, ['-show_packets', '-show_entries', 'packet=pts_time,flags'])) as {
    packets?: ProbedPacket[];
  };
  return json.packets ?? [];
}

// --- unusual but valid layouts -------------------------------------------------------------------

export const box = (type: string, payload: Buffer): Buffer => {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + payload.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, payload]);
};

/** A box written with a 64-bit largesize. */
export const largeBox = (type: string, payload: Buffer): Buffer => {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(1, 0);
  header.write(type, 4, 'latin1');
  header.writeBigUInt64BE(BigInt(16 + payload.length), 8);
  return Buffer.concat([header, payload]);
};

/**
 * Rewrites an fMP4 with what other muxers may write: a largesize free box closing the init part,
 * a uuid and a styp box before every fragment, a free box between moof and mdat, and every mdat
 * with a 64-bit largesize (trun data offsets moved to match).
 */
export function exoticLayout(buf: Buffer): Buffer {
  const { initSize } = parseInitSegment(buf);
  const parts: Buffer[] = [buf.subarray(0, initSize), largeBox('free', Buffer.alloc(5))];
  const top = [...iterateBoxes(buf, initSize)];
  for (const [i, b] of top.entries()) {
    if (b.type === 'mfra') parts.push(buf.subarray(b.start, b.end));
    if (b.type !== 'moof') continue;
    const mdat = top[i + 1]!;
    if (mdat.type !== 'mdat') throw new Error(`expected an mdat after the moof at ${b.start}, found ${mdat.type}`);
    const between = box('free', Buffer.alloc(3));
    const moof = Buffer.from(buf.subarray(b.start, b.end));
    const shift = between.length + 16 - mdat.headerSize;
    for (const traf of children(moof, readBoxHeader(moof, 0)).filter((c) => c.type === 'traf')) {
      for (const trun of children(moof, traf).filter((c) => c.type === 'trun')) {
        const { flags, contentStart } = readFullBoxHeader(moof, trun);
        if (flags & 1) moof.writeInt32BE(moof.readInt32BE(contentStart + 4) + shift, contentStart + 4);
      }
    }
    parts.push(box('uuid', Buffer.alloc(20, 0x11)), box('styp', Buffer.from('msdh\0\0\0\0', 'latin1')));
    parts.push(moof, between, largeBox('mdat', buf.subarray(mdat.contentStart, mdat.end)));
  }
  return Buffer.concat(parts);
}
