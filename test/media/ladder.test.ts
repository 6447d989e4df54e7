// planLadder on synthetic sources against the built-in presets: never above the source, portrait
// rungs for portrait sources, per-rung frame-rate caps, narrower aspects get fewer bits. Pure.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planLadder } from '../../src/media/ladder.ts';
import { parseLadderFile } from '../../src/media/ladder-file.ts';
import { ladderPresets } from '../../src/media/ladder-presets.ts';
import type { Rational, RungSpec, SourceVideo, VideoCodecFamily, VideoRendition } from '../../src/media/types.ts';

function source(width: number, height: number, frameRate: Rational = { num: 30, den: 1 }, overrides: Partial<SourceVideo> = {}): SourceVideo {
  return {
    index: 0, codec: 'h264', width, height, sampleAspectRatio: { num: 1, den: 1 }, rotation: 0,
    displayWidth: width, displayHeight: height, frameRate, variableFrameRate: false, interlaced: false, startTime: 0,
    ...overrides,
  };
}

function plan(video: SourceVideo, codec: VideoCodecFamily = 'h264', rungs: readonly RungSpec[] = ladderPresets[codec]): VideoRendition[] {
  return planLadder(video, { codec, rungs });
}

/** `id WxH rate` per rendition, for compact literal expectations. */
function summary(renditions: VideoRendition[]): string[] {
  return renditions.map((r) => `${r.id} ${r.width}x${r.height} ${r.frameRate.num}/${r.frameRate.den}`);
}

function assertWithinSource(renditions: VideoRendition[], video: SourceVideo): void {
  for (const r of renditions) {
    assert.ok(r.width <= video.displayWidth && r.height <= video.displayHeight, `${r.id} ${r.width}x${r.height} exceeds ${video.displayWidth}x${video.displayHeight}`);
    assert.equal(r.width % 2, 0, `${r.id} width is even`);
    assert.equal(r.height % 2, 0, `${r.id} height is even`);
  }
}

describe('planLadder, landscape 16:9', () => {
  test('1080p30: the seven rungs up to 1080p, all at 30 fps, ascending bitrate', () => {
    const renditions = plan(source(1920, 1080));
    assert.deepEqual(summary(renditions), [
      '360p-365k 640x360 30/1',
      '432p-730k 768x432 30/1',
      '540p-2000k 960x540 30/1',
      '720p-3000k 1280x720 30/1',
      '720p-4500k 1280x720 30/1',
      '1080p-6000k 1920x1080 30/1',
      '1080p-7800k 1920x1080 30/1',
    ]);
    assert.deepEqual(renditions[3], { id: '720p-3000k', codec: 'h264', width: 1280, height: 720, frameRate: { num: 30, den: 1 }, bitrateKbps: 3000, maxrateKbps: 3000, bufsizeKbps: 6000, crf: 23 });
    assert.equal(renditions[4]?.crf, 21, 'the richer of two same-size rungs gets the lower CRF');
    assert.equal(renditions[6]?.crf, 21);
  });

  test('720p60: rungs under 540p are halved to 30 fps, 540p and up keep 60', () => {
    assert.deepEqual(summary(plan(source(1280, 720, { num: 60, den: 1 }))), [
      '360p-365k 640x360 30/1',
      '432p-730k 768x432 30/1',
      '540p-2000k 960x540 60/1',
      '720p-3000k 1280x720 60/1',
      '720p-4500k 1280x720 60/1',
    ]);
  });

  test('59.94 fps: lower rungs become 29.97 (30000/1001), not 30', () => {
    const renditions = plan(source(1920, 1080, { num: 60000, den: 1001 }));
    assert.deepEqual(renditions.map((r) => r.frameRate), [
      { num: 30000, den: 1001 }, { num: 30000, den: 1001 },
      { num: 60000, den: 1001 }, { num: 60000, den: 1001 }, { num: 60000, den: 1001 }, { num: 60000, den: 1001 }, { num: 60000, den: 1001 },
    ]);
  });

  test('50 fps halves to 25, 120 fps divides to 60 and 30', () => {
    assert.deepEqual(plan(source(1280, 720, { num: 50, den: 1 })).map((r) => r.frameRate.num), [25, 25, 50, 50, 50]);
    assert.deepEqual(plan(source(1280, 720, { num: 120, den: 1 })).map((r) => r.frameRate.num), [30, 30, 60, 60, 60]);
    assert.deepEqual(plan(source(1280, 720, { num: 24000, den: 1001 })).map((r) => r.frameRate), Array(5).fill({ num: 24000, den: 1001 }));
  });

  test('4K60: all nine rungs', () => {
    assert.deepEqual(summary(plan(source(3840, 2160, { num: 60, den: 1 }))), [
      '360p-365k 640x360 30/1',
      '432p-730k 768x432 30/1',
      '540p-2000k 960x540 60/1',
      '720p-3000k 1280x720 60/1',
      '720p-4500k 1280x720 60/1',
      '1080p-6000k 1920x1080 60/1',
      '1080p-7800k 1920x1080 60/1',
      '1440p-12000k 2560x1440 60/1',
      '2160p-20000k 3840x2160 60/1',
    ]);
  });

  test('HEVC and AV1 presets: fewer bits and their own CRF scales', () => {
    assert.deepEqual(plan(source(1920, 1080), 'hevc').map((r) => `${r.id}/${r.crf}/${r.codec}`), [
      '360p-235k/26/hevc', '432p-475k/26/hevc', '540p-1300k/26/hevc', '720p-1950k/26/hevc', '720p-2925k/24/hevc', '1080p-3900k/26/hevc', '1080p-5070k/24/hevc',
    ]);
    assert.deepEqual(plan(source(1920, 1080), 'av1').map((r) => `${r.id}/${r.crf}`), [
      '360p-200k/35', '432p-400k/35', '540p-1100k/35', '720p-1650k/35', '720p-2475k/33', '1080p-3300k/35', '1080p-4290k/33',
    ]);
  });
});

