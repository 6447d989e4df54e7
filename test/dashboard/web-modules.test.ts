// The dashboard's pure browser modules, run in Node: formatting, URL filters, the WebVTT sprite
// track, the SSE parser, timeline and step timings, the job's timing facts, the player's error recovery. Plus: the
// dashboard's vocabulary is the API's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jobStates, priorities, sourceKinds } from '../../src/jobs/job.ts';
import type { ApiJob } from '../../src/http/api-schemas.ts';
import { parseEventStream } from '../../src/web/event-stream.js';
import { rangeClip, spanOf, trimClip, trimCutsSomething, trimShading } from '../../src/web/event-range.js';
import { age, bitrate, bytes, clock, duration, parseClock, preciseClock, progressLabel, renditionLabel, sourceName } from '../../src/web/format.js';
import { buildChunks, buildStepTimings, buildTimeline } from '../../src/web/job-history.js';
import { filtersSearch, fromSourceSelection, hasFilters, readFilters, sourceSelection, uploadsChoice } from '../../src/web/list-filters.js';
import { jobTimings, recordingFacts, withPlayable } from '../../src/web/job-timing.js';
import { freshRecoveryState, maxNetworkRetries, planRecovery, type PlayerError, type RecoveryState } from '../../src/web/playback-recovery.js';
import { costLabel, qualityLabels, samplingLabel } from '../../src/web/quality-table.js';
import { cueAt, parseThumbnailTrack, spriteFrame, vttTime } from '../../src/web/thumbnails.js';
import * as vocabulary from '../../src/web/vocabulary.js';

describe('dashboard vocabulary', () => {
  it('offers exactly the states, priorities and source kinds the API knows', () => {
    assert.deepEqual(vocabulary.jobStates, jobStates);
    assert.deepEqual(vocabulary.priorities, priorities);
    assert.deepEqual(vocabulary.sourceKinds, sourceKinds);
    assert.deepEqual(Object.keys(vocabulary.stateLabels), [...jobStates]);
  });
});

describe('format', () => {
  it('clock, duration, age', () => {
    assert.equal(clock(0), '0:00');
    assert.equal(clock(75.4), '1:15');
    assert.equal(clock(3725), '1:02:05');
    assert.equal(duration(850), '850 ms');
    assert.equal(duration(12_345), '12.3 s');
    assert.equal(duration(245_000), '4 min 05 s');
    const now = Date.parse('2026-01-01T12:00:00Z');
    assert.equal(age('2026-01-01T11:59:58Z', now), 'just now');
    assert.equal(age('2026-01-01T11:59:18Z', now), '42 s');
    assert.equal(age('2026-01-01T11:55:00Z', now), '5 min');
    assert.equal(age('2026-01-01T09:00:00Z', now), '3 h');
    assert.equal(age('2025-12-30T12:00:00Z', now), '2 d');
    assert.equal(age('garbage', now), '—');
  });

  it('sizes, rates and the progress label leave out what is unknown', () => {
    assert.equal(bytes(512), '512 B');
    assert.equal(bytes(3_152_892), '3.2 MB');
    assert.equal(bitrate(365_000), '365 kb/s');
    assert.equal(bitrate(2_900_000), '2.9 Mb/s');
    assert.equal(progressLabel(0.426), '42 %');
    assert.equal(progressLabel(0.5, { speed: 3.14, etaSeconds: 12 }), '50 % · 3.1× · ETA 0:12');
    assert.equal(progressLabel(0.5, { speed: 0 }), '50 %');
  });

  it('names a job by its upload, path or URL', () => {
    assert.equal(sourceName({ source: '/data/uploads/x/keynote.mp4', metadata: { upload: 'keynote.mp4' } }), 'keynote.mp4');
    assert.equal(sourceName({ source: '/rec/live/stream-1.flv', metadata: {} }), 'stream-1.flv');
    // A clip's source is its parent's recording: its title names it, when it has one.
    assert.equal(sourceName({ source: '/rec/live/stream-1.flv', metadata: { title: 'Highlights', clipOf: 'p' }, kind: 'clip' }), 'Highlights');
    assert.equal(sourceName({ source: '/rec/live/stream-1.flv', metadata: { clipOf: 'p' }, kind: 'clip' }), 'stream-1.flv');
    assert.equal(sourceName({ source: '/rec/live/stream-1.flv', metadata: { title: 'A talk' }, kind: 'transcode' }), 'stream-1.flv');
    assert.equal(sourceName({ source: 's3://bucket/a/b%20c.mp4', metadata: {} }), 'b c.mp4');
    assert.equal(sourceName({ source: 'https://cdn.example/v/talk.mp4?sig=1', metadata: {} }), 'talk.mp4');
  });

  it('names renditions by their short side, so portrait renditions read like landscape ones', () => {
    assert.equal(renditionLabel({ width: 1280, height: 720, bitrate: 2_900_000 }), '720p · 2.9 Mb/s');
    assert.equal(renditionLabel({ width: 720, height: 1280, bitrate: 2_900_000 }), '720p · 2.9 Mb/s');
    assert.equal(renditionLabel({ bitrate: 128_000 }), 'audio · 128 kb/s');
  });
});

