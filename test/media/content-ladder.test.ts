// The content-aware ladder from a complexity analysis, pure: which rungs a still talk and a noisy
// sport keep, why, with what caps; the analysis windows, sizes, command and model. The real
// ffmpeg side (same source → same ladder, chunks) is in test/pipeline/content-ladder.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  analysisSizes, buildAnalysisCommand, chooseAnalysisWindows, defaultAnalysisSampling, nativeAnalysisSize, predictBitrate, summariseAnalysis,
  type AnalysisSize, type ComplexityAnalysis,
} from '../../src/media/complexity.ts';
import { chooseContentLadder, needsNativeMeasurement } from '../../src/media/content-ladder.ts';
import { ladderPresets } from '../../src/media/ladder-presets.ts';
import { planLadder } from '../../src/media/ladder.ts';
import type { SourceVideo, VideoRendition } from '../../src/media/types.ts';

function source(width: number, height: number, overrides: Partial<SourceVideo> = {}): SourceVideo {
  return {
    index: 0, codec: 'h264', width, height, sampleAspectRatio: { num: 1, den: 1 }, rotation: 0,
    displayWidth: width, displayHeight: height, frameRate: { num: 30, den: 1 }, variableFrameRate: false, interlaced: false, startTime: 0,
    ...overrides,
  };
}

const video1080 = source(1920, 1080);
const fixed1080 = (): VideoRendition[] => planLadder(video1080, { codec: 'h264', rungs: ladderPresets.h264 });

/** An analysis of a 1080p30 source: kb/s per window at 640x360, 960x540 (and 1920x1080 when given), crf 21. */
function analysis(perWindow: number[][], native = perWindow[0]?.length === 3): ComplexityAnalysis {
  const sizes: AnalysisSize[] = [{ width: 640, height: 360 }, { width: 960, height: 540 }, ...(native ? [nativeAnalysisSize(video1080)] : [])];
  const windows = perWindow.map((_, i) => ({ startSeconds: i * 10, seconds: 2 }));
  const bytes = perWindow.map((kbps) => kbps.map((k) => (k * 1000 * 2) / 8));
  return summariseAnalysis(bytes, { windows, sizes, crf: 21, preset: 'veryfast', frameRate: 30, unscaled: { width: 1920, height: 1080 } });
}

// Figures of the generated sources (docs/benchmarks.md): a talk takes tens of kb/s at 360p, a noisy sport megabits.
const talk = analysis([[45, 70, 160], [50, 75, 180], [40, 65, 150], [48, 72, 170]]);
const sport = analysis([[1400, 2600], [1500, 2700], [1450, 2650]]);

