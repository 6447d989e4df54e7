// The detection logs reduced to intervals and merged across chunk seams, the trim suggested from
// them, and the chapters: pure, on hand-written logs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyChapterEdit, ChapterEditError, chapterEditSchema } from '../../../src/media/event/chapter-edit.ts';
import { chooseChapters, titled, writeChaptersVtt, writeHlsChaptersJson } from '../../../src/media/event/chapters.ts';
import { mergeVideo, parseSilences, parseVideoLog, reduceVideo } from '../../../src/media/event/detections.ts';
import { addSessionData, chaptersSessionData } from '../../../src/media/event/session-data.ts';
import { suggestTrim } from '../../../src/media/event/suggest-trim.ts';
import { chapterThumbnail, parseThumbnailCues } from '../../../src/media/event/thumbnail-cues.ts';

/** A video log at 4 pictures a second: `kind(t)` says what each picture is. */
function videoLog(from: number, to: number, kind: (t: number) => 'black' | 'still' | 'moving' | 'cut'): string {
  const lines: string[] = [];
  for (let i = 0; from + i / 4 < to; i++) {
    const t = from + i / 4;
    const k = kind(t);
    lines.push(`frame:${i}    pts:${i}    pts_time:${t}`, `lavfi.blackframe.pblack=${k === 'black' ? 100 : 0}`, `lavfi.scd.mafd=${k === 'moving' ? 3.5 : k === 'cut' ? 40 : 0}`, `lavfi.scd.score=${k === 'cut' ? 40 : 0.01}`);
  }
  return lines.join('\n');
}

const showKind = (t: number): 'black' | 'still' | 'moving' | 'cut' => (t < 15 ? 'black' : t === 15 || t === 50 ? 'cut' : t < 50 ? 'moving' : 'still');

describe('event detections', () => {
  test('black, still and cuts of one unit', () => {
    const d = reduceVideo(parseVideoLog(videoLog(0, 60, showKind)), { offset: 0, from: 0, to: 60 });
    assert.deepEqual(d.black, [{ start: 0, end: 15 }]);
    assert.deepEqual(d.still, [{ start: 0, end: 15 }, { start: 50, end: 60 }]);
    assert.deepEqual(d.cuts.map((c) => c.time), [15, 50]);
  });

  test('chunks restarting at 0 are shifted, and stretches meeting at a seam join', () => {
    const first = reduceVideo(parseVideoLog(videoLog(0, 24, showKind)), { offset: 0, from: 0, to: 24 });
    const second = reduceVideo(parseVideoLog(videoLog(0, 24, (t) => showKind(t + 24))), { offset: 24, from: 24, to: 48 });
    const third = reduceVideo(parseVideoLog(videoLog(0, 12, (t) => showKind(t + 48))), { offset: 48, from: 48, to: 60 });
    const merged = mergeVideo([third, first, second]);
    assert.deepEqual(merged?.black, [{ start: 0, end: 15 }]);
    assert.deepEqual(merged?.still.at(-1), { start: 50, end: 60 });
    assert.deepEqual(merged?.cuts.map((c) => c.time), [15, 50]);
  });

  test('silences, one still open at the end', () => {
    const log = ['frame:11 pts:22528 pts_time:0.469', 'lavfi.silence_start=0', 'frame:70 pts:1 pts_time:15', 'lavfi.silence_end=15.002', 'lavfi.silence_duration=15.002', 'frame:175 pts:2 pts_time:51', 'lavfi.silence_start=50.01'].join('\n');
    assert.deepEqual(parseSilences(log, 60), [{ start: 0, end: 15.002 }, { start: 50.01, end: 60 }]);
  });
});

describe('suggestTrim', () => {
  const video = reduceVideo(parseVideoLog(videoLog(0, 60, showKind)), { offset: 0, from: 0, to: 60 });

  test('black and silence before, a still slide and silence after: the event is 15–50 s', () => {
    const trim = suggestTrim(video, [{ start: 0, end: 15.002 }, { start: 50.01, end: 60 }], 60);
    assert.equal(trim.start, 15);
    assert.equal(trim.end, 50.01);
    assert.deepEqual(trim.why, ['black picture and silence from the start to 15.00 s', 'still picture and silence from 50.01 s to the end']);
  });

  test('sound over the holding slide is not a pre-show; without audio the picture decides', () => {
    assert.deepEqual(suggestTrim(video, [{ start: 50, end: 60 }], 60), { start: 0, end: 50, why: ['still picture and silence from 50.00 s to the end'] });
    assert.equal(suggestTrim(video, undefined, 60).start, 15);
  });

  test('a short pause is kept, and a recording with nothing happening is not trimmed', () => {
    const pause = reduceVideo(parseVideoLog(videoLog(0, 60, (t) => (t < 2 ? 'black' : 'moving'))), { offset: 0, from: 0, to: 60 });
    assert.deepEqual(suggestTrim(pause, [{ start: 0, end: 60 }], 60), { start: 0, end: 60, why: [] });
    const nothing = reduceVideo(parseVideoLog(videoLog(0, 60, () => 'black')), { offset: 0, from: 0, to: 60 });
    assert.deepEqual(suggestTrim(nothing, [{ start: 0, end: 60 }], 60), { start: 0, end: 60, why: [] });
  });
});