describe('list filters in the URL', () => {
  it('round-trip, keeping only values the API knows', () => {
    const filters = readFilters('?state=queued,running&priority=urgent&source=api&upload=true&cursor=42&limit=5');
    assert.deepEqual(filters, { state: 'queued,running', priority: 'urgent', source: 'api', upload: 'true', cursor: 42, limit: 5 });
    assert.equal(filtersSearch(filters), '?state=queued%2Crunning&priority=urgent&source=api&upload=true&cursor=42&limit=5');
    assert.deepEqual(readFilters(filtersSearch(filters)), filters);
    assert.deepEqual(readFilters('?state=queued,bogus&priority=asap&cursor=-1&limit=1000&x=1'), { state: 'queued', priority: '', source: '', upload: '', cursor: undefined, limit: undefined });
    assert.deepEqual(readFilters('?cursor=1e3&limit=0'), { state: '', priority: '', source: '', upload: '', cursor: 1000, limit: undefined });
    assert.equal(filtersSearch({ state: '', priority: '', source: '', upload: '', cursor: undefined, limit: undefined }), '');
    assert.equal(readFilters('?upload=yes').upload, '', 'only upload=true means uploads');
  });

  it('offers uploads in the Source select, as upload=true rather than a source kind', () => {
    assert.deepEqual(fromSourceSelection(uploadsChoice), { source: '', upload: 'true' });
    assert.deepEqual(fromSourceSelection('srs'), { source: 'srs', upload: '' });
    assert.equal(sourceSelection(readFilters('?upload=true')), uploadsChoice);
    assert.equal(sourceSelection(readFilters('?source=watch')), 'watch');
    assert.equal(hasFilters(readFilters('?upload=true')), true);
  });
});