describe('planLadder, other shapes', () => {
  test('portrait 1080x1920: portrait rungs (boxes swapped), named by their short side', () => {
    const video = source(1080, 1920);
    const renditions = plan(video);
    assert.deepEqual(summary(renditions), [
      '360p-365k 360x640 30/1',
      '432p-730k 432x768 30/1',
      '540p-2000k 540x960 30/1',
      '720p-3000k 720x1280 30/1',
      '720p-4500k 720x1280 30/1',
      '1080p-6000k 1080x1920 30/1',
      '1080p-7800k 1080x1920 30/1',
    ]);
    assertWithinSource(renditions, video);
  });

  test('a rotated phone recording plans from its display size, not the coded one', () => {
    // Coded 1920x1080 with rotation 90: shown as 1080x1920.
    const video = source(1920, 1080, { num: 30, den: 1 }, { rotation: 90, displayWidth: 1080, displayHeight: 1920 });
    assert.deepEqual(plan(video).map((r) => `${r.width}x${r.height}`), ['360x640', '432x768', '540x960', '720x1280', '720x1280', '1080x1920', '1080x1920']);
  });

  test('4:3 1440x1080: pillarbox-free 4:3 rungs, bitrates scaled by area (75 %)', () => {
    assert.deepEqual(summary(plan(source(1440, 1080))), [
      '360p-275k 480x360 30/1',
      '432p-550k 576x432 30/1',
      '540p-1500k 720x540 30/1',
      '720p-2250k 960x720 30/1',
      '720p-3375k 960x720 30/1',
      '1080p-4500k 1440x1080 30/1',
      '1080p-5850k 1440x1080 30/1',
    ]);
  });

  test('2.39:1 scope 1920x804: full-width rungs, short heights, about 74 % of the bits', () => {
    const video = source(1920, 804);
    const renditions = plan(video);
    assert.deepEqual(summary(renditions), [
      '268p-270k 640x268 30/1',
      '322p-545k 768x322 30/1',
      '402p-1490k 960x402 30/1',
      '536p-2235k 1280x536 30/1',
      '536p-3350k 1280x536 30/1',
      '804p-4465k 1920x804 30/1',
      '804p-5805k 1920x804 30/1',
    ]);
    assertWithinSource(renditions, video);
    // The aspect ratio survives the even rounding within half a percent.
    for (const r of renditions) assert.ok(Math.abs(r.width / r.height - 1920 / 804) / (1920 / 804) < 0.005, r.id);
  });

  test('a non-square-pixel source plans from its square-pixel display width', () => {
    // PAL DV 720x576 with SAR 16:15 is shown as 768x576.
    const video = source(720, 576, { num: 25, den: 1 }, { sampleAspectRatio: { num: 16, den: 15 }, displayWidth: 768, displayHeight: 576 });
    assert.deepEqual(summary(plan(video)), ['360p-275k 480x360 25/1', '432p-550k 576x432 25/1', '540p-1500k 720x540 25/1']);
  });

  test('tiny 320x240: one rendition at the source size, bitrate from the smallest rung (floored at 40 %)', () => {
    const renditions = plan(source(320, 240));
    assert.equal(renditions.length, 1);
    assert.deepEqual(renditions[0], { id: '240p-145k', codec: 'h264', width: 320, height: 240, frameRate: { num: 30, den: 1 }, bitrateKbps: 145, maxrateKbps: 145, bufsizeKbps: 290, crf: 23 });
  });

  test('tiny and fast: the single rendition still gets the smallest rung rate cap', () => {
    const [only] = plan(source(176, 144, { num: 60, den: 1 }));
    assert.deepEqual(only?.frameRate, { num: 30, den: 1 });
    assert.equal(only?.bitrateKbps, 145);
  });

  test('odd sizes never exceed the source and are always even', () => {
    const cases: [number, number, string[]][] = [
      [853, 479, ['360p-365k 640x360 30/1', '432p-730k 768x432 30/1']],
      [639, 359, ['358p-360k 638x358 30/1']],
      [1279, 720, ['360p-365k 640x360 30/1', '432p-730k 768x432 30/1', '540p-2000k 960x540 30/1', '720p-2995k 1278x720 30/1', '720p-4495k 1278x720 30/1']],
      [1921, 1081, ['360p-365k 640x360 30/1', '432p-730k 768x432 30/1', '540p-2000k 960x540 30/1', '720p-3000k 1280x720 30/1', '720p-4500k 1280x720 30/1', '1080p-6000k 1920x1080 30/1', '1080p-7800k 1920x1080 30/1']],
      [3, 3, ['2p-145k 2x2 30/1']],
    ];
    for (const [w, h, expected] of cases) {
      const video = source(w, h);
      const renditions = plan(video);
      assert.deepEqual(summary(renditions), expected, `${w}x${h}`);
      assertWithinSource(renditions, video);
    }
  });

  test('sweep: no source size yields an upscaled, odd, duplicate or out-of-order rendition', () => {
    for (let w = 96; w <= 4096; w += 131) {
      for (const aspect of [16 / 9, 4 / 3, 2.39, 1, 9 / 16, 3 / 4]) {
        const video = source(w, Math.max(2, Math.round(w / aspect)));
        const renditions = plan(video);
        assert.ok(renditions.length >= 1 && renditions.length <= 9);
        assertWithinSource(renditions, video);
        assert.equal(new Set(renditions.map((r) => r.id)).size, renditions.length, 'ids are unique (they name directories)');
        for (let i = 1; i < renditions.length; i++) assert.ok((renditions[i]?.bitrateKbps ?? 0) >= (renditions[i - 1]?.bitrateKbps ?? 0));
        for (const r of renditions) {
          assert.match(r.id, /^\d+p-\d+k$/);
          assert.equal(r.maxrateKbps, r.bitrateKbps);
          assert.equal(r.bufsizeKbps, 2 * r.bitrateKbps);
          assert.ok(r.bitrateKbps >= 50);
        }
      }
    }
  });
});

