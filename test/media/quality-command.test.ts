// Where quality is sampled and the command that compares a window: pure, no ffmpeg.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TranscodePlan } from '../../src/media/plan.ts';
import {
  buildQualityCommand, chooseQualityWindows, defaultQualitySampling, parsePsnrStats, parseSsimStats, parseVmafLog, psnrOfMse,
} from '../../src/media/quality-command.ts';
import type { Segment, VideoRendition } from '../../src/media/types.ts';

const segments = (count: number, seconds = 6): Segment[] => Array.from({ length: count }, (_, i) => ({
  number: i + 1, file: `seg-${i + 1}.m4s`, start: i * seconds, duration: seconds, decodeTime: i * seconds * 90_000, durationTicks: seconds * 90_000, bytes: 1, keyframes: [],
}));

const rendition = (height: number, fps = 30): VideoRendition => ({
  id: `${height}p`, codec: 'h264', width: Math.round((height * 16) / 9 / 2) * 2, height, frameRate: { num: fps, den: 1 }, bitrateKbps: 1000, maxrateKbps: 1000, bufsizeKbps: 2000, crf: 23,
});

const plan = (deinterlace = false): TranscodePlan => ({
  source: { formatName: 'mov,mp4', duration: 600, sizeBytes: 1, video: { index: 0, codec: 'h264', width: 1920, height: 1080, sampleAspectRatio: { num: 1, den: 1 }, rotation: 0, displayWidth: 1920, displayHeight: 1080, frameRate: { num: 60, den: 1 }, variableFrameRate: false, interlaced: deinterlace, startTime: 0 } },
  video: [rendition(1080), rendition(360, 30)], encoder: 'libx264', gopSeconds: 2, segmentSeconds: 6, deinterlace,
});

describe('quality windows', () => {
  test('whole GOPs at segment starts, spread, as many as the share allows', () => {
    // 600 s: 6 % is 36 s, 18 GOPs, capped at 8 windows.
    const long = chooseQualityWindows(segments(100), defaultQualitySampling, 2);
    assert.equal(long.length, 8);
    assert.ok(long.every((w) => w.seconds === 2 && Number.isInteger(w.startSeconds / 6)));
    assert.deepEqual(long.map((w) => w.segment), [7, 19, 32, 44, 57, 69, 82, 94]);
    // 60 s: 3.6 s, one GOP's window.
    assert.deepEqual(chooseQualityWindows(segments(10), defaultQualitySampling, 2).map((w) => w.segment), [6]);
    // Shorter than the share allows: still one window, no longer than its segment.
    assert.deepEqual(chooseQualityWindows(segments(1, 1.5), defaultQualitySampling, 2), [{ segment: 1, startSeconds: 0, seconds: 1.5 }]);
    assert.deepEqual(chooseQualityWindows([], defaultQualitySampling, 2), []);
  });
});

describe('quality command', () => {
  test('one source decode split to every rendition, ssim then psnr, same frames kept on both sides', () => {
    const command = buildQualityCommand('ffmpeg', '/in/src.mp4', plan(), { segment: 3, startSeconds: 12, seconds: 2 }, [
      { rendition: rendition(1080), file: 'w0/0.mp4' }, { rendition: rendition(360), file: 'w0/1.mp4' },
    ], { vmaf: false, frameStep: 4 });
    const graph = command[command.indexOf('-filter_complex') + 1] ?? '';
    assert.deepEqual(command.slice(command.indexOf('-ss'), command.indexOf('-ss') + 4), ['-ss', '12.000000', '-t', '2.000000']);
    assert.equal(command.filter((a) => a === '-i').length, 3);
    assert.ok(graph.startsWith('[0:0]fps=60,setpts=PTS-STARTPTS,split=2[src0][src1]'), graph);
    // The 30 fps rung: the source capped to 30 fps first, then every 4th frame, as on the rendition's side.
    assert.match(graph, /\[src1\]fps=30,framestep=4,scale=640:360:flags=bicubic,setsar=1,format=yuv420p,split=2\[ref1a\]\[ref1b\]/);
    assert.match(graph, /\[2:v\]setpts=PTS-STARTPTS,framestep=4,format=yuv420p\[dis1\]/);
    assert.match(graph, /\[dis0\]\[ref0a\]ssim=stats_file=ssim-0\.log\[s0\];\[s0\]\[ref0b\]psnr=stats_file=psnr-0\.log\[out0\]/);
    assert.doesNotMatch(graph, /libvmaf/);
    assert.equal(command.filter((a) => a === 'null').length, 2);
  });

  test('libvmaf joins when there, deinterlace as the encode did', () => {
    const command = buildQualityCommand('ffmpeg', '/in/src.mp4', plan(true), { segment: 1, startSeconds: 0, seconds: 2 }, [{ rendition: rendition(360), file: 'a.mp4' }], { vmaf: true, frameStep: 1 });
    const graph = command[command.indexOf('-filter_complex') + 1] ?? '';
    assert.ok(graph.startsWith('[0:0]bwdif=mode=send_frame:parity=auto:deint=interlaced,fps=60,setpts=PTS-STARTPTS,split=1[src0]'), graph);
    assert.match(graph, /split=3\[ref0a\]\[ref0b\]\[ref0c\]/);
    assert.match(graph, /psnr=stats_file=psnr-0\.log\[p0\];\[p0\]\[ref0c\]libvmaf=log_fmt=json:log_path=vmaf-0\.json\[out0\]/);
  });
});

describe('parsing the filters\' logs', () => {
  test('compareAt: a larger rendition scaled into a smaller size, both sides at that size (a dropped rung\'s stand-in)', () => {
    const command = buildQualityCommand('ffmpeg', '/in/src.mp4', plan(), { segment: 1, startSeconds: 0, seconds: 2 }, [{ rendition: rendition(1080), file: 'a.mp4', compareAt: { width: 640, height: 360 } }], { vmaf: false, frameStep: 4 });
    const graph = command[command.indexOf('-filter_complex') + 1] ?? '';
    assert.match(graph, /\[src0\]fps=30,framestep=4,scale=640:360:flags=bicubic,setsar=1,format=yuv420p,split=2/);
    assert.match(graph, /\[1:v\]setpts=PTS-STARTPTS,framestep=4,scale=640:360:flags=bicubic,setsar=1,format=yuv420p\[dis0\]/);
  });

  test('ssim, psnr and vmaf per frame; PSNR from the mean squared error', () => {
    assert.deepEqual(parseSsimStats('n:1 Y:0.99 U:0.98 V:0.97 All:0.985 (18.2)\nn:2 Y:0.9 U:0.9 V:0.9 All:0.9 (10.0)\n'), [0.985, 0.9]);
    assert.deepEqual(parsePsnrStats('n:1 mse_avg:6.50 mse_y:7.00 psnr_avg:39.99 psnr_y:39.68\nn:2 mse_avg:0.00 psnr_avg:inf\n'), [6.5, 0]);
    assert.equal(psnrOfMse([6.5, 6.5])?.toFixed(2), '40.00');
    assert.equal(psnrOfMse([0]), 100);
    assert.equal(psnrOfMse([]), null);
    assert.deepEqual(parseVmafLog(JSON.stringify({ frames: [{ frameNum: 0, metrics: { vmaf: 91.5 } }, { frameNum: 1, metrics: { psnr: 3 } }] })), [91.5]);
  });
});