describe('job timing and recording facts', () => {
  const base: ApiJob = {
    id: 'j1', kind: 'transcode', parentJobId: null, clip: null, state: 'succeeded', priority: 'normal', progress: 1, attempts: 1, maxAttempts: 3,
    source: '/rec/talk.mp4', sourceKind: 'watch', metadata: {}, createdAt: '2026-01-01T12:00:00.000Z', updatedAt: '2026-01-01T12:01:00.000Z',
    startedAt: '2026-01-01T12:00:02.000Z', finishedAt: '2026-01-01T12:01:00.000Z', playableUrl: null, playableAt: '2026-01-01T12:00:03.500Z',
    facts: { durationSeconds: 100, bytes: 5_000_000 }, outputPrefix: 'assets/j1', asset: null, suggestedTrim: null, trim: null, chapterCount: null, error: null,
  };
  const manifest = {
    duration: 119.9, renditions: [], thumbnails: null, download: null, timingsMs: { encode: 30_000 },
    source: { duration: 120, sizeBytes: 7_000_000, formatName: 'mov,mp4', video: { displayWidth: 1920, displayHeight: 1080, frameRate: { num: 30000, den: 1001 }, codec: 'h264' } },
  };

  it('prefers the probed source to what the intake said, and says nothing it does not know', () => {
    assert.deepEqual(recordingFacts(base, undefined), { durationSeconds: 100, bytes: 5_000_000, size: undefined, frameRate: undefined });
    const probed = recordingFacts(base, manifest);
    assert.equal(probed.durationSeconds, 120);
    assert.equal(probed.bytes, 7_000_000);
    assert.deepEqual(probed.size, { width: 1920, height: 1080 });
    assert.ok(Math.abs((probed.frameRate ?? 0) - 29.97) < 0.01);
    assert.deepEqual(recordingFacts({ ...base, facts: {} }, undefined), { durationSeconds: undefined, bytes: undefined, size: undefined, frameRate: undefined });
  });

  it('while the job runs, the last probe report in its log says what the intake did not; the manifest still wins', () => {
    const log = [
      { id: 1, at: '2026-01-01T12:00:02.000Z', type: 'job.step', data: { step: 'probe', state: 'start' } },
      { id: 2, at: '2026-01-01T12:00:03.000Z', type: 'job.probed', data: { durationSeconds: 118, bytes: 6_000_000, width: 1280, height: 720, frameRate: 25 } },
    ];
    assert.deepEqual(recordingFacts(base, undefined, log), { durationSeconds: 118, bytes: 6_000_000, size: { width: 1280, height: 720 }, frameRate: 25 });
    const done = recordingFacts(base, manifest, log);
    assert.equal(done.durationSeconds, 120);
    assert.deepEqual(done.size, { width: 1920, height: 1080 });
    // An audio-only recording has no picture; a value that is not a positive number is not shown.
    assert.deepEqual(recordingFacts(base, undefined, [{ id: 3, at: '2026-01-01T12:00:03.000Z', type: 'job.probed', data: { durationSeconds: 60, width: 'wide', frameRate: -1 } }]), { durationSeconds: 60, bytes: 5_000_000, size: undefined, frameRate: undefined });
  });

  it('total time, time queued, time to playable and encode speed', () => {
    const t = jobTimings(base, manifest);
    assert.deepEqual(t, { totalMs: 60_000, finished: true, queuedMs: 2000, toPlayableMs: 3500, encodeSpeed: 4 });
    const running = jobTimings({ ...base, state: 'running', finishedAt: null, playableAt: null }, undefined, Date.parse('2026-01-01T12:00:10Z'));
    assert.deepEqual(running, { totalMs: 10_000, finished: false, queuedMs: 2000, toPlayableMs: undefined, encodeSpeed: undefined });
    assert.equal(jobTimings({ ...base, state: 'queued', startedAt: null, finishedAt: null }, undefined).totalMs, undefined, 'not started: no total');
    // A clip (no instant remux) is playable when its asset is ready; a failed job never is.
    assert.equal(jobTimings({ ...base, playableAt: null }, manifest).toPlayableMs, 60_000);
    assert.equal(jobTimings({ ...base, state: 'failed', playableAt: null }, manifest).toPlayableMs, undefined);
  });

  it('puts Playable on the timeline in its place', () => {
    const items = withPlayable([
      { at: '2026-01-01T12:00:00.000Z', what: 'Queued', tone: 'info' },
      { at: '2026-01-01T12:01:00.000Z', what: 'Asset ready', tone: 'ok' },
    ], base);
    assert.deepEqual(items.map((i) => i.what), ['Queued', 'Playable', 'Asset ready']);
    assert.match(items[1]?.detail ?? '', /3\.5 s after it was queued/);
    assert.deepEqual(withPlayable([], { ...base, playableAt: null }), []);
  });
});

describe('thumbnail track', () => {
  const vtt = [
    'WEBVTT', '',
    '00:00:00.000 --> 00:00:02.000', 'sprite-000.jpg#xywh=0,0,160,90', '',
    '00:00:02.000 --> 00:00:04.000', 'sprite-000.jpg#xywh=160,0,160,90', '',
    'note', '00:04.000 --> 00:06.000 align:start', 'sprite-001.jpg#xywh=0,90,160,90', '',
    '00:00:06.000 --> 00:00:08.000', 'not a sprite rectangle', '',
  ].join('\r\n');
  const cues = parseThumbnailTrack(vtt, 'http://h/media/assets/j/thumbnails/thumbnails.vtt');

  it('parses cues with their sprite URL (relative to the track) and rectangle, skipping what is not a sprite cue', () => {
    assert.equal(cues.length, 3);
    assert.deepEqual(cues[1], { start: 2, end: 4, url: 'http://h/media/assets/j/thumbnails/sprite-000.jpg', x: 160, y: 0, w: 160, h: 90 });
    assert.equal(cues[2]?.url, 'http://h/media/assets/j/thumbnails/sprite-001.jpg');
    assert.equal(cues[2]?.start, 4, 'mm:ss.ttt timestamps and cue settings are understood');
    assert.equal(vttTime('01:02:03.500'), 3723.5);
    assert.ok(Number.isNaN(vttTime('1:2:3')));
  });

  it('finds the cue showing at a time, clamped to the track', () => {
    assert.equal(cueAt(cues, 0)?.x, 0);
    assert.equal(cueAt(cues, 1.999)?.x, 0);
    assert.equal(cueAt(cues, 2)?.x, 160);
    assert.equal(cueAt(cues, 5)?.y, 90);
    assert.equal(cueAt(cues, 99)?.y, 90);
    assert.equal(cueAt(cues, -1)?.x, 0);
    assert.equal(cueAt([], 1), undefined);
  });
});

