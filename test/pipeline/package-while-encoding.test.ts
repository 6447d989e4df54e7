// Packaging while encoding, with real encodes through transcode(): segments reach onSegment while
// the video ffmpeg still runs, the finished asset is complete and consistent, and a run whose
// encode is cancelled or crashes part way fails with the encode's error and leaves nothing behind.

import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { CancelledError, FfmpegError } from '../../src/errors/index.ts';
import { defaultLoudness } from '../../src/media/plan-transcode.ts';
import type { Segment } from '../../src/media/types.ts';
import type { TranscodeEvent } from '../../src/pipeline/events.ts';
import { packageTrack } from '../../src/pipeline/package-track.ts';
import type { TranscodeRequest } from '../../src/pipeline/request.ts';
import { transcode } from '../../src/pipeline/transcode.ts';
import {
  assertCompleteAsset, assertMpdMatchesHls, audioMedia, concatTrack, exists, loadAsset, trackFiles, videoVariants,
} from '../helpers/asset-checks.ts';
import { concatFiles, ffprobeJson, makeTempDir, makeTestPattern, type TempDir } from '../helpers/media.ts';
import { activeResources, untilQuiet } from '../helpers/until-quiet.ts';

const SECONDS = 12;
const FFMPEG = process.env.LIVE2VOD_FFMPEG || 'ffmpeg';
const FFPROBE = process.env.LIVE2VOD_FFPROBE || 'ffprobe';

interface Delivery {
  track: { id: string; kind: 'video' | 'audio'; relDir: string };
  segment: Segment;
  absPath: string;
  at: number;
  /** The segment file's size and whether the track's init.mp4 existed, when onSegment was called. */
  sizeThen: number;
  initThen: boolean;
}

let tmp: TempDir;
let source: string;
let runs = 0;

before(async () => {
  tmp = await makeTempDir('live2vod-pwe-');
  // 720p: the video encode must outlast its first segments by a margin (a 360p one ends ~0.3 s after
  // the first segment is cut, within reach of the growing file's 100 ms poll on a busy machine).
  source = await makeTestPattern(tmp.dir, { seconds: SECONDS, width: 1280, height: 720, rate: 30, audio: 'programme', name: 'src.mp4' });
});
after(() => tmp?.cleanup());

/** A request as requestFromProfile builds one: a small ladder, x264 ultrafast, no thumbnails, download or quality sampling. */
function request(extra: Partial<TranscodeRequest> = {}): TranscodeRequest & { scratchRoot: string } {
  const run = runs++;
  return {
    input: source,
    outDir: path.join(tmp.dir, `asset-${run}`, 'out'),
    scratchRoot: path.join(tmp.dir, `scratch-${run}`),
    codec: 'h264',
    encoder: 'libx264',
    encoderPreset: 'ultrafast',
    rungs: [
      { width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 },
      { width: 640, height: 360, bitrateKbps: 800, maxFrameRate: 30 },
      { width: 1280, height: 720, bitrateKbps: 3000, maxFrameRate: 30 },
    ],
    defaultLanguage: 'en',
    loudness: { ...defaultLoudness },
    audioBitrateKbps: 128,
    gopSeconds: 2,
    segmentSeconds: 6,
    thumbnails: false,
    download: false,
    quality: false,
    instantRemux: false,
    binaries: { ffmpeg: FFMPEG, ffprobe: FFPROBE },
    ...extra,
  };
}

/**
 * For the runs stopped at their first segment: 2 s segments, so that comes after 2 s of the source,
 * not 6 (less encoded before the stop, more of the encode left after it), and no loudness passes,
 * which nothing there looks at.
 */
const stopEarly = { segmentSeconds: 2, loudness: false } as const;

/** onSegment that records each delivery, then runs `then` (if given). */
function recorder(then?: (d: Delivery) => Promise<void> | void): { deliveries: Delivery[]; onSegment: NonNullable<TranscodeRequest['onSegment']> } {
  const deliveries: Delivery[] = [];
  return {
    deliveries,
    onSegment: async (track, segment, absPath) => {
      const at = performance.now();
      const sizeThen = (await stat(absPath)).size;
      const initThen = await exists(path.join(path.dirname(absPath), 'init.mp4'));
      const delivery = { track, segment, absPath, at, sizeThen, initThen };
      deliveries.push(delivery);
      await then?.(delivery);
    },
  };
}

/**
 * Collects unhandled rejections and uncaught exceptions while `action` runs and until everything it
 * started has ended (no child process, file operation or timer of it left: untilQuiet).
 */
async function withoutStrayErrors<T>(action: () => Promise<T>): Promise<T> {
  const strays: unknown[] = [];
  const onStray = (error: unknown): void => {
    strays.push(error);
  };
  const baseline = activeResources();
  process.on('unhandledRejection', onStray);
  process.on('uncaughtException', onStray);
  try {
    const result = await action();
    await untilQuiet(baseline);
    return result;
  } finally {
    process.off('unhandledRejection', onStray);
    process.off('uncaughtException', onStray);
    assert.deepEqual(strays, [], 'no stray errors');
  }
}

