// Sprite/WebVTT and poster choice from the `metadata=mode=print` logs the encode writes. Pure.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ThumbnailPlan } from '../../src/media/plan.ts';
import { choosePoster, fit, parseFrameLog, planThumbnails, writeThumbnailsVtt, type ScoredFrame } from '../../src/media/thumbnails.ts';
import type { SourceInfo } from '../../src/media/types.ts';

// As written by `fps=1/2,…,entropy,metadata=mode=print:file=…` in ffmpeg 5.1.
const log = `frame:0    pts:0       pts_time:0
lavfi.entropy.entropy.normal.Y=4.928234
lavfi.entropy.normalized_entropy.normal.Y=0.616029
lavfi.entropy.entropy.normal.U=5.529072
lavfi.entropy.normalized_entropy.normal.U=0.691134
lavfi.entropy.entropy.normal.V=5.610195
lavfi.entropy.normalized_entropy.normal.V=0.701274
frame:1    pts:1       pts_time:2
lavfi.entropy.entropy.normal.Y=4.944048
lavfi.entropy.normalized_entropy.normal.Y=0.618006
lavfi.entropy.entropy.normal.U=5.597544
lavfi.entropy.normalized_entropy.normal.U=0.699693
lavfi.entropy.entropy.normal.V=5.610357
lavfi.entropy.normalized_entropy.normal.V=0.701295
frame:2    pts:2       pts_time:4
lavfi.entropy.entropy.normal.Y=4.975172
lavfi.entropy.normalized_entropy.normal.Y=0.621896
lavfi.entropy.entropy.normal.U=5.609663
lavfi.entropy.normalized_entropy.normal.U=0.701208
lavfi.entropy.entropy.normal.V=5.662801
lavfi.entropy.normalized_entropy.normal.V=0.707850
`;

const plan: ThumbnailPlan = { intervalSeconds: 2, width: 160, height: 90, columns: 10, rows: 10 };
const sprite = (sheet: number) => `sprite-${String(sheet).padStart(3, '0')}.jpg`;

interface Cue { start: number; end: number; target: string }

function parseVtt(vtt: string): Cue[] {
  const lines = vtt.split('\n');
  assert.equal(lines[0], 'WEBVTT');
  const seconds = (t: string) => {
    const m = /^(\d{2}):(\d{2}):(\d{2})\.(\d{3})$/.exec(t);
    assert.ok(m, `timestamp ${t}`);
    return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000;
  };
  const cues: Cue[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\S+) --> (\S+)$/.exec(lines[i] ?? '');
    if (m) cues.push({ start: seconds(m[1] ?? ''), end: seconds(m[2] ?? ''), target: lines[i + 1] ?? '' });
  }
  return cues;
}

const framesEvery = (interval: number, count: number, offset = 0): ScoredFrame[] => Array.from({ length: count }, (_, i) => ({ index: i, time: offset + i * interval, entropy: 0.5 }));

describe('parseFrameLog', () => {
  test('one frame per header with its time and normalised Y entropy', () => {
    assert.deepEqual(parseFrameLog(log), [
      { index: 0, time: 0, entropy: 0.616029 },
      { index: 1, time: 2, entropy: 0.618006 },
      { index: 2, time: 4, entropy: 0.621896 },
    ]);
  });

  test('fractional times; a frame without an entropy line scores 0', () => {
    const text = 'frame:0    pts:15015   pts_time:0.5005\nframe:1    pts:75075   pts_time:2.5025\nlavfi.entropy.normalized_entropy.normal.Y=0.9\n';
    assert.deepEqual(parseFrameLog(text), [{ index: 0, time: 0.5005, entropy: 0 }, { index: 1, time: 2.5025, entropy: 0.9 }]);
  });

  test('empty or unrelated text gives no frames; a value before any header is ignored', () => {
    assert.deepEqual(parseFrameLog(''), []);
    assert.deepEqual(parseFrameLog('lavfi.entropy.normalized_entropy.normal.Y=0.5\nhello\n'), []);
  });
});

describe('choosePoster', () => {
  test('the highest entropy wins; black and slate frames lose', () => {
    const candidates: ScoredFrame[] = [
      { index: 0, time: 0, entropy: 0.02 }, // black
      { index: 1, time: 50, entropy: 0.41 }, // slate
      { index: 2, time: 100, entropy: 0.83 },
      { index: 3, time: 150, entropy: 0.79 },
    ];
    assert.deepEqual(choosePoster(candidates), { index: 2, time: 100, entropy: 0.83 });
    assert.deepEqual(choosePoster(parseFrameLog(log))?.index, 2);
  });

  test('ties keep the earliest frame; no candidates, no poster', () => {
    assert.equal(choosePoster([{ index: 0, time: 0, entropy: 0.5 }, { index: 1, time: 5, entropy: 0.5 }])?.index, 0);
    assert.equal(choosePoster([]), undefined);
  });
});