describe('server-sent events parser', () => {
  it('splits complete events, keeps the incomplete rest, and reads ids, retry and multi-line data', () => {
    const { events, rest } = parseEventStream('retry: 2000\n\n: keep-alive\n\nid: 7\nevent: job.queued\ndata: {"a":1}\n\nevent: x\ndata: one\ndata: two\r\n\r\nevent: job.pro');
    assert.deepEqual(events, [
      { type: 'message', data: '', id: undefined, retry: 2000 },
      { type: 'job.queued', data: '{"a":1}', id: '7', retry: undefined },
      { type: 'x', data: 'one\ntwo', id: undefined, retry: undefined },
    ]);
    assert.equal(rest, 'event: job.pro');
  });
});

describe('job history', () => {
  const attempts = [
    { number: 1, startedAt: '2026-01-01T10:00:00.000Z', finishedAt: '2026-01-01T10:00:05.000Z', outcome: 'failed', reason: 'disk hiccup', counts: true },
    { number: 2, startedAt: '2026-01-01T10:01:00.000Z', finishedAt: null, outcome: null, reason: null, counts: true },
  ];
  const event = (id: number, at: string, type: string, data: Record<string, unknown>) => ({ id, at: `2026-01-01T${at}Z`, type, data });
  const events = [
    event(1, '09:59:59.000', 'job.queued', { priority: 'normal', sourceKind: 'api' }),
    event(2, '10:00:00.100', 'job.step', { step: 'probe', state: 'start' }),
    event(3, '10:00:00.500', 'job.step', { step: 'probe', state: 'end', ms: 390 }),
    event(4, '10:00:05.000', 'job.requeued', { outcome: 'failed', reason: 'disk hiccup (attempt 1 of 3; retrying)' }),
    event(5, '10:01:00.200', 'job.step', { step: 'probe', state: 'start' }),
    event(6, '10:01:00.600', 'job.step', { step: 'probe', state: 'end', ms: 400 }),
    event(7, '10:01:00.700', 'job.step', { step: 'encode', state: 'start' }),
    event(8, '10:01:02.000', 'job.step', { step: 'audio', state: 'end', ms: 1000 }),
    event(9, '10:01:03.000', 'job.failed', { error: { message: 'the source is corrupt' } }),
  ];

  it('the timeline has attempts and state changes in time order, without step reports', () => {
    const timeline = buildTimeline(events, attempts);
    assert.deepEqual(timeline.map((t) => t.what), ['Queued', 'Attempt 1 started', 'Attempt failed; queued for a retry', 'Attempt 2 started', 'Failed']);
    assert.equal(timeline[0]?.detail, 'priority normal, from api');
    assert.equal(timeline[4]?.detail, 'the source is corrupt');
    assert.equal(timeline[4]?.tone, 'bad');
  });

  it('step timings belong to the attempt that ran them, placed on its time axis; a running step has no duration', () => {
    const timings = buildStepTimings(events, attempts);
    assert.deepEqual(timings.map((t) => [t.attempt, t.step, t.offsetMs, t.ms]), [
      [1, 'probe', 100, 390],
      [2, 'probe', 200, 400],
      [2, 'encode', 700, undefined],
      [2, 'audio', 1000, 1000],
    ]);
  });

  it('chunks: each in its last state of the latest attempt, the unreported waiting; none for a whole encode', () => {
    const chunk = (id: number, at: string, index: number, state: string) => event(id, at, 'job.chunk', { index, count: 4, state, startSeconds: index * 60, endSeconds: index * 60 + 60 });
    const chunked = [
      ...events.slice(0, 4),
      chunk(10, '10:00:01.000', 0, 'running'),
      chunk(11, '10:00:04.000', 0, 'done'),
      // Attempt 2: chunk 0 kept from attempt 1, chunk 1 retried once, chunk 2 running, chunk 3 not yet.
      chunk(12, '10:01:00.300', 0, 'done'),
      chunk(13, '10:01:00.400', 1, 'running'),
      chunk(14, '10:01:01.000', 1, 'retrying'),
      chunk(15, '10:01:01.100', 1, 'running'),
      chunk(16, '10:01:01.200', 2, 'running'),
      chunk(17, '10:01:02.500', 1, 'done'),
    ];
    assert.deepEqual(buildChunks(chunked, attempts).map((c) => [c.index, c.state, c.startSeconds]), [[0, 'done', 0], [1, 'done', 60], [2, 'running', 120], [3, 'waiting', undefined]]);
    assert.deepEqual(buildChunks(events, attempts), []);
    assert.ok(!buildTimeline(chunked, attempts).some((t) => t.what === 'job.chunk'), 'chunk reports are not timeline entries');
  });
});