/**
 * After a failed run (called once withoutStrayErrors has waited until nothing of the run is in
 * flight, so nothing can write later): no manifest.json, nothing of the asset left, no scratch.
 */
async function assertNothingLeft(req: TranscodeRequest & { scratchRoot: string }): Promise<void> {
  assert.equal(await exists(path.join(req.outDir, 'manifest.json')), false, 'no manifest.json');
  assert.equal(await exists(req.outDir), false, 'the output directory the run created is gone, and nothing wrote to it after the run failed');
  assert.deepEqual(await readdir(req.scratchRoot), [], 'the scratch directory is removed');
}

describe(`packaging while encoding: ${SECONDS} s 720p30 source, 3 rungs + audio, x264 ultrafast`, () => {
  test('segments reach onSegment while the video ffmpeg runs; the asset is complete and consistent', async () => {
    const { deliveries, onSegment } = recorder();
    const steps: { step: string; state: string; at: number }[] = [];
    const onEvent = (e: TranscodeEvent): void => {
      if (e.type === 'step') steps.push({ step: e.step, state: e.state, at: performance.now() });
    };
    const req = request({ onSegment, onEvent });
    const started = performance.now();
    const { manifest } = await withoutStrayErrors(() => transcode(req));

    // While encoding: the first video segment came before the video ffmpeg exited.
    const encodeEnd = steps.find((s) => s.step === 'encode' && s.state === 'end')?.at;
    const packageStart = steps.find((s) => s.step === 'package' && s.state === 'start')?.at;
    assert.ok(encodeEnd !== undefined && packageStart !== undefined);
    const firstVideo = deliveries.find((d) => d.track.kind === 'video');
    assert.ok(firstVideo, 'video segments were delivered');
    assert.ok(firstVideo.at < encodeEnd, `first video segment at ${Math.round(firstVideo.at - started)} ms, encode ended at ${Math.round(encodeEnd - started)} ms`);
    const before = deliveries.filter((d) => d.at < encodeEnd).length;
    console.log(`# first video segment ${Math.round(firstVideo.at - started)} ms, video encode end ${Math.round(encodeEnd - started)} ms, ` +
      `${before}/${deliveries.length} segments delivered before it; timingsMs ${JSON.stringify(manifest.timingsMs)}`);

    // Each delivery: a complete file on disk with its init beside it, in order per track.
    for (const d of deliveries) {
      assert.equal(d.sizeThen, d.segment.bytes, `${d.absPath} was complete when delivered`);
      assert.ok(d.initThen, `${d.track.relDir}/init.mp4 existed when ${d.segment.file} was delivered`);
      assert.equal(d.absPath, path.join(req.outDir, d.track.relDir, d.segment.file));
    }

    // The asset: complete, HLS and DASH agreeing, every playlist listing exactly the delivered segments.
    const asset = await loadAsset(req.outDir);
    await assertCompleteAsset(asset);
    assertMpdMatchesHls(asset);
    assert.deepEqual(new Set(videoVariants(asset).map((v) => v.uri)), new Set(['video/720p-3000k/playlist.m3u8', 'video/360p-800k/playlist.m3u8', 'video/180p-300k/playlist.m3u8']));
    const playlists = [...videoVariants(asset).map((v) => v.uri), audioMedia(asset)?.URI ?? 'no audio'];
    assert.deepEqual(
      new Set(deliveries.map((d) => `${d.track.relDir}/playlist.m3u8`)),
      new Set(playlists),
      'segments of every track were delivered',
    );
    const check = path.join(tmp.dir, 'check');
    await mkdir(check, { recursive: true });
    for (const uri of playlists) {
      const track = await trackFiles(asset, uri);
      const relDir = path.posix.dirname(uri);
      const delivered = deliveries.filter((d) => d.track.relDir === relDir);
      assert.deepEqual(delivered.map((d) => d.segment.number), delivered.map((_, i) => i + 1), `${uri}: delivered in order, once each`);
      assert.deepEqual(track.segments.map((s) => [s.uri, s.bytes]), delivered.map((d) => [d.segment.file, d.segment.bytes]), `${uri}: lists every delivered segment`);
      assert.deepEqual(track.segments.map((s) => s.duration), relDir.startsWith('video/') ? [6, 6] : track.segments.map((s) => s.duration));

      // Decodable end to end, as long as the source.
      const whole = await concatTrack(track, check, `${relDir.replace('/', '-')}.mp4`);
      const probe = await ffprobeJson(whole, ['-show_format', '-show_streams', '-count_packets']);
      assert.ok(Math.abs(Number(probe.format?.duration) - SECONDS) < 0.05, `${uri}: ${probe.format?.duration} s`);
      if (relDir.startsWith('video/')) assert.equal(Number(probe.streams?.[0]?.nb_read_packets), SECONDS * 30);

      // The same segments as packaging the finished stream: re-packaging init + segments (the
      // scratch fMP4 less its mfra) as a complete file gives the very same bytes.
      const again = path.join(check, `${relDir.replace('/', '-')}-again`);
      const repackaged = await packageTrack({
        fmp4Path: await concatFiles(path.join(check, `${relDir.replace('/', '-')}-flat.mp4`), [track.init, ...track.segments.map((s) => s.path)]),
        outDir: again, relDir, id: path.posix.basename(relDir), kind: relDir.startsWith('video/') ? 'video' : 'audio', segmentSeconds: 6,
      });
      assert.deepEqual(repackaged.segments, delivered.map((d) => d.segment), `${uri}: same segment metadata`);
      for (const s of track.segments) assert.ok((await readFile(s.path)).equals(await readFile(path.join(again, s.uri))), `${uri}: ${s.uri} differs`);
    }

    // Timings: package is what packaging added after the encodes; packageWall spans the whole of it.
    const t = manifest.timingsMs;
    for (const key of ['encode', 'audio', 'package', 'packageWall', 'total']) assert.ok(Number.isFinite(t[key]) && t[key]! >= 0, `timingsMs.${key} = ${t[key]}`);
    assert.ok(t.packageWall! >= t.package!, 'packageWall covers the part after the encode');
    assert.ok(t.packageWall! >= t.encode! - 50, 'packaging ran beside the whole encode');
    assert.ok(packageStart >= encodeEnd, "the 'package' step starts when the encodes are done");
  });

  test('cancelled part way (after the first segment): CancelledError, no manifest.json, nothing left', async () => {
    const controller = new AbortController();
    const { deliveries, onSegment } = recorder(() => controller.abort());
    const req = request({ ...stopEarly, onSegment, signal: controller.signal });
    await withoutStrayErrors(() => assert.rejects(transcode(req), (error: unknown) => {
      assert.ok(error instanceof CancelledError, `expected CancelledError, got ${String(error)}`);
      return true;
    }));
    assert.ok(deliveries.length >= 1, 'the cancel came while packaging was under way');
    await assertNothingLeft(req);
  });

  test("cancelled after the encodes, while the last segments are still being delivered: CancelledError, nothing left", async () => {
    const controller = new AbortController();
    // A slow publisher: packaging runs on past the end of the encodes.
    const { onSegment } = recorder(() => sleep(100));
    const steps: string[] = [];
    const onEvent = (e: TranscodeEvent): void => {
      if (e.type !== 'step') return;
      steps.push(`${e.step}:${e.state}`);
      if (e.step === 'package' && e.state === 'start') controller.abort();
    };
    // One rung and no loudness passes: the cancel comes after the encodes, whatever they encode.
    const req = request({ onSegment, onEvent, signal: controller.signal, loudness: false, rungs: [{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }] });
    await withoutStrayErrors(() => assert.rejects(transcode(req), (error: unknown) => {
      assert.ok(error instanceof CancelledError, `expected CancelledError, got ${String(error)}`);
      return true;
    }));
    assert.ok(steps.includes('package:start'));
    await assertNothingLeft(req);
  });

  test("the video ffmpeg crashing part way fails the run with the encode's error, not the packager's", async () => {
    // A wrapper that records the video ffmpeg's pid (the one command with -filter_complex), so the
    // test can kill it once segments are being written.
    const pidFile = path.join(tmp.dir, 'video-ffmpeg.pid');
    const wrapper = path.join(tmp.dir, 'ffmpeg-wrapper.sh');
    await writeFile(wrapper, `#!/bin/sh\ncase " $* " in *" -filter_complex "*) echo $$ > '${pidFile}' ;; esac\nexec '${FFMPEG}' "$@"\n`);
    await chmod(wrapper, 0o755);
    let killed = false;
    const { deliveries, onSegment } = recorder(async (d) => {
      if (killed || d.track.kind !== 'video') return;
      killed = true;
      process.kill(Number((await readFile(pidFile, 'utf8')).trim()), 'SIGKILL');
    });
    const req = request({ ...stopEarly, onSegment, binaries: { ffmpeg: wrapper, ffprobe: FFPROBE } });
    await withoutStrayErrors(() => assert.rejects(transcode(req), (error: unknown) => {
      assert.ok(error instanceof FfmpegError, `expected the encode's FfmpegError, got ${String(error)}`);
      assert.match(error.message, /failed during encode/);
      return true;
    }));
    assert.ok(killed && deliveries.length >= 1);
    await assertNothingLeft(req);
  });

  test("a failing onSegment (a publisher's upload) stops the encode and fails the run with its error", async () => {
    const { onSegment } = recorder(() => {
      throw new Error('upload refused');
    });
    const steps: string[] = [];
    const req = request({ ...stopEarly, onSegment, onEvent: (e) => void (e.type === 'step' && steps.push(`${e.step}:${e.state}`)) });
    await withoutStrayErrors(() => assert.rejects(transcode(req), /upload refused/));
    assert.ok(!steps.includes('encode:end'), 'the encode was stopped, not run to its end');
    await assertNothingLeft(req);
  });
});