describe('chapters', () => {
  test('cuts inside the event, at least 30 s apart, the first of a close group kept', () => {
    assert.deepEqual(chooseChapters([20, 40, 45, 60, 80, 100, 119.5], { start: 10, end: 120 }), [10, 40, 80]);
    assert.deepEqual(chooseChapters([32, 64, 96], { start: 0, end: 128 }), [0, 32, 64, 96]);
  });

  test('WebVTT chapters, Apple chapter JSON, and the session data tag', () => {
    const list = titled([0, 32.5]).map((c, i) => ({ ...c, thumbnail: `thumbnails/sprite-000.jpg#xywh=${i * 160},0,160,90` }));
    assert.equal(writeChaptersVtt(list, 70), 'WEBVTT\n\n1\n00:00:00.000 --> 00:00:32.500\nChapter 1\n\n2\n00:00:32.500 --> 00:01:10.000\nChapter 2\n');
    const json = JSON.parse(writeHlsChaptersJson(list, 70, 'en', { width: 160, height: 90 })) as { chapter: number; 'start-time': number; duration: number; titles: { title: string }[]; images: { url: string }[] }[];
    assert.deepEqual(json.map((c) => [c.chapter, c['start-time'], c.duration, c.titles[0]?.title, c.images[0]?.url]), [[1, 0, 32.5, 'Chapter 1', 'thumbnails/sprite-000.jpg#xywh=0,0,160,90'], [2, 32.5, 37.5, 'Chapter 2', 'thumbnails/sprite-000.jpg#xywh=160,0,160,90']]);
    const master = '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n';
    const tag = chaptersSessionData('chapters.json');
    assert.equal(tag, '#EXT-X-SESSION-DATA:DATA-ID="com.apple.hls.chapters",URI="chapters.json"');
    const once = addSessionData(master, tag);
    assert.equal(once, '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n' + tag + '\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n');
    assert.equal(addSessionData(once, tag), once, 'written again, the tag is not repeated');
  });

  test('a chapter shows the first sprite tile taken at or after its start', () => {
    const cues = parseThumbnailCues('WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nsprite-000.jpg#xywh=0,0,160,90\n\n00:00:02.000 --> 00:00:04.000\nsprite-000.jpg#xywh=160,0,160,90\n');
    assert.equal(chapterThumbnail(cues, 1.5, 'thumbnails'), 'thumbnails/sprite-000.jpg#xywh=160,0,160,90');
    assert.equal(chapterThumbnail(cues, 0, 'thumbnails'), 'thumbnails/sprite-000.jpg#xywh=0,0,160,90');
  });

  test('a chapter edit: starts in order and inside the asset, titles trimmed, thumbnails re-picked', () => {
    const cues = parseThumbnailCues('WEBVTT\n\n00:00:00.000 --> 00:00:10.000\nsprite-000.jpg#xywh=0,0,160,90\n\n00:00:10.000 --> 00:00:20.000\nsprite-000.jpg#xywh=160,0,160,90\n');
    const edit = chapterEditSchema.parse({ chapters: [{ start: 0, title: ' Intro ' }, { start: 9.5, title: 'Q3' }] });
    assert.deepEqual(applyChapterEdit(edit, 20, cues), [
      { start: 0, title: 'Intro', thumbnail: 'thumbnails/sprite-000.jpg#xywh=0,0,160,90' },
      { start: 9.5, title: 'Q3', thumbnail: 'thumbnails/sprite-000.jpg#xywh=160,0,160,90' },
    ]);
    assert.throws(() => applyChapterEdit({ chapters: [{ start: 5, title: 'a' }, { start: 5, title: 'b' }] }, 20, cues), ChapterEditError);
    assert.throws(() => applyChapterEdit({ chapters: [{ start: 25, title: 'a' }] }, 20, cues), /at or after the asset's end/);
    assert.equal(chapterEditSchema.safeParse({ chapters: [{ start: 0, title: '' }] }).success, false);
    assert.equal(chapterEditSchema.safeParse({ chapters: [{ start: 0, title: 'x', extra: 1 }] }).success, false);
  });
});
