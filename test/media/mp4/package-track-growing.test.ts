// packageTrack with `growing`: packaging a fragmented MP4 while it is being written gives, byte for
// byte, what packaging the finished file gives; segments are delivered before the writer is done;
// a truncated file fails as it does when complete; a failed writer or an abort stops it promptly.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { readBoxHeader } from '../../../src/media/mp4/boxes.ts';
import { parseFragments } from '../../../src/media/mp4/fragments.ts';
import { parseInitSegment } from '../../../src/media/mp4/init-segment.ts';
import type { PackagedTrack } from '../../../src/media/types.ts';
import { WriterFailedError } from '../../../src/pipeline/growing-file.ts';
import { packageTrack } from '../../../src/pipeline/package-track.ts';
import { AUDIO_MOVFLAGS, exoticLayout, GOP_2S, makeAudio, makeTempDir, makeVideo, VIDEO_MOVFLAGS, x264Args } from './fixtures.ts';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
let video: Buffer;
let audio: Buffer;
before(async () => {
  tmp = await makeTempDir();
  video = await readFile(await makeVideo(path.join(tmp.dir, 'v.mp4'), 13, x264Args()));
  audio = await readFile(await makeAudio(path.join(tmp.dir, 'a.mp4'), 13));
});
after(async () => {
  await tmp.cleanup();
});

let files = 0;
const fresh = (name: string): string => path.join(tmp.dir, `${files++}-${name}`);

interface Trickle {
  /** Settles when the writer stops: fulfilled once all of `data` is written, rejected with `fail`. */
  done: Promise<void>;
  written: () => number;
}

/**
 * Appends `data` to `file` (created by the first piece, a moment after the start) in pieces of
 * pseudo-random size, 1 B to 16 KiB, so that pieces end inside box headers and payloads alike,
 * with a short pause between pieces. With `fail`, stops after `stopAt` bytes and rejects with it.
 */
function trickle(file: string, data: Buffer, options: { seed?: number; stopAt?: number; fail?: Error } = {}): Trickle {
  let seed = options.seed ?? 1;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  let written = 0;
  const stopAt = options.stopAt ?? data.length;
  const done = (async () => {
    await sleep(5);
    while (written < stopAt) {
      const piece = random() < 0.2 ? 1 + Math.floor(random() * 12) : 1 + Math.floor(random() * 16384);
      const next = Math.min(stopAt, written + piece);
      await appendFile(file, data.subarray(written, next));
      written = next;
      if (random() < 0.3) await sleep(1);
    }
    if (options.fail) throw options.fail;
  })();
  return { done, written: () => written };
}

interface Packaged {
  track: PackagedTrack;
  outDir: string;
  /** Bytes the writer had written when each segment was delivered. */
  deliveredAt: number[];
}

async function packageGrowing(file: string, writer: Trickle, kind: 'video' | 'audio', segmentSeconds: number, signal?: AbortSignal): Promise<Packaged> {
  const outDir = `${file}-out`;
  const deliveredAt: number[] = [];
  const track = await packageTrack({
    fmp4Path: file, outDir, relDir: 'x', id: 'x', kind, segmentSeconds,
    growing: { writerDone: writer.done, pollMs: 5, ...(signal ? { signal } : {}) },
    onSegment: () => {
      deliveredAt.push(writer.written());
    },
  });
  return { track, outDir, deliveredAt };
}

async function packageComplete(data: Buffer, kind: 'video' | 'audio', segmentSeconds: number): Promise<{ track: PackagedTrack; outDir: string }> {
  const file = fresh('complete.mp4');
  await writeFile(file, data);
  const outDir = `${file}-out`;
  return { track: await packageTrack({ fmp4Path: file, outDir, relDir: 'x', id: 'x', kind, segmentSeconds }), outDir };
}

