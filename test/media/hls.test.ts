// HLS playlist writers against hand-built packaged tracks: 3 video rungs + AAC, 13 s as 6/6/1 s segments.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributeList, formatDuration, writeIframePlaylist, writeMediaPlaylist, writeMultivariantPlaylist } from '../../src/media/hls.ts';
import { audio, makeTrack, video } from '../helpers/packaged-tracks.ts';

// --- parsing helpers -------------------------------------------------------------------------------------

/** Attribute list as written (quotes kept), split on commas outside quotes. */
function attributes(line: string): Map<string, string> {
  const list = line.slice(line.indexOf(':') + 1);
  const map = new Map<string, string>();
  for (const match of list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)(?:,|$)/g)) {
    assert.ok(!map.has(match[1] ?? ''), `duplicate attribute ${match[1]}`);
    map.set(match[1] ?? '', match[2] ?? '');
  }
  assert.equal([...map].map(([k, v]) => `${k}=${v}`).join(','), list, 'attribute list round-trips');
  return map;
}

function lines(text: string): string[] {
  assert.ok(text.endsWith('\n'));
  return text.slice(0, -1).split('\n');
}

/** Each STREAM-INF with the URI on the line after it. */
function streamInfs(master: string): { attrs: Map<string, string>; uri: string }[] {
  const all = lines(master);
  return all.flatMap((line, i) => {
    if (!line.startsWith('#EXT-X-STREAM-INF:')) return [];
    const uri = all[i + 1] ?? '';
    assert.ok(uri !== '' && !uri.startsWith('#'), 'a URI line follows every STREAM-INF');
    return [{ attrs: attributes(line), uri }];
  });
}

const master = writeMultivariantPlaylist({ video, audio });

// --- media playlists -------------------------------------------------------------------------------------

test('media playlist lists every segment of a VOD track and ends with ENDLIST', () => {
  assert.deepEqual(lines(writeMediaPlaylist(video[0]!)), [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-TARGETDURATION:6',
    '#EXT-X-MEDIA-SEQUENCE:1',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    '#EXT-X-MAP:URI="init.mp4"',
    '#EXTINF:6.000,', 'seg-00001.m4s',
    '#EXTINF:6.000,', 'seg-00002.m4s',
    '#EXTINF:1.000,', 'seg-00003.m4s',
    '#EXT-X-ENDLIST',
  ]);
});