describe('player error recovery', () => {
  const network = (status?: number, fatal = true): PlayerError => ({ fatal, type: 'network', details: 'fragLoadError', status, message: undefined });
  const canRefresh = { canRefresh: true };

  it('retries a network failure a bounded number of times with growing delays, then says so', () => {
    let state: RecoveryState = freshRecoveryState();
    const delays: number[] = [];
    for (let i = 0; i < maxNetworkRetries; i++) {
      const planned = planRecovery(network(), state, canRefresh);
      assert.equal(planned.recovery.kind, 'retry');
      if (planned.recovery.kind === 'retry') delays.push(planned.recovery.delayMs);
      state = planned.state;
    }
    assert.deepEqual(delays, [1000, 2000, 4000]);
    const last = planRecovery(network(503), state, canRefresh).recovery;
    assert.equal(last.kind, 'stop');
    assert.match(last.kind === 'stop' ? last.message : '', /after 3 retries \(fragLoadError, HTTP 503\)/);
  });

  it('leaves errors hls.js is still handling to hls.js', () => {
    assert.deepEqual(planRecovery(network(503, false), freshRecoveryState(), canRefresh).recovery, { kind: 'none' });
    const media: PlayerError = { fatal: false, type: 'media', details: 'bufferStalledError', status: undefined, message: undefined };
    assert.deepEqual(planRecovery(media, freshRecoveryState(), canRefresh).recovery, { kind: 'none' });
  });

  it('renews expired links once on a 403 (before hls.js gives up), and stops with a readable message when fresh links are refused too', () => {
    const first = planRecovery(network(403, false), freshRecoveryState(), canRefresh);
    assert.equal(first.recovery.kind, 'refresh', 'at the first refusal, not after hls.js\'s retries');
    assert.equal(planRecovery(network(403, false), first.state, canRefresh).recovery.kind, 'none', 'then hls.js may still retry');
    const second = planRecovery(network(403), first.state, canRefresh).recovery;
    assert.equal(second.kind, 'stop');
    assert.match(second.kind === 'stop' ? second.message : '', /even after fresh ones/);
    // Progress in between (a fresh state) allows the next expiry to be renewed as well.
    assert.equal(planRecovery(network(403), freshRecoveryState(), canRefresh).recovery.kind, 'refresh');
    const noRefresh = planRecovery(network(403), freshRecoveryState(), { canRefresh: false }).recovery;
    assert.equal(noRefresh.kind, 'stop', 'without a way to renew links a 403 is final');
  });

  it('does not retry other client errors, and recovers a media error once', () => {
    const gone = planRecovery(network(404), freshRecoveryState(), canRefresh).recovery;
    assert.equal(gone.kind, 'stop');
    assert.match(gone.kind === 'stop' ? gone.message : '', /no longer there/);
    assert.equal(planRecovery(network(400), freshRecoveryState(), canRefresh).recovery.kind, 'stop');
    const media: PlayerError = { fatal: true, type: 'media', details: 'bufferAppendError', status: undefined, message: 'decode' };
    const once = planRecovery(media, freshRecoveryState(), canRefresh);
    assert.equal(once.recovery.kind, 'recover-media');
    const twice = planRecovery(media, once.state, canRefresh).recovery;
    assert.deepEqual(twice, { kind: 'stop', message: 'The player stopped: bufferAppendError (decode).' });
  });
});