async function assertSameOutput(got: { track: PackagedTrack; outDir: string }, want: { track: PackagedTrack; outDir: string }): Promise<void> {
  assert.deepEqual(got.track, want.track);
  for (const name of ['init.mp4', ...want.track.segments.map((s) => s.file)]) {
    const [a, b] = await Promise.all([readFile(path.join(got.outDir, name)), readFile(path.join(want.outDir, name))]);
    assert.ok(a.equals(b), `${name} differs`);
  }
}

test('video written in ragged pieces: the same init, segments and metadata as from the finished file; segments delivered while writing', async () => {
  for (const [seconds, seed] of [[6, 1], [2, 2], [1.5, 3]] as const) {
    const file = fresh('v.mp4');
    const writer = trickle(file, video, { seed });
    const got = await packageGrowing(file, writer, 'video', seconds);
    await assertSameOutput(got, await packageComplete(video, 'video', seconds));
    assert.equal(got.deliveredAt.length, got.track.segments.length);
    assert.ok(got.deliveredAt[0]! < video.length, `segment 1 delivered with ${got.deliveredAt[0]} of ${video.length} bytes written`);
    // The last segment is known to be complete only when the writer is done.
    assert.equal(got.deliveredAt.at(-1), video.length);
  }
});

test('audio, and a layout with 64-bit sizes and boxes between fragments, likewise', async () => {
  const file = fresh('a.mp4');
  const got = await packageGrowing(file, trickle(file, audio, { seed: 4 }), 'audio', 6);
  await assertSameOutput(got, await packageComplete(audio, 'audio', 6));
  // The audio file is small: on a loaded machine its writer may finish before the first poll, so
  // "delivered while writing" is asserted on the larger video only; here, delivery count and order.
  assert.equal(got.deliveredAt.length, got.track.segments.length);

  const exotic = exoticLayout(video);
  const exoticFile = fresh('exotic.mp4');
  const gotExotic = await packageGrowing(exoticFile, trickle(exoticFile, exotic, { seed: 5 }), 'video', 6);
  await assertSameOutput(gotExotic, await packageComplete(exotic, 'video', 6));
});

test('a file that ends truncated when its writer is done fails as the finished file does', async () => {
  const { initSize } = parseInitSegment(video);
  const last = parseFragments(video, initSize).at(-1)!;
  const truncated = video.subarray(0, last.offset + last.size - 10);
  const mdatAt = readBoxHeader(video, last.offset).end;
  const message = new RegExp(`^Error: MP4: box 'mdat' at offset ${mdatAt}: size \\d+ runs past the end`);
  await assert.rejects(packageComplete(truncated, 'video', 6), message);
  const file = fresh('truncated.mp4');
  const delivered: number[] = [];
  await assert.rejects(
    packageTrack({
      fmp4Path: file, outDir: `${file}-out`, relDir: 'x', id: 'x', kind: 'video', segmentSeconds: 6,
      growing: { writerDone: trickle(file, truncated, { seed: 6 }).done, pollMs: 5 },
      onSegment: (s) => {
        delivered.push(s.number);
      },
    }),
    message,
  );
  assert.deepEqual(delivered, [1]);

  // Only an init part, or nothing at all: refused as for a finished file.
  const initOnly = fresh('init-only.mp4');
  await assert.rejects(
    packageTrack({ fmp4Path: initOnly, outDir: `${initOnly}-out`, relDir: 'x', id: 'x', kind: 'video', segmentSeconds: 6, growing: { writerDone: trickle(initOnly, video.subarray(0, initSize)).done, pollMs: 5 } }),
    /has no fragments/,
  );
  const never = fresh('never.mp4');
  await assert.rejects(
    packageTrack({ fmp4Path: never, outDir: `${never}-out`, relDir: 'x', id: 'x', kind: 'video', segmentSeconds: 6, growing: { writerDone: sleep(20), pollMs: 5 } }),
    { code: 'ENOENT' },
  );
});