describe('chooseContentLadder', () => {
  test('talk: one rung per size at the richer CRF, lean copies merged, caps fitted, every rung accounted for', () => {
    const fixed = fixed1080();
    const chosen = chooseContentLadder(fixed, talk);
    assert.deepEqual(chosen.rungs.map((r) => r.rung), fixed.map((r) => r.id), 'a decision for every fixed rung, in order');
    const dropped = chosen.rungs.filter((r) => !r.kept).map((r) => r.rung);
    assert.ok(dropped.includes('720p-3000k') && dropped.includes('1080p-6000k'), `the lean copies go: ${dropped.join(', ')}`);
    // The reasons name a kept rung as the ladder lists it (its cap came down: renamed), not as the fixed rung it was.
    const rich = chosen.rungs.find((r) => r.rung === '1080p-7800k');
    assert.ok(rich?.kept && rich.as !== '1080p-7800k', `1080p-7800k kept and renamed: ${rich?.as}`);
    assert.match(chosen.rungs.find((r) => r.rung === '1080p-6000k')?.reason ?? '', new RegExp(`same size as ${rich.as}: .*merged into it`));
    for (const r of chosen.rungs.filter((d) => !d.kept)) assert.doesNotMatch(r.reason, /1080p-7800k/, r.rung);
    // One rung per size; 720p and 1080p keep the richer CRF.
    const sizes = chosen.video.map((r) => `${r.width}x${r.height}`);
    assert.equal(new Set(sizes).size, sizes.length);
    assert.equal(chosen.video.find((r) => r.height === 1080)?.crf, 21);
    assert.equal(chosen.video.find((r) => r.height === 720)?.crf, 21);
    // Caps come down towards what the talk needs, never under half the fixed cap, never above it.
    const top = chosen.video.find((r) => r.height === 1080);
    assert.ok(top && top.maxrateKbps < 6000 && top.maxrateKbps >= 7800 * 0.5, `1080p cap ${top?.maxrateKbps}`);
    for (const r of chosen.video) assert.equal(r.id, `${Math.min(r.width, r.height)}p-${r.maxrateKbps}k`);
    // Kept rungs name the rendition they became; ascending caps.
    for (const r of chosen.rungs.filter((d) => d.kept)) assert.ok(chosen.video.some((v) => v.id === r.as), `${r.rung} → ${r.as}`);
    assert.deepEqual(chosen.video.map((r) => r.maxrateKbps), [...chosen.video.map((r) => r.maxrateKbps)].sort((a, b) => a - b));
    assert.ok(chosen.video.length <= 5);
  });

  test('sport: every rung of the fixed ladder stays as it is (the caps bind, the outputs differ)', () => {
    const fixed = fixed1080();
    const chosen = chooseContentLadder(fixed, sport);
    assert.deepEqual(chosen.video.map((r) => [r.id, r.crf, r.maxrateKbps]), fixed.map((r) => [r.id, r.crf, r.maxrateKbps]));
    // 1080p was not measured at the source's size: its lower bound reached the cap, so it is taken as capped.
    assert.match(chosen.rungs.find((r) => r.rung === '1080p-7800k')?.reason ?? '', /taken as capped/);
    // A source whose every rung is scaled (anamorphic): the downscaled sizes predict it, nothing is assumed.
    const scaledOnly = chooseContentLadder(fixed, { ...sport, unscaled: null });
    assert.ok(scaledOnly.rungs.every((r) => !/taken as capped/.test(r.reason)));
  });

  test('neighbours within 20 %: the smaller goes when the larger is not capped; the larger goes when its cap holds it to the same bits', () => {
    // Bits that hardly grow with the picture (1000 and 1050 kb/s; the exponent clamps at 0.4): 360p ~761 kb/s, 432p ~878.
    const flat = summariseAnalysis([[250_000, 262_500]], { windows: [{ startSeconds: 0, seconds: 2 }], sizes: [{ width: 640, height: 360 }, { width: 960, height: 540 }], crf: 23, preset: 'veryfast', frameRate: 30, unscaled: { width: 960, height: 540 } });
    const rungs = [
      { width: 640, height: 360, bitrateKbps: 3000, maxFrameRate: 30, crf: 23 },
      { width: 768, height: 432, bitrateKbps: 3400, maxFrameRate: 30, crf: 23 },
    ];
    const video = source(1280, 720);
    const small = chooseContentLadder(planLadder(video, { codec: 'h264', rungs }), flat);
    assert.deepEqual(small.video.map((r) => r.height), [432]);
    assert.match(small.rungs[0]?.reason ?? '', /within 20 % of 432p-3400k's .* larger picture/);
    // The same sizes where the larger one's cap holds it within 20 % of the smaller one: it goes.
    const capped = chooseContentLadder(planLadder(video, { codec: 'h264', rungs: [{ ...rungs[0]!, bitrateKbps: 800 }, { ...rungs[1]!, bitrateKbps: 850 }] }), flat);
    assert.deepEqual(capped.video.map((r) => r.height), [360]);
    assert.match(capped.rungs[1]?.reason ?? '', /its cap.*looks no better/);
  });

  test('deterministic: the same analysis gives the same ladder and the same reasons', () => {
    assert.deepEqual(chooseContentLadder(fixed1080(), talk), chooseContentLadder(fixed1080(), structuredClone(talk)));
  });
});

describe('the complexity analysis', () => {
  test('windows: centred on equal stretches, under the share, at least one, inside the recording', () => {
    assert.deepEqual(chooseAnalysisWindows(60, defaultAnalysisSampling), [
      { startSeconds: 9, seconds: 2 }, { startSeconds: 29, seconds: 2 }, { startSeconds: 49, seconds: 2 },
    ]);
    assert.equal(chooseAnalysisWindows(3600, defaultAnalysisSampling).length, 6);
    assert.deepEqual(chooseAnalysisWindows(1.5, defaultAnalysisSampling), [{ startSeconds: 0, seconds: 1.5 }]);
    assert.deepEqual(chooseAnalysisWindows(0, defaultAnalysisSampling), []);
  });

  test('sizes: 360p and 540p boxes under the source (portrait turned), the source itself when nothing smaller fits', () => {
    assert.deepEqual(analysisSizes(video1080), [{ width: 640, height: 360 }, { width: 960, height: 540 }]);
    assert.deepEqual(analysisSizes(source(1080, 1920)), [{ width: 360, height: 640 }, { width: 540, height: 960 }]);
    assert.deepEqual(analysisSizes(source(960, 540)), [{ width: 640, height: 360 }]);
    assert.deepEqual(analysisSizes(source(320, 180)), [{ width: 320, height: 180, native: true }]);
  });

  test('command: each window seeked, scaled per size, x264 at the CRF with one keyframe per window, raw H.264 out', () => {
    const windows = [{ startSeconds: 6.5, seconds: 2 }, { startSeconds: 21.5, seconds: 2 }];
    const sizes = analysisSizes(video1080);
    const args = buildAnalysisCommand('ffmpeg', '/in/rec.mp4', video1080, { windows, sizes, crf: 21, preset: 'veryfast', deinterlace: false });
    assert.deepEqual(args.filter((_, i) => args[i - 1] === '-ss'), ['6.500', '21.500']);
    assert.equal(args.filter((a) => a === 'file:/in/rec.mp4').length, 2);
    const graph = args[args.indexOf('-filter_complex') + 1] ?? '';
    assert.match(graph, /\[0:0\]fps=30,split=2\[p0_0\]\[p0_1\]/);
    assert.match(graph, /\[p1_1\]scale=960:540:flags=bicubic,setsar=1,format=yuv420p\[a1_1\]/);
    assert.deepEqual(args.filter((a) => a.endsWith('.h264')), ['analysis-0-0.h264', 'analysis-0-1.h264', 'analysis-1-0.h264', 'analysis-1-1.h264']);
    assert.deepEqual(args.filter((_, i) => args[i - 1] === '-crf'), ['21', '21', '21', '21']);
    assert.deepEqual([...new Set(args.filter((_, i) => args[i - 1] === '-g'))], ['60']);
    assert.ok(!args.includes('bwdif'));
    assert.match(buildAnalysisCommand('ffmpeg', '/in/rec.mp4', video1080, { windows, sizes, crf: 21, preset: 'veryfast', deinterlace: true }).join(' '), /bwdif=mode=send_frame/);
  });

  test('model: the size exponent is measured between the two sizes; CRF and rate scale the prediction; the source size is read, not extrapolated', () => {
    assert.ok(talk.sizeExponent > 0.4 && talk.sizeExponent < 0.7, `talk exponent ${talk.sizeExponent}`);
    const at540 = predictBitrate(talk, { width: 960, height: 540, crf: 21, frameRate: 30 });
    assert.equal(at540.meanKbps, 71);
    assert.equal(at540.peakKbps, 75);
    assert.ok(predictBitrate(talk, { width: 960, height: 540, crf: 27, frameRate: 30 }).meanKbps < at540.meanKbps * 0.55);
    assert.equal(predictBitrate(talk, { width: 1920, height: 1080, crf: 21, frameRate: 30 }).meanKbps, 165);
    // bits per pixel at 540p: 70.5 kb/s over 960x540 at 30 fps.
    assert.equal(talk.bitsPerPixel, Math.round((70500 / (960 * 540 * 30)) * 1e6) / 1e6);
  });

  test('the source size is measured only where the downscaled sizes leave room under a rung\'s cap', () => {
    const fixed = fixed1080();
    assert.equal(needsNativeMeasurement(fixed, analysis([[45, 70]]), video1080), true);
    assert.equal(needsNativeMeasurement(fixed, analysis([[1400, 2600]]), video1080), false);
    // An anamorphic source is scaled into every rung: never.
    assert.equal(needsNativeMeasurement(fixed, analysis([[45, 70]]), source(1440, 1080, { displayWidth: 1920 })), false);
  });
});
