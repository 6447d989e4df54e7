// The DASH MPD writer against hand-built packaged tracks: 3 video rungs + AAC, 13 s as 6/6/1 s segments.
// The MPD is checked with a minimal XML parser below (no dependencies) and against the HLS master.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeXmlAttribute, writeMpd } from '../../src/media/dash.ts';
import { writeMultivariantPlaylist } from '../../src/media/hls.ts';
import { dashSegmentTemplate, segmentFileName } from '../../src/media/segment-names.ts';
import { audio, makeTrack, video } from '../helpers/packaged-tracks.ts';

// --- a minimal XML parser: enough to prove well-formedness and walk the tree -------------------------

interface XmlElement {
  name: string;
  attributes: Map<string, string>;
  children: XmlElement[];
  /** Character data inside the element (a Label's text), trimmed. */
  text: string;
}

function decode(value: string): string {
  assert.doesNotMatch(value, /&(?!(?:amp|lt|gt|quot|apos|#\d+);)/, `bare & in ${value}`);
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return value.replace(/&(#\d+|\w+);/g, (_, ref: string) => (ref.startsWith('#') ? String.fromCharCode(Number(ref.slice(1))) : (named[ref] ?? '')));
}

/** Throws unless `text` is one well-formed element tree (declaration, elements, attributes, text). */
function parseXml(text: string): XmlElement {
  const declaration = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/.exec(text);
  assert.ok(declaration, 'XML declaration');
  const token = /\s+|<\/([\w:.-]+)\s*>|<([\w:.-]+)((?:\s+[\w:.-]+\s*=\s*"[^"<]*")*)\s*(\/?)>|([^<]+)/y;
  token.lastIndex = declaration[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (token.lastIndex < text.length) {
    const at = token.lastIndex;
    const match = token.exec(text);
    assert.ok(match, `unexpected XML at ${at}: ${text.slice(at, at + 40)}`);
    const [, close, open, attrText = '', selfClosing, characters] = match;
    if (characters !== undefined) {
      const parent = stack.at(-1);
      assert.ok(parent, 'text outside the root');
      parent.text += decode(characters.trim());
    } else if (close !== undefined) {
      assert.equal(stack.pop()?.name, close, `mismatched </${close}>`);
    } else if (open !== undefined) {
      const element: XmlElement = { name: open, attributes: new Map(), children: [], text: '' };
      for (const [, key = '', value = ''] of attrText.matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g)) {
        assert.ok(!element.attributes.has(key), `duplicate attribute ${key} on <${open}>`);
        element.attributes.set(key, decode(value));
      }
      const parent = stack.at(-1);
      if (parent === undefined) {
        assert.equal(root, undefined, 'a single root element');
        root = element;
      } else parent.children.push(element);
      if (selfClosing !== '/') stack.push(element);
    }
  }
  assert.equal(stack.length, 0, 'all elements closed');
  assert.ok(root, 'a root element');
  return root;
}

function all(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [...(child.name === name ? [child] : []), ...all(child, name)]);
}

function only(element: XmlElement, name: string): XmlElement {
  const found = all(element, name);
  assert.equal(found.length, 1, `exactly one <${name}>`);
  return found[0]!;
}

function attr(element: XmlElement, name: string): string | undefined {
  return element.attributes.get(name);
}

const mpdText = writeMpd({ video, audio, duration: 13 });
const mpd = parseXml(mpdText);

function representation(id: string): XmlElement {
  const found = all(mpd, 'Representation').find((r) => attr(r, 'id') === id);
  assert.ok(found, `Representation ${id}`);
  return found;
}

function timeline(xml: XmlElement): Record<string, string>[] {
  return all(xml, 'S').map((s) => Object.fromEntries(s.attributes));
}

// --- tests ------------------------------------------------------------------------------------------------

test('segment names and the DASH template come from one place', () => {
  assert.equal(segmentFileName(1), 'seg-00001.m4s');
  assert.equal(segmentFileName(123_456), 'seg-123456.m4s');
  assert.equal(dashSegmentTemplate, 'seg-$Number%05d$.m4s');
  assert.throws(() => segmentFileName(1.5));
});

test('the MPD is a well-formed static, live-profile presentation', () => {
  assert.equal(mpd.name, 'MPD');
  assert.equal(attr(mpd, 'xmlns'), 'urn:mpeg:dash:schema:mpd:2011');
  assert.equal(attr(mpd, 'profiles'), 'urn:mpeg:dash:profile:isoff-live:2011');
  assert.equal(attr(mpd, 'type'), 'static');
  assert.equal(attr(mpd, 'mediaPresentationDuration'), 'PT13.000S');
  assert.equal(attr(mpd, 'minBufferTime'), 'PT2S');
  assert.equal(mpd.children.length, 1);
  assert.equal(mpd.children[0]?.name, 'Period');
  assert.equal(writeMpd({ video, audio, duration: 3725.0004 }).includes('mediaPresentationDuration="PT3725.000S"'), true);
});

test('video AdaptationSet carries alignment, SAP and maxima', () => {
  const [videoSet, audioSet] = all(mpd, 'AdaptationSet');
  assert.ok(videoSet && audioSet);
  assert.deepEqual(Object.fromEntries(videoSet.attributes), {
    id: '0', contentType: 'video', mimeType: 'video/mp4', segmentAlignment: 'true', startWithSAP: '1', maxWidth: '1920', maxHeight: '1080', maxFrameRate: '30',
  });
  assert.deepEqual(all(videoSet, 'Representation').map((r) => attr(r, 'id')), ['1080p-6000k', '720p-3000k', '432p-1200k']);
  assert.deepEqual(Object.fromEntries(representation('432p-1200k').attributes), {
    id: '432p-1200k', bandwidth: '1450000', width: '768', height: '432', frameRate: '30000/1001', codecs: 'avc1.64001e', sar: '1:1',
  });
  assert.equal(attr(representation('1080p-6000k'), 'frameRate'), '30');
});

test('audio AdaptationSet names language and channel configuration', () => {
  const audioSet = all(mpd, 'AdaptationSet')[1]!;
  assert.equal(attr(audioSet, 'contentType'), 'audio');
  assert.equal(attr(audioSet, 'mimeType'), 'audio/mp4');
  assert.equal(attr(audioSet, 'lang'), 'en');
  const channels = only(audioSet, 'AudioChannelConfiguration');
  assert.equal(attr(channels, 'schemeIdUri'), 'urn:mpeg:dash:23003:3:audio_channel_configuration:2011');
  assert.equal(attr(channels, 'value'), '2');
  const rep = only(audioSet, 'Representation');
  assert.deepEqual([attr(rep, 'id'), attr(rep, 'bandwidth'), attr(rep, 'codecs'), attr(rep, 'audioSamplingRate')], ['en-128k', '131000', 'mp4a.40.2', '48000']);
});

test('the MPD lists the same representations, bandwidths and codecs as the HLS master', () => {
  const master = writeMultivariantPlaylist({ video, audio });
  const audioRep = representation('en-128k');
  const variants = [...master.matchAll(/#EXT-X-STREAM-INF:BANDWIDTH=(\d+),[^\n]*CODECS="([^"]+)"[^\n]*\n(video|audio)\/([^/]+)\/playlist\.m3u8/g)];
  assert.equal(variants.length, 4);
  for (const [, bandwidth, codecs, kind, id = ''] of variants) {
    const rep = representation(id);
    if (kind === 'audio') {
      assert.equal(attr(rep, 'bandwidth'), bandwidth);
      assert.equal(attr(rep, 'codecs'), codecs);
    } else {
      assert.equal(Number(attr(rep, 'bandwidth')) + Number(attr(audioRep, 'bandwidth')), Number(bandwidth), id);
      assert.equal(`${attr(rep, 'codecs')},${attr(audioRep, 'codecs')}`, codecs);
    }
  }
  assert.equal(all(mpd, 'Representation').length, 4);
});

test('SegmentTemplate points at the same files the HLS playlists list', () => {
  for (const track of [...video, audio]) {
    const template = only(representation(track.id), 'SegmentTemplate');
    assert.equal(attr(template, 'timescale'), String(track.track.timescale));
    assert.equal(attr(template, 'initialization'), `${track.dir}/init.mp4`);
    assert.equal(attr(template, 'startNumber'), '1');
    const media = attr(template, 'media') ?? '';
    assert.equal(media, `${track.dir}/seg-$Number%05d$.m4s`);
    for (const segment of track.segments) {
      const expanded = media.replace(/\$Number%0(\d+)d\$/, (_, width: string) => String(segment.number).padStart(Number(width), '0'));
      assert.equal(expanded, `${track.dir}/${segment.file}`);
    }
  }
});

test('SegmentTimeline starts with t and folds equal durations into r', () => {
  assert.deepEqual(timeline(representation('1080p-6000k')), [{ t: '0', d: '540000', r: '1' }, { d: '90000' }]);
  assert.deepEqual(timeline(representation('en-128k')), [{ t: '0', d: '288768', r: '1' }, { d: '46464' }]);
  const long = makeTrack({ id: 'v', kind: 'video', durations: [6, 6, 6, 1], peak: 1, average: 1, codec: 'avc1.64001f', width: 2, height: 2 });
  assert.deepEqual(timeline(parseXml(writeMpd({ video: [long], duration: 19 }))), [{ t: '0', d: '540000', r: '2' }, { d: '90000' }]);
});

test('a gap in decode times restarts the timeline with an explicit t', () => {
  const track = makeTrack({ id: 'v', kind: 'video', durations: [6, 6, 6], peak: 1, average: 1, codec: 'avc1.64001f', width: 2, height: 2 });
  const shifted = { ...track, segments: track.segments.map((s, i) => (i === 2 ? { ...s, decodeTime: s.decodeTime + 900 } : s)) };
  assert.deepEqual(timeline(parseXml(writeMpd({ video: [shifted], duration: 18 }))), [{ t: '0', d: '540000', r: '1' }, { t: '1080900', d: '540000' }]);
});

test('attribute values are XML-escaped', () => {
  assert.equal(escapeXmlAttribute(`a&b"<c>'\n`), 'a&amp;b&quot;&lt;c&gt;&apos;&#10;');
  const nasty = `x&y"<z>'`;
  const track = makeTrack({ id: nasty, kind: 'video', durations: [6], peak: 1, average: 1, codec: 'avc1.64001f', width: 2, height: 2 });
  const text = writeMpd({ video: [track], audio: { ...audio, audio: { ...audio.audio!, language: 'en"&' } }, duration: 6 });
  assert.ok(!text.includes(nasty));
  const parsed = parseXml(text);
  const rep = all(parsed, 'Representation')[0]!;
  assert.equal(attr(rep, 'id'), nasty);
  assert.equal(attr(only(rep, 'SegmentTemplate'), 'media'), `video/${nasty}/seg-$Number%05d$.m4s`);
  assert.equal(attr(all(parsed, 'AdaptationSet')[1]!, 'lang'), 'en"&');
});

test('audio-only and video-only presentations have one AdaptationSet', () => {
  const audioOnly = parseXml(writeMpd({ video: [], audio, duration: 13 }));
  assert.deepEqual(all(audioOnly, 'AdaptationSet').map((a) => attr(a, 'contentType')), ['audio']);
  const videoOnly = parseXml(writeMpd({ video, duration: 13 }));
  assert.deepEqual(all(videoOnly, 'AdaptationSet').map((a) => attr(a, 'contentType')), ['video']);
});

test('files that the $Number$ template cannot address are refused', () => {
  const track = video[0]!;
  const renamed = { ...track, segments: track.segments.map((s, i) => (i === 1 ? { ...s, file: 'seg-2.m4s' } : s)) };
  assert.throws(() => writeMpd({ video: [renamed], duration: 13 }), /named seg-2\.m4s/);
  const gap = { ...track, segments: track.segments.map((s, i) => (i === 2 ? { ...s, number: 4, file: segmentFileName(4) } : s)) };
  assert.throws(() => writeMpd({ video: [gap], duration: 13 }), /not consecutive/);
  assert.throws(() => writeMpd({ video: [video[0]!, { ...video[1]!, id: video[0]!.id }], duration: 13 }), /used twice/);
  assert.throws(() => writeMpd({ video: [], duration: 13 }), /at least one track/);
});

test('the test XML parser itself rejects malformed documents', () => {
  const head = '<?xml version="1.0" encoding="UTF-8"?>\n';
  assert.throws(() => parseXml(`${head}<a><b></a></b>`));
  assert.throws(() => parseXml(`${head}<a x="1 & 2"/>`));
  assert.throws(() => parseXml(`${head}<a x="<"/>`));
  assert.throws(() => parseXml(`${head}<a x="1" x="2"/>`));
  assert.throws(() => parseXml(`${head}<a/><b/>`));
  assert.throws(() => parseXml(`${head}<a>`));
});

// --- several audio tracks -----------------------------------------------------------------------------------

test('one audio AdaptationSet per track, each with lang, Label and Role; ids unique', () => {
  const german = makeTrack({ id: 'aac-128k-2', kind: 'audio', durations: [6.016, 6.016, 0.968], peak: 140_000, average: 127_000, codec: 'mp4a.40.2' });
  german.audio = { id: 'aac-128k-2', sourceIndex: 2, bitrateKbps: 128, sampleRate: 48_000, channels: 2, language: 'de', name: 'Deutsch & Co' };
  const parsed = parseXml(writeMpd({ video, audio, alternateAudio: [german], duration: 13 }));
  const sets = all(parsed, 'AdaptationSet').filter((a) => attr(a, 'contentType') === 'audio');
  assert.deepEqual(sets.map((a) => [attr(a, 'id'), attr(a, 'lang'), only(a, 'Label').text, attr(only(a, 'Role'), 'value'), attr(only(a, 'Representation'), 'id')]), [
    ['1', 'en', 'English', 'main', 'en-128k'],
    ['2', 'de', 'Deutsch & Co', 'alternate', 'aac-128k-2'],
  ]);
  assert.equal(attr(only(sets[1]!, 'Role'), 'schemeIdUri'), 'urn:mpeg:dash:role:2011');
  assert.throws(() => writeMpd({ video, audio, alternateAudio: [audio], duration: 13 }), /used twice/);
});

test('a one-track presentation keeps its MPD: no Label or Role', () => {
  assert.ok(!mpdText.includes('<Label') && !mpdText.includes('<Role'));
});