test("a writer failing part way stops packaging at once with a WriterFailedError carrying the writer's error", async () => {
  const file = fresh('failing.mp4');
  const writer = trickle(file, video, { seed: 7, stopAt: Math.floor(video.length * 0.7), fail: new Error('encoder crashed') });
  let failedAt = 0;
  writer.done.catch(() => {
    failedAt = performance.now();
  });
  const delivered: number[] = [];
  const error = await packageTrack({
    fmp4Path: file, outDir: `${file}-out`, relDir: 'x', id: 'x', kind: 'video', segmentSeconds: 2,
    growing: { writerDone: writer.done, pollMs: 5 },
    onSegment: (s) => {
      delivered.push(s.number);
    },
  }).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof WriterFailedError, String(error));
  assert.match((error.cause as Error).message, /encoder crashed/);
  assert.ok(performance.now() - failedAt < 1000, 'stopped promptly');
  assert.ok(delivered.length >= 1, 'segments written before the failure were delivered');
});

test('an abort stops packaging a file still being written with the reason', async () => {
  const file = fresh('abort.mp4');
  const controller = new AbortController();
  const writer = trickle(file, video.subarray(0, Math.floor(video.length / 2)), { seed: 8 });
  // The writer stalls half way (never done); the abort ends the wait.
  const never = new Promise<void>(() => undefined);
  const pending = packageTrack({
    fmp4Path: file, outDir: `${file}-out`, relDir: 'x', id: 'x', kind: 'video', segmentSeconds: 2,
    growing: { writerDone: never, signal: controller.signal, pollMs: 60_000 },
  });
  await writer.done;
  await sleep(50);
  controller.abort(new Error('cancelled by test'));
  await assert.rejects(pending, /cancelled by test/);
});

/** Runs ffmpeg; resolves when it exits 0. */
function runFfmpeg(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-v', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}: ${stderr}`))));
  });
}

// ffmpeg writes its output through a 256 KiB buffer unless told to flush after each packet (for
// fragmented MP4: after each fragment); the encodes should pass -flush_packets 1 (see
// src/media/fmp4-output.ts) for segments to come out of low-bitrate renditions without delay.
const FLUSH = ['-flush_packets', '1'];

test('real ffmpeg writing at 4x real time: packaged as it writes, identical to packaging the finished file', async () => {
  const videoFile = fresh('live-v.mp4');
  const audioFile = fresh('live-a.mp4');
  const videoDone = runFfmpeg([
    '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30:duration=10,realtime=speed=4',
    '-pix_fmt', 'yuv420p', ...x264Args(), ...GOP_2S, '-f', 'mp4', ...VIDEO_MOVFLAGS, ...FLUSH, videoFile,
  ]);
  const audioDone = runFfmpeg([
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=10,arealtime=speed=4',
    '-ac', '2', '-c:a', 'aac', '-b:a', '96k', '-f', 'mp4', ...AUDIO_MOVFLAGS, ...FLUSH, audioFile,
  ]);
  let videoExited = Infinity;
  void videoDone.then(() => (videoExited = performance.now()), () => undefined);
  const deliveredAt: number[] = [];
  const [v, a] = await Promise.all([
    packageTrack({
      fmp4Path: videoFile, outDir: `${videoFile}-out`, relDir: 'x', id: 'x', kind: 'video', segmentSeconds: 2,
      growing: { writerDone: videoDone },
      onSegment: () => {
        deliveredAt.push(performance.now());
      },
    }),
    packageTrack({ fmp4Path: audioFile, outDir: `${audioFile}-out`, relDir: 'x', id: 'x', kind: 'audio', segmentSeconds: 2, growing: { writerDone: audioDone } }),
  ]);
  assert.equal(v.segments.length, 5);
  assert.ok(deliveredAt.filter((t) => t < videoExited).length >= 3, 'most segments were delivered before ffmpeg exited');
  await assertSameOutput({ track: v, outDir: `${videoFile}-out` }, await packageComplete(await readFile(videoFile), 'video', 2));
  await assertSameOutput({ track: a, outDir: `${audioFile}-out` }, await packageComplete(await readFile(audioFile), 'audio', 2));
});