test('media playlist keeps sub-millisecond precision of AAC-aligned durations', () => {
  const text = writeMediaPlaylist(audio);
  assert.match(text, /#EXTINF:6\.016,\nseg-00001\.m4s\n/);
  assert.match(text, /#EXTINF:0\.968,\nseg-00003\.m4s\n/);
  assert.equal(formatDuration(2.0021333333), '2.002133');
  assert.equal(formatDuration(6), '6.000');
});

test('target duration is the longest EXTINF rounded to the nearest integer (RFC 8216 4.3.3.1): AAC segments of 6.016 s say 6, as the video does', () => {
  const cases: [number[], number][] = [[[6, 6, 1], 6], [[6.016, 6.016, 0.968], 6], [[6.006, 5.5, 2], 6], [[6.5, 6.4], 7], [[6.49, 5], 6], [[5.999999999, 6.0000000001], 6], [[0.4], 1]];
  for (const [durations, expected] of cases) {
    const text = writeMediaPlaylist(makeTrack({ id: 'v', kind: 'video', durations, peak: 1, average: 1, codec: 'avc1.64001f', width: 2, height: 2 }));
    const target = Number(/#EXT-X-TARGETDURATION:(\d+)\n/.exec(text)?.[1]);
    assert.equal(target, expected, `durations ${durations}`);
    for (const m of text.matchAll(/#EXTINF:([\d.]+),/g)) assert.ok(Math.round(Number(m[1])) <= target);
  }
});

test('media sequence follows the number of the first segment', () => {
  const track = makeTrack({ id: 'v', kind: 'video', durations: [6, 6], peak: 1, average: 1, codec: 'avc1.64001f', width: 2, height: 2, firstNumber: 5 });
  assert.match(writeMediaPlaylist(track), /#EXT-X-MEDIA-SEQUENCE:5\n[^]*seg-00005\.m4s\n/);
});

test('a track without segments is refused', () => {
  assert.throws(() => writeMediaPlaylist({ ...audio, segments: [] }), /no segments/);
});

test('I-frame playlist addresses each keyframe by byte range inside its segment', () => {
  const track = video[0]!;
  const all = lines(writeIframePlaylist(track));
  assert.deepEqual(all.slice(0, 7), [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-TARGETDURATION:2',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-I-FRAMES-ONLY',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    '#EXT-X-MAP:URI="init.mp4"',
  ]);
  assert.equal(all.at(-1), '#EXT-X-ENDLIST');
  const expected = track.segments.flatMap((s) => s.keyframes.map((k) => [`#EXTINF:${formatDuration(k.duration)},`, `#EXT-X-BYTERANGE:${k.length}@${k.offset}`, s.file]));
  assert.equal(expected.length, 7, '3 + 3 + 1 keyframes');
  assert.deepEqual(all.slice(7, -1), expected.flat());
  // Spot-check one entry: the second IDR of the first segment starts after one 2 s fragment.
  assert.deepEqual(all.slice(10, 13), ['#EXTINF:2.000,', '#EXT-X-BYTERANGE:375000@1500000', 'seg-00001.m4s']);
});

test('an I-frame playlist without keyframes is refused', () => {
  assert.throws(() => writeIframePlaylist(audio), /no keyframes/);
});

// --- multivariant playlist ---------------------------------------------------------------------------------

test('master header and audio rendition group', () => {
  const all = lines(master);
  assert.deepEqual(all.slice(0, 3), ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS']);
  const media = all.filter((l) => l.startsWith('#EXT-X-MEDIA:'));
  assert.deepEqual(media, ['#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/en-128k/playlist.m3u8"']);
});

test('every video variant carries the required attributes with the right quoting', () => {
  const variants = streamInfs(master).filter((v) => v.uri.startsWith('video/'));
  assert.equal(variants.length, 3);
  for (const { attrs, uri } of variants) {
    const track = video.find((t) => uri === `${t.dir}/playlist.m3u8`);
    assert.ok(track, uri);
    assert.deepEqual([...attrs.keys()], ['BANDWIDTH', 'AVERAGE-BANDWIDTH', 'CODECS', 'RESOLUTION', 'FRAME-RATE', 'AUDIO', 'CLOSED-CAPTIONS', 'VIDEO-RANGE']);
    assert.equal(attrs.get('BANDWIDTH'), String(track.peakBitrate + audio.peakBitrate), 'peak video + peak audio');
    assert.equal(attrs.get('AVERAGE-BANDWIDTH'), String(track.averageBitrate + audio.averageBitrate));
    assert.equal(attrs.get('CODECS'), `"${track.track.codecString},mp4a.40.2"`);
    assert.equal(attrs.get('RESOLUTION'), `${track.track.width}x${track.track.height}`);
    assert.match(attrs.get('FRAME-RATE') ?? '', /^\d+\.\d{3}$/);
    assert.equal(attrs.get('AUDIO'), '"audio"');
    assert.equal(attrs.get('CLOSED-CAPTIONS'), 'NONE');
    assert.equal(attrs.get('VIDEO-RANGE'), 'SDR');
  }
  assert.ok(master.includes('#EXT-X-STREAM-INF:BANDWIDTH=1581000,AVERAGE-BANDWIDTH=1329000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=768x432,FRAME-RATE=29.970,AUDIO="audio",CLOSED-CAPTIONS=NONE,VIDEO-RANGE=SDR\nvideo/432p-1200k/playlist.m3u8\n'));
});

test('the variant closest to 2 Mb/s comes first, the rest by bandwidth descending', () => {
  const order = streamInfs(master).map((v) => v.uri);
  assert.deepEqual(order, [
    'video/432p-1200k/playlist.m3u8', // 1.33 Mb/s average is nearest 2 Mb/s
    'video/1080p-6000k/playlist.m3u8',
    'video/720p-3000k/playlist.m3u8',
    'audio/en-128k/playlist.m3u8',
  ]);
  const richer = [...video.slice(0, 2), makeTrack({ id: '540p-2000k', kind: 'video', durations: [6], peak: 2_300_000, average: 2_000_000, codec: 'avc1.64001f', width: 960, height: 540 })];
  assert.deepEqual(streamInfs(writeMultivariantPlaylist({ video: richer })).map((v) => v.uri), [
    'video/540p-2000k/playlist.m3u8',
    'video/1080p-6000k/playlist.m3u8',
    'video/432p-1200k/playlist.m3u8',
  ]);
});

test('one I-frame stream per video track, video codec only', () => {
  const iframes = lines(master).filter((l) => l.startsWith('#EXT-X-I-FRAME-STREAM-INF:')).map(attributes);
  assert.equal(iframes.length, 3);
  for (const attrs of iframes) {
    const track = video.find((t) => attrs.get('URI') === `"${t.dir}/iframes.m3u8"`);
    assert.ok(track, attrs.get('URI'));
    assert.deepEqual([...attrs.keys()], ['BANDWIDTH', 'AVERAGE-BANDWIDTH', 'CODECS', 'RESOLUTION', 'VIDEO-RANGE', 'URI']);
    assert.equal(attrs.get('BANDWIDTH'), String(track.iframePeakBitrate));
    assert.equal(attrs.get('AVERAGE-BANDWIDTH'), String(track.iframeAverageBitrate));
    assert.equal(attrs.get('CODECS'), `"${track.track.codecString}"`);
    assert.equal(attrs.get('RESOLUTION'), `${track.track.width}x${track.track.height}`);
  }
});

test('audio-only variant lists the audio playlist at the audio peak', () => {
  const last = streamInfs(master).at(-1);
  assert.equal(last?.uri, 'audio/en-128k/playlist.m3u8');
  assert.equal([...(last?.attrs ?? [])].map(([k, v]) => `${k}=${v}`).join(','), 'BANDWIDTH=131000,AVERAGE-BANDWIDTH=129000,CODECS="mp4a.40.2",AUDIO="audio"');
});

test('an audio track above 192 kb/s peak is refused', () => {
  assert.throws(() => writeMultivariantPlaylist({ video, audio: { ...audio, peakBitrate: 192_001 } }), /192000/);
  assert.doesNotThrow(() => writeMultivariantPlaylist({ video, audio: { ...audio, peakBitrate: 192_000 } }));
});

test('audio-only asset: the master holds just the audio variant', () => {
  const text = writeMultivariantPlaylist({ video: [], audio });
  const variants = streamInfs(text);
  assert.equal(variants.length, 1);
  assert.equal(variants[0]?.uri, 'audio/en-128k/playlist.m3u8');
  assert.ok(!text.includes('I-FRAME'));
  assert.ok(text.includes('#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio"'), 'the AUDIO group it names exists');
});

test('video-only asset: no audio group and video-only codecs', () => {
  const text = writeMultivariantPlaylist({ video });
  assert.ok(!text.includes('#EXT-X-MEDIA:'));
  assert.ok(!text.includes('AUDIO='));
  const variants = streamInfs(text);
  assert.equal(variants.length, 3);
  for (const { attrs, uri } of variants) {
    const track = video.find((t) => uri === `${t.dir}/playlist.m3u8`);
    assert.equal(attrs.get('BANDWIDTH'), String(track?.peakBitrate));
    assert.equal(attrs.get('CODECS'), `"${track?.track.codecString}"`);
  }
});

test('fractional bitrates are rounded up to decimal-integers', () => {
  const text = writeMultivariantPlaylist({ video: [{ ...video[0]!, peakBitrate: 6_900_000.4 }], audio: { ...audio, peakBitrate: 131_000.3 } });
  assert.match(text, /#EXT-X-STREAM-INF:BANDWIDTH=7031001,/);
});

test('attributeList decides quoting by attribute type and refuses what the grammar cannot carry', () => {
  assert.equal(
    attributeList([['BANDWIDTH', 5], ['CODECS', 'a,b'], ['RESOLUTION', '2x2'], ['FRAME-RATE', 25], ['CLOSED-CAPTIONS', 'NONE'], ['AUDIO', undefined], ['VIDEO-RANGE', 'SDR']]),
    'BANDWIDTH=5,CODECS="a,b",RESOLUTION=2x2,FRAME-RATE=25.000,CLOSED-CAPTIONS=NONE,VIDEO-RANGE=SDR',
  );
  assert.equal(attributeList([['CLOSED-CAPTIONS', 'cc1']]), 'CLOSED-CAPTIONS="cc1"');
  assert.throws(() => attributeList([['NAME', 'say "hi"']]), /NAME/);
  assert.throws(() => attributeList([['URI', 'a\nb']]), /URI/);
  assert.throws(() => attributeList([['BANDWIDTH', 1.5]]), /decimal-integer/);
  assert.throws(() => attributeList([['BANDWIDTH', -1]]), /decimal-integer/);
  assert.throws(() => attributeList([['VIDEO-RANGE', 'S DR']]), /unquoted/);
});

// --- several audio tracks -----------------------------------------------------------------------------------

const german = (() => {
  const track = makeTrack({ id: 'aac-128k-2', kind: 'audio', durations: [6.016, 6.016, 0.968], peak: 140_000, average: 127_000, codec: 'mp4a.40.2' });
  track.audio = { id: 'aac-128k-2', sourceIndex: 2, bitrateKbps: 128, sampleRate: 48_000, channels: 2, language: 'de', name: 'Deutsch' };
  return track;
})();

test('every audio track is an EXT-X-MEDIA of one group; only the default one is DEFAULT', () => {
  const text = writeMultivariantPlaylist({ video, audio, alternateAudio: [german] });
  const media = lines(text).filter((l) => l.startsWith('#EXT-X-MEDIA:')).map(attributes);
  assert.deepEqual(media.map((m) => [m.get('GROUP-ID'), m.get('NAME'), m.get('LANGUAGE'), m.get('DEFAULT'), m.get('AUTOSELECT'), m.get('URI')]), [
    ['"audio"', '"English"', '"en"', 'YES', 'YES', '"audio/en-128k/playlist.m3u8"'],
    ['"audio"', '"Deutsch"', '"de"', 'NO', 'YES', '"audio/aac-128k-2/playlist.m3u8"'],
  ]);
  for (const { attrs, uri } of streamInfs(text).filter((v) => v.uri.startsWith('video/'))) {
    const track = video.find((t) => uri === `${t.dir}/playlist.m3u8`);
    assert.equal(attrs.get('AUDIO'), '"audio"');
    // The richest rendition of the group counts, whichever the player picks.
    assert.equal(attrs.get('BANDWIDTH'), String((track?.peakBitrate ?? 0) + german.peakBitrate));
    assert.equal(attrs.get('AVERAGE-BANDWIDTH'), String((track?.averageBitrate ?? 0) + audio.averageBitrate));
  }
});