describe('writeThumbnailsVtt', () => {
  test('golden: three thumbnails over 5.2 s', () => {
    assert.equal(writeThumbnailsVtt(parseFrameLog(log), plan, 5.2, sprite), [
      'WEBVTT',
      '',
      '00:00:00.000 --> 00:00:02.000',
      'sprite-000.jpg#xywh=0,0,160,90',
      '',
      '00:00:02.000 --> 00:00:04.000',
      'sprite-000.jpg#xywh=160,0,160,90',
      '',
      '00:00:04.000 --> 00:00:05.200',
      'sprite-000.jpg#xywh=320,0,160,90',
      '',
    ].join('\n'));
  });

  test('cues cover 0..duration without gaps or overlaps, even when the first frame is late', () => {
    const duration = 611.3;
    const cues = parseVtt(writeThumbnailsVtt(framesEvery(4, 153, 0.033), { ...plan, intervalSeconds: 4 }, duration, sprite));
    assert.equal(cues.length, 153);
    assert.equal(cues[0]?.start, 0);
    assert.equal(cues.at(-1)?.end, duration);
    for (let i = 1; i < cues.length; i++) assert.equal(cues[i]?.start, cues[i - 1]?.end, `cue ${i} starts where ${i - 1} ends`);
    for (const cue of cues) assert.ok(cue.end > cue.start);
  });

  test('tiles run left to right, top to bottom, and continue on the next sheet after columns x rows', () => {
    const cues = parseVtt(writeThumbnailsVtt(framesEvery(2, 205), plan, 410, sprite));
    const target = (i: number) => cues[i]?.target;
    assert.equal(target(0), 'sprite-000.jpg#xywh=0,0,160,90');
    assert.equal(target(9), 'sprite-000.jpg#xywh=1440,0,160,90');
    assert.equal(target(10), 'sprite-000.jpg#xywh=0,90,160,90');
    assert.equal(target(99), 'sprite-000.jpg#xywh=1440,810,160,90', 'last tile of the first sheet');
    assert.equal(target(100), 'sprite-001.jpg#xywh=0,0,160,90', 'first tile of the second sheet');
    assert.equal(target(123), 'sprite-001.jpg#xywh=480,180,160,90');
    assert.equal(target(200), 'sprite-002.jpg#xywh=0,0,160,90');
    assert.equal(target(204), 'sprite-002.jpg#xywh=640,0,160,90');
  });

  test('non-square grids use their own columns and tile size', () => {
    const cues = parseVtt(writeThumbnailsVtt(framesEvery(10, 13), { intervalSeconds: 10, width: 90, height: 160, columns: 4, rows: 3 }, 130, sprite));
    assert.equal(cues[5]?.target, 'sprite-000.jpg#xywh=90,160,90,160');
    assert.equal(cues[11]?.target, 'sprite-000.jpg#xywh=270,320,90,160');
    assert.equal(cues[12]?.target, 'sprite-001.jpg#xywh=0,0,90,160');
  });

  test('hour-long timestamps; a frame at or past the end gets no empty cue', () => {
    const vtt = writeThumbnailsVtt([{ index: 0, time: 0, entropy: 1 }, { index: 1, time: 3723.5, entropy: 1 }, { index: 2, time: 3800, entropy: 1 }], plan, 3800, sprite);
    assert.match(vtt, /\n00:00:00\.000 --> 01:02:03\.500\n/);
    assert.match(vtt, /\n01:02:03\.500 --> 01:03:20\.000\n/);
    assert.equal(parseVtt(vtt).length, 2);
  });

  test('no frames: just the header', () => {
    assert.equal(writeThumbnailsVtt([], plan, 10, sprite), 'WEBVTT\n');
  });
});

describe('planThumbnails and fit', () => {
  const source = (duration: number): SourceInfo => ({ formatName: 'mp4', duration, sizeBytes: 1 });

  test('one thumbnail every 2–10 s, about 200 at most', () => {
    assert.equal(planThumbnails(source(30), { width: 1920, height: 1080 }).thumbnails.intervalSeconds, 2);
    assert.equal(planThumbnails(source(1000), { width: 1920, height: 1080 }).thumbnails.intervalSeconds, 5);
    assert.equal(planThumbnails(source(4 * 3600), { width: 1920, height: 1080 }).thumbnails.intervalSeconds, 10);
  });

  test('thumbnails fit 160x160 and posters 1280x1280, keeping the aspect, even sides, never upscaled', () => {
    assert.deepEqual(planThumbnails(source(60), { width: 1920, height: 1080 }), {
      thumbnails: { intervalSeconds: 2, width: 160, height: 90, columns: 10, rows: 10 },
      poster: { candidates: 12, width: 1280, height: 720 },
    });
    assert.deepEqual(planThumbnails(source(60), { width: 1080, height: 1920 }).thumbnails, { intervalSeconds: 2, width: 90, height: 160, columns: 10, rows: 10 });
    assert.deepEqual(fit({ width: 320, height: 240 }, 1280, 1280), { width: 320, height: 240 });
    assert.deepEqual(fit({ width: 1920, height: 804 }, 160, 160), { width: 160, height: 68 });
    assert.deepEqual(fit({ width: 768, height: 576 }, 160, 160), { width: 160, height: 120 });
  });
});