describe('quality and cost labels', () => {
  it('formats what manifest.json measured, and says when nothing was', () => {
    assert.deepEqual(qualityLabels({ ssim: 0.987654, psnr: 41.234, vmaf: null, frames: 45 }), { ssim: '0.9877', psnr: '41.2 dB', vmaf: '—' });
    assert.deepEqual(qualityLabels(null), { ssim: '—', psnr: '—', vmaf: '—' });
    assert.equal(costLabel({ cpuSeconds: 312.44, cpuSecondsPerSourceSecond: 5.2073, processes: 9, byStage: { encode: 300 } }), '312.4 CPU-s · 5.21 per source second (ffmpeg/ffprobe, 9 processes)');
    assert.equal(costLabel({ cpuSeconds: null, cpuSecondsPerSourceSecond: null, reason: 'no /proc' }), 'Not measured: no /proc');
    assert.match(costLabel(undefined), /^Not measured/);
    assert.equal(samplingLabel({ windows: [{ startSeconds: 6, seconds: 2 }, { startSeconds: 30, seconds: 2 }], frameStep: 4, vmaf: false }), 'Quality against the source scaled to each size: 2 windows, 4.0 s, 1 frame in 4.');
    assert.match(samplingLabel(null), /not measured/);
  });
});

describe('event timeline and chapter times', () => {
  it('preciseClock keeps milliseconds where there are some; parseClock reads it back, and seconds', () => {
    assert.equal(preciseClock(80), '1:20');
    assert.equal(preciseClock(50.5), '0:50.5');
    assert.equal(preciseClock(3725.25), '1:02:05.25');
    for (const t of [0, 8, 50.5, 80, 3725.25, 12.345]) assert.equal(parseClock(preciseClock(t)), t);
    assert.equal(parseClock('75'), 75);
    assert.equal(parseClock(' 75.5 '), 75.5);
    assert.equal(parseClock('1:02:05'), 3725);
    for (const bad of ['', 'abc', '1:75', '-3', '1:2:3:4', '1.2.3']) assert.ok(Number.isNaN(parseClock(bad)), bad);
  });

  it('shades the pre-show and post-show of a trim in percent of the asset; nothing where an end is not moved', () => {
    assert.deepEqual(spanOf(8, 104, 110), { left: (8 / 110) * 100, width: (96 / 110) * 100 });
    assert.deepEqual(spanOf(-5, 500, 100), { left: 0, width: 100 }, 'clamped to the asset');
    assert.deepEqual(trimShading({ start: 8, end: 104 }, 110), { preShow: { left: 0, width: (8 / 110) * 100 }, postShow: { left: (104 / 110) * 100, width: (6 / 110) * 100 } });
    assert.deepEqual(trimShading({ start: 0, end: 110 }, 110), {});
    assert.deepEqual(Object.keys(trimShading({ start: 0, end: 100 }, 110)), ['postShow']);
    assert.equal(trimCutsSomething({ start: 0, end: 109.99 }, 110), false, 'a rounding of the end is not a post-show');
    assert.equal(trimCutsSomething(null, 110), false);
    assert.equal(trimCutsSomething({ start: 8, end: 110 }, 110), true);
  });

  it('makes the clip bodies: the trim, titled "(trimmed)"; a range only with an in point before the out point', () => {
    assert.deepEqual(trimClip({ start: 8, end: 104 }, 'talk.mp4'), { start: 8, end: 104, title: 'talk.mp4 (trimmed)' });
    assert.deepEqual(rangeClip(10.0004, 40.5, 'talk.mp4'), { clip: { start: 10, end: 40.5, title: 'talk.mp4 (0:10–0:40.5)' } });
    assert.match(JSON.stringify(rangeClip(undefined, 40, 't')), /Set an in point and an out point/);
    assert.match(JSON.stringify(rangeClip(40, 10, 't')), /must be after the in point/);
  });

  it('reads a sprite frame as chapters and thumbnail cues name it', () => {
    assert.deepEqual(spriteFrame('thumbnails/sprite-000.jpg#xywh=640,0,160,90', 'https://cdn.example/assets/j1/master.m3u8?sig=1'), {
      url: 'https://cdn.example/assets/j1/thumbnails/sprite-000.jpg', x: 640, y: 0, w: 160, h: 90,
    });
    assert.equal(spriteFrame('thumbnails/sprite-000.jpg', 'https://cdn.example/a/'), undefined);
  });
});