describe('planLadder, custom rungs', () => {
  test('two rungs that come out identical are one rendition (the first, by bitrate order)', () => {
    const rungs: RungSpec[] = [
      { width: 1280, height: 720, bitrateKbps: 3000, maxFrameRate: 60, crf: 22 },
      { width: 640, height: 360, bitrateKbps: 800, maxFrameRate: 30 },
      { width: 1280, height: 720, bitrateKbps: 3000, maxFrameRate: 60, crf: 20 },
    ];
    const renditions = plan(source(1920, 1080), 'h264', rungs);
    assert.deepEqual(renditions.map((r) => `${r.id}/${r.crf}`), ['360p-800k/23', '720p-3000k/22']);
  });

  test('rungs above the source are skipped, not upscaled; the input order does not matter', () => {
    const rungs: RungSpec[] = [
      { width: 3840, height: 2160, bitrateKbps: 16000, maxFrameRate: 60 },
      { width: 426, height: 240, bitrateKbps: 300, maxFrameRate: 30 },
      { width: 1280, height: 720, bitrateKbps: 2500, maxFrameRate: 60 },
    ];
    assert.deepEqual(summary(plan(source(1280, 720, { num: 60, den: 1 }), 'h264', rungs)), ['240p-300k 426x240 30/1', '720p-2500k 1280x720 60/1']);
  });

  test('an empty ladder is a programming error', () => {
    assert.throws(() => plan(source(320, 240), 'h264', []), /no rungs/);
  });

  test('ladder files: both shapes accepted, maxFrameRate defaults to 60, mistakes named by path', () => {
    assert.deepEqual(parseLadderFile([{ width: 640, height: 360, bitrateKbps: 800 }]), [{ width: 640, height: 360, bitrateKbps: 800, maxFrameRate: 60 }]);
    assert.deepEqual(parseLadderFile({ rungs: [{ width: 1280, height: 720, bitrateKbps: 3000, maxFrameRate: 30, crf: 21 }] }), [{ width: 1280, height: 720, bitrateKbps: 3000, maxFrameRate: 30, crf: 21 }]);
    assert.throws(() => parseLadderFile({ rungs: [{ width: 641, height: 360, bitrateKbps: 800 }] }), /rungs\[0\]\.width must be even/);
    assert.throws(() => parseLadderFile({ rungs: [] }), /invalid ladder file/);
    assert.throws(() => parseLadderFile({ rungs: [{ width: 640, height: 360, bitrateKbps: 800, fps: 30 }] }), /invalid ladder file/);
  });
});
