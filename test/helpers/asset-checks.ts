// Reusable checks on a finished asset directory: parsers for the multivariant and media playlists,
// the MPD (regex is enough for what live2vod writes) and manifest.json, plus assertions that
// measure the files with ffprobe/ffmpeg instead of trusting what the manifests claim.

import assert from 'node:assert/strict';
import { access, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AssetManifest } from '../../src/media/asset-manifest.ts';
import { concatFiles, ffmpeg, ffprobeJson, type ProbeStream } from './media.ts';

// --- HLS ---------------------------------------------------------------------------------------------

export type Attributes = Record<string, string>;

/** RFC 8216 §4.2 attribute list; quoted-string values are returned without their quotes. */
export function parseAttributeList(text: string): Attributes {
  const attributes: Attributes = {};
  const pattern = /([A-Z0-9-]+)=("[^"]*"|[^,]*)(?:,|$)/g;
  let consumed = 0;
  for (const match of text.matchAll(pattern)) {
    assert.equal(match.index, consumed, `malformed attribute list at ${JSON.stringify(text.slice(consumed))}`);
    const [whole, name = '', raw = ''] = match;
    assert.ok(!(name in attributes), `attribute ${name} appears twice in ${text}`);
    attributes[name] = raw.startsWith('"') ? raw.slice(1, -1) : raw;
    consumed += whole.length;
  }
  assert.equal(consumed, text.length, `malformed attribute list: ${text}`);
  return attributes;
}

export interface Variant {
  attributes: Attributes;
  uri: string;
}

export interface MasterPlaylist {
  text: string;
  version: number | undefined;
  independentSegments: boolean;
  media: Attributes[];
  variants: Variant[];
  iframeVariants: Attributes[];
}

export function parseMaster(text: string): MasterPlaylist {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  assert.equal(lines[0], '#EXTM3U', 'a playlist starts with #EXTM3U');
  const master: MasterPlaylist = { text, version: undefined, independentSegments: false, media: [], variants: [], iframeVariants: [] };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('#EXT-X-VERSION:')) master.version = Number(line.slice('#EXT-X-VERSION:'.length));
    else if (line === '#EXT-X-INDEPENDENT-SEGMENTS') master.independentSegments = true;
    else if (line.startsWith('#EXT-X-MEDIA:')) master.media.push(parseAttributeList(line.slice('#EXT-X-MEDIA:'.length)));
    else if (line.startsWith('#EXT-X-I-FRAME-STREAM-INF:')) master.iframeVariants.push(parseAttributeList(line.slice('#EXT-X-I-FRAME-STREAM-INF:'.length)));
    else if (line.startsWith('#EXT-X-STREAM-INF:')) {
      const uri = lines[i + 1];
      assert.ok(uri !== undefined && !uri.startsWith('#'), `EXT-X-STREAM-INF without a URI line: ${line}`);
      master.variants.push({ attributes: parseAttributeList(line.slice('#EXT-X-STREAM-INF:'.length)), uri });
      i++;
    } else assert.ok(line.startsWith('#'), `unexpected line in the multivariant playlist: ${line}`);
  }
  return master;
}

export interface PlaylistEntry {
  duration: number;
  uri: string;
  byteRange?: { length: number; offset: number };
}

export interface MediaPlaylist {
  text: string;
  version: number | undefined;
  targetDuration: number;
  mediaSequence: number | undefined;
  playlistType: string | undefined;
  iframesOnly: boolean;
  independentSegments: boolean;
  endList: boolean;
  mapUri: string | undefined;
  entries: PlaylistEntry[];
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  assert.equal(lines[0], '#EXTM3U');
  const playlist: MediaPlaylist = {
    text, version: undefined, targetDuration: Number.NaN, mediaSequence: undefined, playlistType: undefined,
    iframesOnly: false, independentSegments: false, endList: false, mapUri: undefined, entries: [],
  };
  let duration: number | undefined;
  let byteRange: PlaylistEntry['byteRange'];
  for (const line of lines.slice(1)) {
    if (line.startsWith('#EXT-X-VERSION:')) playlist.version = Number(line.slice(15));
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) playlist.targetDuration = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) playlist.mediaSequence = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-PLAYLIST-TYPE:')) playlist.playlistType = line.slice(21);
    else if (line === '#EXT-X-I-FRAMES-ONLY') playlist.iframesOnly = true;
    else if (line === '#EXT-X-INDEPENDENT-SEGMENTS') playlist.independentSegments = true;
    else if (line === '#EXT-X-ENDLIST') playlist.endList = true;
    else if (line.startsWith('#EXT-X-MAP:')) playlist.mapUri = parseAttributeList(line.slice(11)).URI;
    else if (line.startsWith('#EXTINF:')) {
      const match = /^#EXTINF:([0-9.]+),/.exec(line);
      assert.ok(match?.[1], `bad EXTINF: ${line}`);
      duration = Number(match[1]);
    } else if (line.startsWith('#EXT-X-BYTERANGE:')) {
      const match = /^#EXT-X-BYTERANGE:(\d+)@(\d+)$/.exec(line);
      assert.ok(match?.[1] && match[2], `bad or offset-less BYTERANGE: ${line}`);
      byteRange = { length: Number(match[1]), offset: Number(match[2]) };
    } else if (!line.startsWith('#')) {
      assert.ok(duration !== undefined, `segment ${line} has no EXTINF`);
      playlist.entries.push(byteRange ? { duration, uri: line, byteRange } : { duration, uri: line });
      duration = undefined;
      byteRange = undefined;
    } else assert.fail(`unexpected tag in a media playlist: ${line}`);
  }
  return playlist;
}

/** The codecs of a CODECS attribute, in order. */
export function codecList(attributes: Attributes): string[] {
  const codecs = attributes.CODECS;
  assert.ok(codecs, `no CODECS in ${JSON.stringify(attributes)}`);
  return codecs.split(',');
}

// --- DASH --------------------------------------------------------------------------------------------

function xmlAttributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:]+)="([^"]*)"/g)) if (m[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2];
  return out;
}

/** An EssentialProperty or SupplementalProperty of an AdaptationSet. */
export interface MpdDescriptor {
  element: 'EssentialProperty' | 'SupplementalProperty';
  schemeIdUri: string;
  value: string;
}

export interface MpdRepresentation {
  /** The id of its AdaptationSet, and that set's descriptors. */
  adaptationSet: string;
  descriptors: MpdDescriptor[];
  contentType: string;
  lang: string | undefined;
  attributes: Record<string, string>;
  id: string;
  bandwidth: number;
  codecs: string;
  timescale: number;
  initialization: string;
  media: string;
  startNumber: number;
  /** Expanded SegmentTimeline: start and duration in timescale ticks. */
  segments: { t: number; d: number }[];
}

export interface Mpd {
  text: string;
  attributes: Record<string, string>;
  durationSeconds: number;
  representations: MpdRepresentation[];
}

export function parseMpd(text: string): Mpd {
  const mpdTag = /<MPD\b[^>]*>/.exec(text)?.[0];
  assert.ok(mpdTag, 'no <MPD> element');
  const attributes = xmlAttributes(mpdTag);
  const duration = /^PT([0-9.]+)S$/.exec(attributes.mediaPresentationDuration ?? '');
  assert.ok(duration?.[1], `mediaPresentationDuration should be PT<seconds>S, got ${attributes.mediaPresentationDuration}`);
  const representations: MpdRepresentation[] = [];
  for (const set of text.matchAll(/<AdaptationSet\b([^>]*)>([\s\S]*?)<\/AdaptationSet>/g)) {
    const setAttributes = xmlAttributes(set[1] ?? '');
    // Descriptors of the set itself: those before its first Representation.
    const head = (set[2] ?? '').split('<Representation')[0] ?? '';
    const descriptors = [...head.matchAll(/<(EssentialProperty|SupplementalProperty)\b([^>]*)\/>/g)].map((m) => {
      const a = xmlAttributes(m[2] ?? '');
      return { element: m[1] as MpdDescriptor['element'], schemeIdUri: a.schemeIdUri ?? '', value: a.value ?? '' };
    });
    for (const rep of (set[2] ?? '').matchAll(/<Representation\b([^>]*)>([\s\S]*?)<\/Representation>/g)) {
      const repAttributes = xmlAttributes(rep[1] ?? '');
      const body = rep[2] ?? '';
      const templateTag = /<SegmentTemplate\b[^>]*>/.exec(body)?.[0];
      assert.ok(templateTag, `Representation ${repAttributes.id} has no SegmentTemplate`);
      const template = xmlAttributes(templateTag);
      const segments: { t: number; d: number }[] = [];
      let next = 0;
      for (const s of body.matchAll(/<S\b([^>]*)\/>/g)) {
        const a = xmlAttributes(s[1] ?? '');
        const d = Number(a.d);
        let t = a.t === undefined ? next : Number(a.t);
        for (let k = 0; k <= Number(a.r ?? 0); k++) {
          segments.push({ t, d });
          t += d;
        }
        next = t;
      }
      representations.push({
        adaptationSet: setAttributes.id ?? '',
        descriptors,
        contentType: setAttributes.contentType ?? '',
        lang: setAttributes.lang,
        attributes: repAttributes,
        id: repAttributes.id ?? '',
        bandwidth: Number(repAttributes.bandwidth),
        codecs: repAttributes.codecs ?? '',
        timescale: Number(template.timescale),
        initialization: template.initialization ?? '',
        media: template.media ?? '',
        startNumber: Number(template.startNumber ?? 1),
        segments,
      });
    }
  }
  return { text, attributes, durationSeconds: Number(duration[1]), representations };
}

/** Expands `$Number%05d$` / `$Number$` in a SegmentTemplate media attribute. */
export function expandDashTemplate(template: string, number: number): string {
  return template.replace(/\$Number(?:%0(\d+)d)?\$/g, (_, width: string | undefined) => String(number).padStart(Number(width ?? 0), '0'));
}

// --- the asset ---------------------------------------------------------------------------------------

export interface TrackFiles {
  /** Playlist URI relative to the asset root, e.g. `video/360p-600k/playlist.m3u8`. */
  playlistUri: string;
  playlist: MediaPlaylist;
  init: string;
  segments: { path: string; uri: string; duration: number; bytes: number }[];
}

export interface LoadedAsset {
  dir: string;
  master: MasterPlaylist;
  mpd: Mpd;
  manifest: AssetManifest;
  /** Every media and I-frame playlist named by the multivariant playlist, keyed by its URI. */
  playlists: Map<string, MediaPlaylist>;
}

export async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

export async function loadAsset(dir: string): Promise<LoadedAsset> {
  for (const name of ['master.m3u8', 'manifest.mpd', 'manifest.json']) assert.ok(await exists(path.join(dir, name)), `${name} is missing from ${dir}`);
  const master = parseMaster(await readFile(path.join(dir, 'master.m3u8'), 'utf8'));
  const mpd = parseMpd(await readFile(path.join(dir, 'manifest.mpd'), 'utf8'));
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as AssetManifest;
  const uris = new Set([
    ...master.variants.map((v) => v.uri),
    ...master.media.flatMap((m) => (m.URI ? [m.URI] : [])),
    ...master.iframeVariants.flatMap((m) => (m.URI ? [m.URI] : [])),
  ]);
  const playlists = new Map<string, MediaPlaylist>();
  for (const uri of uris) {
    assert.ok(!uri.includes('..') && !path.isAbsolute(uri), `playlist URI ${uri} must stay inside the asset`);
    playlists.set(uri, parseMediaPlaylist(await readFile(path.join(dir, uri), 'utf8')));
  }
  return { dir, master, mpd, manifest, playlists };
}

export async function trackFiles(asset: LoadedAsset, playlistUri: string): Promise<TrackFiles> {
  const playlist = asset.playlists.get(playlistUri);
  assert.ok(playlist, `no playlist ${playlistUri}`);
  assert.ok(playlist.mapUri, `${playlistUri} has no EXT-X-MAP`);
  const base = path.join(asset.dir, path.dirname(playlistUri));
  const segments = [];
  for (const entry of playlist.entries) {
    const file = path.join(base, entry.uri);
    segments.push({ path: file, uri: entry.uri, duration: entry.duration, bytes: (await stat(file)).size });
  }
  return { playlistUri, playlist, init: path.join(base, playlist.mapUri), segments };
}

/** The video variants (those with RESOLUTION), in playlist order. */
export function videoVariants(asset: LoadedAsset): Variant[] {
  return asset.master.variants.filter((v) => v.attributes.RESOLUTION !== undefined);
}

export function audioMedia(asset: LoadedAsset): Attributes | undefined {
  return asset.master.media.find((m) => m.TYPE === 'AUDIO');
}

/** Writes init + all (or some) segments of a track to one playable file in `scratch`. */
export async function concatTrack(track: TrackFiles, scratch: string, name: string, segmentIndexes?: readonly number[]): Promise<string> {
  const chosen = segmentIndexes ? segmentIndexes.map((i) => track.segments[i]) : track.segments;
  const files = chosen.map((s, i) => {
    assert.ok(s, `segment index ${segmentIndexes?.[i]} out of range`);
    return s.path;
  });
  return concatFiles(path.join(scratch, name), [track.init, ...files]);
}

/** Every file under `dir`, relative with forward slashes, with sizes; dot-files left out. */
export async function listAssetFiles(dir: string): Promise<{ path: string; bytes: number }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = [];
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.push({ path: path.relative(dir, full).split(path.sep).join('/'), bytes: (await stat(full)).size });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// --- structural checks -------------------------------------------------------------------------------

/**
 * The asset is complete and self-consistent: the three manifests exist, no partial markers remain,
 * every playlist, init and segment file named anywhere exists, playlists are VOD with an ENDLIST,
 * and manifest.json's file list is the directory (manifest.json itself aside).
 */
export async function assertCompleteAsset(asset: LoadedAsset): Promise<void> {
  const { dir, master, manifest } = asset;
  assert.ok(!(await exists(path.join(dir, '.live2vod-incomplete'))), 'the incomplete marker was left behind');
  assert.ok(!(await exists(path.join(dir, 'manifest.json.partial'))), 'manifest.json.partial was left behind');
  assert.equal(master.version, 7);
  assert.ok(master.independentSegments, 'EXT-X-INDEPENDENT-SEGMENTS missing from the multivariant playlist');
  assert.ok(master.variants.length > 0, 'no variants');
  for (const [uri, playlist] of asset.playlists) {
    assert.equal(playlist.playlistType, 'VOD', `${uri}: PLAYLIST-TYPE`);
    assert.ok(playlist.endList, `${uri}: no EXT-X-ENDLIST`);
    assert.ok(playlist.entries.length > 0, `${uri}: no segments`);
    const track = await trackFiles(asset, uri);
    assert.ok(await exists(track.init), `${uri}: init ${track.init} missing`);
    for (const entry of playlist.entries) {
      // RFC 8216 §4.3.3.1: each EXTINF rounded to the nearest integer ≤ TARGETDURATION.
      assert.ok(Math.round(entry.duration) <= playlist.targetDuration, `${uri}: EXTINF ${entry.duration} exceeds TARGETDURATION ${playlist.targetDuration}`);
    }
  }
  const listed = await listAssetFiles(dir);
  assert.deepEqual(
    [...manifest.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    listed.filter((f) => f.path !== 'manifest.json'),
    'manifest.json files[] must list exactly the files of the asset (besides itself) with their sizes',
  );
  assert.equal(manifest.hls, 'master.m3u8');
  assert.equal(manifest.dash, 'manifest.mpd');
}

/** The MPD describes the same renditions, codecs, bandwidths, files and segment durations as HLS. */
export function assertMpdMatchesHls(asset: LoadedAsset): void {
  const { mpd, master } = asset;
  assert.equal(mpd.attributes.type, 'static');
  const audio = audioMedia(asset);
  const audioReps = mpd.representations.filter((r) => r.contentType === 'audio');
  const audioRep = audioReps[0];
  // A variant's BANDWIDTH covers the richest audio rendition of its group.
  const audioPeak = Math.max(0, ...audioReps.map((r) => r.bandwidth));
  const videoReps = mpd.representations.filter((r) => r.contentType === 'video');
  const variants = videoVariants(asset);
  assert.equal(videoReps.length, variants.length, 'one DASH video Representation per HLS video variant');
  assert.equal(audioRep !== undefined, audio !== undefined, 'audio in DASH exactly when HLS has an audio rendition');
  assert.equal(new Set(mpd.representations.map((r) => r.id)).size, mpd.representations.length, 'Representation ids are unique');

  const checkTimeline = (rep: MpdRepresentation, playlistUri: string): void => {
    const playlist = asset.playlists.get(playlistUri);
    assert.ok(playlist?.mapUri, `no playlist ${playlistUri}`);
    const dir = path.posix.dirname(playlistUri);
    assert.equal(rep.initialization, `${dir}/${playlist.mapUri}`, `${rep.id}: DASH and HLS use the same init segment`);
    assert.equal(rep.segments.length, playlist.entries.length, `${rep.id}: same number of segments in DASH and HLS`);
    rep.segments.forEach((s, i) => {
      const entry = playlist.entries[i];
      assert.ok(entry);
      assert.equal(expandDashTemplate(rep.media, rep.startNumber + i), `${dir}/${entry.uri}`, `${rep.id}: DASH segment ${i} is the HLS segment file`);
      assert.ok(Math.abs(s.d / rep.timescale - entry.duration) < 0.001, `${rep.id}: segment ${i} lasts ${s.d / rep.timescale} s in DASH but ${entry.duration} s in HLS`);
      if (i > 0) {
        const previous = rep.segments[i - 1];
        assert.ok(previous && previous.t + previous.d === s.t, `${rep.id}: the SegmentTimeline has a gap or overlap at ${i}`);
      }
    });
  };

  // A player switches freely inside an AdaptationSet: one codec and one dynamic range per set.
  const sets = new Map<string, Set<string>>();
  for (const rep of videoReps) {
    const variant = variants.find((v) => v.uri === `video/${rep.id}/playlist.m3u8`);
    const key = `${rep.codecs.split('.')[0]} ${variant?.attributes['VIDEO-RANGE'] ?? 'SDR'}`;
    sets.set(rep.adaptationSet, new Set([...(sets.get(rep.adaptationSet) ?? []), key]));
    assert.deepEqual(rep.descriptors, dashRangeDescriptors(variant?.attributes['VIDEO-RANGE']), `${rep.id}: the set's colour descriptors say its VIDEO-RANGE`);
  }
  for (const [id, kinds] of sets) assert.equal(kinds.size, 1, `video AdaptationSet ${id} mixes ${[...kinds].join(' and ')}`);
  for (const rep of videoReps) {
    const variant = variants.find((v) => v.uri === `video/${rep.id}/playlist.m3u8`);
    assert.ok(variant, `DASH Representation ${rep.id} has no HLS variant`);
    const [videoCodec] = codecList(variant.attributes);
    assert.equal(rep.codecs, videoCodec, `${rep.id}: codecs`);
    assert.equal(`${rep.attributes.width}x${rep.attributes.height}`, variant.attributes.RESOLUTION, `${rep.id}: size`);
    // HLS BANDWIDTH is the variant's (video + audio); DASH bandwidth is per Representation.
    assert.equal(rep.bandwidth + audioPeak, Number(variant.attributes.BANDWIDTH), `${rep.id}: DASH bandwidths add up to the HLS BANDWIDTH`);
    checkTimeline(rep, variant.uri);
  }
  if (audioRep && audio) {
    assert.ok(audio.URI, 'EXT-X-MEDIA without URI');
    assert.equal(`audio/${audioRep.id}/playlist.m3u8`, audio.URI);
    assert.equal(audioRep.lang, audio.LANGUAGE, 'DASH lang = HLS LANGUAGE');
    for (const variant of variants) assert.equal(codecList(variant.attributes)[1], audioRep.codecs, 'audio codecs');
    const audioOnly = master.variants.find((v) => v.uri === audio.URI);
    if (audioOnly) assert.equal(Number(audioOnly.attributes.BANDWIDTH), audioRep.bandwidth, 'audio-only BANDWIDTH = DASH audio bandwidth');
    checkTimeline(audioRep, audio.URI);
  }
  // Every audio rendition of the HLS group is one DASH audio Representation with its language.
  const audioRenditions = master.media.filter((m) => m.TYPE === 'AUDIO');
  assert.equal(audioReps.length, audioRenditions.length, 'one DASH audio Representation per HLS audio rendition');
  for (const media of audioRenditions) {
    const rep = audioReps.find((r) => `audio/${r.id}/playlist.m3u8` === media.URI);
    assert.ok(rep && media.URI, `HLS audio rendition ${media.URI} has no DASH Representation`);
    assert.equal(rep.lang, media.LANGUAGE, `${rep.id}: DASH lang = HLS LANGUAGE`);
    checkTimeline(rep, media.URI);
  }
  const longest = Math.max(...[...asset.playlists.entries()].filter(([, p]) => !p.iframesOnly).map(([, p]) => p.entries.reduce((sum, e) => sum + e.duration, 0)));
  assert.ok(Math.abs(mpd.durationSeconds - longest) < 0.002, `mediaPresentationDuration ${mpd.durationSeconds} vs longest playlist ${longest}`);
}

/**
 * DASH-IF IOP 4.3 6.2.5 with ISO/IEC 23091-2 code points, written out here as the oracle: PQ
 * (transfer 16) essential; HLG essential as BT.2020 (14) and supplemental as HLG (18); SDR none.
 */
export function dashRangeDescriptors(videoRange: string | undefined): MpdDescriptor[] {
  const cicp = 'urn:mpeg:mpegB:cicp:';
  const bt2020: MpdDescriptor[] = [
    { element: 'EssentialProperty', schemeIdUri: `${cicp}ColourPrimaries`, value: '9' },
    { element: 'EssentialProperty', schemeIdUri: `${cicp}MatrixCoefficients`, value: '9' },
  ];
  if (videoRange === 'PQ') return [...bt2020, { element: 'EssentialProperty', schemeIdUri: `${cicp}TransferCharacteristics`, value: '16' }];
  if (videoRange === 'HLG') {
    return [...bt2020, { element: 'EssentialProperty', schemeIdUri: `${cicp}TransferCharacteristics`, value: '14' }, { element: 'SupplementalProperty', schemeIdUri: `${cicp}TransferCharacteristics`, value: '18' }];
  }
  return [];
}

// --- bitrates ----------------------------------------------------------------------------------------

/**
 * RFC 8216 §4.3.4.2 peak segment bit rate: the highest bit rate of any contiguous run of segments
 * lasting 0.5–1.5 × the target duration (the whole track when no run qualifies).
 */
export function peakSegmentBitrate(segments: readonly { bytes: number; duration: number }[], targetDuration: number): number {
  let peak = 0;
  let qualified = false;
  for (let i = 0; i < segments.length; i++) {
    let bytes = 0;
    let seconds = 0;
    for (let j = i; j < segments.length; j++) {
      bytes += segments[j]?.bytes ?? 0;
      seconds += segments[j]?.duration ?? 0;
      if (seconds > 1.5 * targetDuration + 1e-9) break;
      if (seconds >= 0.5 * targetDuration - 1e-9) {
        qualified = true;
        peak = Math.max(peak, (bytes * 8) / seconds);
      }
    }
  }
  return qualified ? peak : averageBitrate(segments);
}

export function averageBitrate(segments: readonly { bytes: number; duration: number }[]): number {
  const bytes = segments.reduce((sum, s) => sum + s.bytes, 0);
  const seconds = segments.reduce((sum, s) => sum + s.duration, 0);
  return seconds > 0 ? (bytes * 8) / seconds : 0;
}

export interface MeasuredTrack {
  track: TrackFiles;
  peak: number;
  average: number;
  bytes: number;
  duration: number;
}

export async function measureTrack(asset: LoadedAsset, playlistUri: string): Promise<MeasuredTrack> {
  const track = await trackFiles(asset, playlistUri);
  return {
    track,
    peak: peakSegmentBitrate(track.segments, track.playlist.targetDuration),
    average: averageBitrate(track.segments),
    bytes: track.segments.reduce((sum, s) => sum + s.bytes, 0),
    duration: track.segments.reduce((sum, s) => sum + s.duration, 0),
  };
}

/**
 * Every variant's BANDWIDTH covers the measured peak (video peak + audio peak, RFC 8216) and its
 * AVERAGE-BANDWIDTH is within `tolerance` of the measured average; the audio-only variant stays ≤ 192 kb/s.
 */
export async function assertVariantBandwidths(asset: LoadedAsset, tolerance = 0.1): Promise<void> {
  const audio = audioMedia(asset);
  const audioMeasured = audio?.URI ? await measureTrack(asset, audio.URI) : undefined;
  for (const variant of asset.master.variants) {
    const isAudioOnly = variant.uri === audio?.URI;
    const video = isAudioOnly ? undefined : await measureTrack(asset, variant.uri);
    const withAudio = variant.attributes.AUDIO !== undefined && !isAudioOnly ? audioMeasured : undefined;
    const peak = (video?.peak ?? 0) + (withAudio?.peak ?? 0) + (isAudioOnly ? (audioMeasured?.peak ?? 0) : 0);
    const average = (video?.average ?? 0) + (withAudio?.average ?? 0) + (isAudioOnly ? (audioMeasured?.average ?? 0) : 0);
    const bandwidth = Number(variant.attributes.BANDWIDTH);
    const averageBandwidth = Number(variant.attributes['AVERAGE-BANDWIDTH']);
    assert.ok(Number.isSafeInteger(bandwidth) && bandwidth > 0, `${variant.uri}: BANDWIDTH ${variant.attributes.BANDWIDTH}`);
    assert.ok(bandwidth >= Math.floor(peak), `${variant.uri}: BANDWIDTH ${bandwidth} is below the measured peak ${Math.ceil(peak)} b/s`);
    assert.ok(Number.isSafeInteger(averageBandwidth), `${variant.uri}: AVERAGE-BANDWIDTH missing`);
    assert.ok(Math.abs(averageBandwidth - average) <= tolerance * average, `${variant.uri}: AVERAGE-BANDWIDTH ${averageBandwidth} vs measured ${Math.round(average)} b/s`);
    assert.ok(averageBandwidth <= bandwidth, `${variant.uri}: AVERAGE-BANDWIDTH above BANDWIDTH`);
    if (isAudioOnly) assert.ok(bandwidth <= 192_000, `audio-only variant BANDWIDTH ${bandwidth} > 192000`);
  }
}

// --- codecs and streams ------------------------------------------------------------------------------

const avcProfiles: Record<string, number> = { 'Baseline': 66, 'Constrained Baseline': 66, 'Main': 77, 'Extended': 88, 'High': 100, 'High 10': 110, 'High 4:2:2': 122, 'High 4:4:4 Predictive': 244 };

/** The bytes of the first box of `type` anywhere in `buf` (a flat search is enough for sample entries). */
function findBox(buf: Buffer, type: string): Buffer | undefined {
  const at = buf.indexOf(Buffer.from(type, 'latin1'));
  if (at < 4) return undefined;
  const size = buf.readUInt32BE(at - 4);
  return buf.subarray(at + 4, at - 4 + size);
}

/**
 * Checks an RFC 6381 codec string against the stream as ffprobe decodes it (profile, level) and,
 * for AVC, against the avcC record in the init segment byte for byte.
 */
export function assertCodecMatchesStream(codec: string, stream: ProbeStream, init: Buffer): void {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  switch (stream.codec_name) {
    case 'h264': {
      const avcC = findBox(init, 'avcC');
      assert.ok(avcC && avcC.length >= 4, 'no avcC in the init segment');
      assert.equal(codec, `avc1.${hex(avcC[1] ?? 0)}${hex(avcC[2] ?? 0)}${hex(avcC[3] ?? 0)}`, 'CODECS = avc1 + avcC profile/compat/level');
      const profile = avcProfiles[stream.profile ?? ''];
      assert.ok(profile !== undefined, `unknown H.264 profile ${stream.profile}`);
      assert.equal(parseInt(codec.slice(5, 7), 16), profile, `CODECS profile vs ffprobe ${stream.profile}`);
      assert.equal(parseInt(codec.slice(9, 11), 16), stream.level, `CODECS level vs ffprobe level ${stream.level}`);
      break;
    }
    case 'hevc': {
      assert.equal(stream.codec_tag_string, 'hvc1', 'HEVC must use the hvc1 sample entry (parameter sets in the init segment)');
      const profile = stream.profile === 'Main' ? 1 : stream.profile === 'Main 10' ? 2 : undefined;
      assert.ok(profile !== undefined, `unexpected HEVC profile ${stream.profile}`);
      assert.match(codec, new RegExp(`^hvc1\\.${profile}\\.[0-9A-F]+\\.[LH]${stream.level}(\\.[0-9A-F]{1,2})*$`), `CODECS ${codec} vs ffprobe profile ${stream.profile} level ${stream.level}`);
      break;
    }
    case 'av1': {
      assert.match(codec, /^av01\.0\.\d{2}[MH]\.08$/, `CODECS ${codec}: AV1 Main profile, 8-bit`);
      if (stream.level !== undefined && stream.level >= 0) assert.equal(Number(codec.slice(7, 9)), stream.level, `AV1 seq_level_idx vs ffprobe level ${stream.level}`);
      break;
    }
    case 'aac':
      assert.equal(stream.profile, 'LC');
      assert.equal(codec, 'mp4a.40.2');
      break;
    default:
      assert.fail(`unexpected codec ${stream.codec_name}`);
  }
}

/** HLS VIDEO-RANGE from the transfer the stream itself signals (its VUI, as ffprobe reads it). */
function videoRangeOf(stream: ProbeStream): string {
  if (stream.color_transfer === 'smpte2084') return 'PQ';
  if (stream.color_transfer === 'arib-std-b67') return 'HLG';
  return 'SDR';
}

let streamFiles = 0;

/**
 * The streams ffprobe finds in init + first segment of each rendition (one list per URI), from a
 * single ffprobe over one file holding all of them: the inits' tracks side by side in one moov
 * (each renumbered k + 1, its tkhd and trex too) and each first segment after it with its tfhd
 * saying that track. ffmpeg takes codec, profile, level, size, colour and channels from each
 * track's own sample entry and samples, and, as the file is seekable, reads every moof before the
 * first packet, so each track's FRAME-RATE is, as alone, its first segment's samples over their
 * duration. Files not of the plain shape this needs (one trak per init, one movie timescale, only
 * moof/mdat/styp in the segment, moof-relative data offsets) are probed one by one instead.
 */
async function firstSegmentStreams(asset: LoadedAsset, uris: readonly string[], scratch: string): Promise<ProbeStream[][]> {
  const tracks = [];
  for (const uri of uris) {
    const track = await trackFiles(asset, uri);
    const first = track.segments[0];
    assert.ok(first, `${uri}: no segments`);
    tracks.push({ track, init: await readFile(track.init), segment: await readFile(first.path) });
  }
  let merged: Buffer | undefined;
  try {
    merged = mergeFirstSegments(tracks);
  } catch {
    // A box that does not parse: leave it to ffprobe, file by file.
  }
  if (merged) {
    const file = path.join(scratch, `streams-${streamFiles++}.mp4`);
    await writeFile(file, merged);
    const streams = (await ffprobeJson(file, ['-show_streams'])).streams ?? [];
    if (streams.length === uris.length) return streams.map((s) => [s]);
  }
  const probed = [];
  for (const { track } of tracks) {
    const file = await concatTrack(track, scratch, `streams-${streamFiles++}.mp4`, [0]);
    probed.push((await ffprobeJson(file, ['-show_streams'])).streams ?? []);
  }
  return probed;
}

function box(type: string, parts: readonly Buffer[]): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + parts.reduce((sum, p) => sum + p.length, 0));
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, ...parts]);
}

/** See firstSegmentStreams; undefined when a file is not of that shape. */
function mergeFirstSegments(tracks: readonly { init: Buffer; segment: Buffer }[]): Buffer | undefined {
  let ftyp: Buffer | undefined;
  let mvhd: Buffer | undefined;
  const traks: Buffer[] = [];
  const trexes: Buffer[] = [];
  const segments: Buffer[] = [];
  for (const [k, { init, segment }] of tracks.entries()) {
    const id = k + 1;
    const top = childBoxes(init, 0, init.length);
    const moov = top.find((b) => b.type === 'moov');
    const ftypBox = top.find((b) => b.type === 'ftyp');
    if (!moov || !ftypBox) return undefined;
    const inMoov = childBoxes(init, moov.body, moov.end);
    const trakBoxes = inMoov.filter((b) => b.type === 'trak');
    const mvhdBox = inMoov.find((b) => b.type === 'mvhd');
    const trexBoxes = inMoov.filter((b) => b.type === 'mvex').flatMap((mvex) => childBoxes(init, mvex.body, mvex.end)).filter((b) => b.type === 'trex');
    const trakBox = trakBoxes[0];
    const trexBox = trexBoxes[0];
    if (trakBoxes.length !== 1 || trexBoxes.length !== 1 || !trakBox || !trexBox || !mvhdBox) return undefined;
    const timescale = (b: Buffer): number => b.readUInt32BE(b[8] === 1 ? 28 : 20);
    const thisMvhd = init.subarray(mvhdBox.start, mvhdBox.end);
    if (mvhd && timescale(mvhd) !== timescale(thisMvhd)) return undefined;
    ftyp ??= init.subarray(ftypBox.start, ftypBox.end);
    mvhd ??= thisMvhd;
    const trak = Buffer.from(init.subarray(trakBox.start, trakBox.end));
    const tkhd = childBoxes(trak, 8, trak.length).find((b) => b.type === 'tkhd');
    if (!tkhd) return undefined;
    trak.writeUInt32BE(id, tkhd.body + (trak[tkhd.body] === 1 ? 20 : 12));
    traks.push(trak);
    const trex = Buffer.from(init.subarray(trexBox.start, trexBox.end));
    trex.writeUInt32BE(id, 12);
    trexes.push(trex);
    const data = Buffer.from(segment);
    for (const b of childBoxes(data, 0, data.length)) {
      if (b.type === 'mdat' || b.type === 'styp') continue;
      if (b.type !== 'moof') return undefined;
      for (const traf of childBoxes(data, b.body, b.end).filter((t) => t.type === 'traf')) {
        const tfhd = child(data, traf, 'tfhd');
        if (!tfhd || data.readUInt32BE(tfhd.body) & 0x01) return undefined;
        data.writeUInt32BE(id, tfhd.body + 4);
      }
    }
    segments.push(data);
  }
  if (!ftyp || !mvhd) return undefined;
  return Buffer.concat([ftyp, box('moov', [mvhd, ...traks, box('mvex', trexes)]), ...segments]);
}

/**
 * Each variant's CODECS, VIDEO-RANGE, RESOLUTION and FRAME-RATE match what its files really
 * contain; playback starts on the first variant, so when any variant is H.264 SDR, the first is.
 */
export async function assertVariantsMatchStreams(asset: LoadedAsset, scratch: string): Promise<void> {
  const audio = audioMedia(asset);
  const video = videoVariants(asset);
  const universal = (v: Variant): boolean => codecList(v.attributes)[0]?.startsWith('avc1.') === true && v.attributes['VIDEO-RANGE'] === 'SDR';
  if (video.some(universal)) assert.ok(video[0] && universal(video[0]), `the first variant (${video[0]?.uri}) should be one every device plays: H.264 SDR`);
  const uris = [...asset.master.variants.map((v) => v.uri), ...(audio?.URI ? [audio.URI] : [])];
  const probed = await firstSegmentStreams(asset, uris, scratch);
  for (const [n, variant] of asset.master.variants.entries()) {
    const track = await trackFiles(asset, variant.uri);
    const streams = probed[n] ?? [];
    const stream = streams[0];
    assert.ok(stream && streams.length === 1, `${variant.uri}: one stream per rendition`);
    const init = await readFile(track.init);
    const codecs = codecList(variant.attributes);
    assert.ok(codecs[0]);
    assertCodecMatchesStream(codecs[0], stream, init);
    if (variant.uri === audio?.URI) {
      assert.equal(codecs.length, 1, 'the audio-only variant lists only the audio codec');
      assert.equal(variant.attributes.RESOLUTION, undefined);
      continue;
    }
    assert.equal(stream.codec_type, 'video');
    assert.equal(variant.attributes['VIDEO-RANGE'], videoRangeOf(stream), `${variant.uri}: VIDEO-RANGE vs the stream's transfer ${stream.color_transfer}`);
    // SUPPLEMENTAL-CODECS names a second format carried in the same stream (Dolby Vision over
    // HDR10/HLG); a plain HEVC or H.264 encode has none, so the attribute would be a lie.
    assert.equal(variant.attributes['SUPPLEMENTAL-CODECS'], undefined, `${variant.uri}: no SUPPLEMENTAL-CODECS for a stream without an enhancement format`);
    const iframe = asset.master.iframeVariants.find((f) => f.URI === variant.uri.replace(/playlist\.m3u8$/, 'iframes.m3u8'));
    if (iframe) assert.equal(iframe['VIDEO-RANGE'], variant.attributes['VIDEO-RANGE'], `${variant.uri}: the I-frame variant has the same VIDEO-RANGE`);
    assert.equal(variant.attributes.RESOLUTION, `${stream.width}x${stream.height}`, `${variant.uri}: RESOLUTION vs the coded stream`);
    const frameRate = variant.attributes['FRAME-RATE'];
    assert.match(frameRate ?? '', /^\d+\.\d{3}$/, `${variant.uri}: FRAME-RATE present with 3 decimals`);
    const [num = 0, den = 1] = (stream.avg_frame_rate ?? '0/1').split('/').map(Number);
    assert.ok(Math.abs(Number(frameRate) - num / den) < 0.01, `${variant.uri}: FRAME-RATE ${frameRate} vs stream ${stream.avg_frame_rate}`);
    if (audio) {
      assert.equal(codecs.length, 2, `${variant.uri}: CODECS lists video and audio`);
      assert.equal(variant.attributes.AUDIO, audio['GROUP-ID']);
    } else {
      assert.equal(codecs.length, 1, `${variant.uri}: a video-only asset lists only the video codec`);
      assert.equal(variant.attributes.AUDIO, undefined);
    }
  }
  if (audio?.URI) {
    const stream = probed[asset.master.variants.length]?.[0];
    assert.ok(stream);
    assert.equal(stream.codec_type, 'audio');
    assert.equal(audio.CHANNELS, String(stream.channels), 'EXT-X-MEDIA CHANNELS vs the stream');
    assert.equal(stream.sample_rate, '48000');
  }
}

// --- fragmented MP4, read independently of src/media/mp4 -----------------------------------------------

interface BoxRef {
  type: string;
  start: number;
  /** First byte after the header (and after version/flags for the full boxes read here). */
  body: number;
  end: number;
}

function childBoxes(buf: Buffer, start: number, end: number): BoxRef[] {
  const out: BoxRef[] = [];
  let pos = start;
  while (pos + 8 <= end) {
    let size = buf.readUInt32BE(pos);
    let header = 8;
    if (size === 1) {
      size = Number(buf.readBigUInt64BE(pos + 8));
      header = 16;
    } else if (size === 0) size = end - pos;
    assert.ok(size >= header && pos + size <= end, `bad MP4 box at ${pos}`);
    out.push({ type: buf.toString('latin1', pos + 4, pos + 8), start: pos, body: pos + header, end: pos + size });
    pos += size;
  }
  return out;
}

function child(buf: Buffer, parent: BoxRef, type: string): BoxRef | undefined {
  return childBoxes(buf, parent.body, parent.end).find((b) => b.type === type);
}

function path4(buf: Buffer, root: BoxRef, types: readonly string[]): BoxRef | undefined {
  let box: BoxRef | undefined = root;
  for (const type of types) box = box && child(buf, box, type);
  return box;
}

export interface InitInfo {
  timescale: number;
  trexDefaultSampleFlags: number;
  trexDefaultSampleDuration: number;
  trexDefaultSampleSize: number;
}

/** mdhd timescale and trex defaults of a one-track init segment. */
export function readInit(init: Buffer): InitInfo {
  const moov = childBoxes(init, 0, init.length).find((b) => b.type === 'moov');
  assert.ok(moov, 'init segment without moov');
  const mdhd = path4(init, moov, ['trak', 'mdia', 'mdhd']);
  assert.ok(mdhd, 'no mdhd');
  const version = init[mdhd.body] ?? 0;
  const timescale = init.readUInt32BE(mdhd.body + 4 + (version === 1 ? 16 : 8));
  const trex = path4(init, moov, ['mvex', 'trex']);
  return {
    timescale,
    trexDefaultSampleDuration: trex ? init.readUInt32BE(trex.body + 12) : 0,
    trexDefaultSampleSize: trex ? init.readUInt32BE(trex.body + 16) : 0,
    trexDefaultSampleFlags: trex ? init.readUInt32BE(trex.body + 20) : 0,
  };
}

export interface FragmentInfo {
  offset: number;
  decodeTime: number;
  /** Presentation time of the first sample in seconds: (tfdt + its composition offset) / timescale, as ISO BMFF defines it. */
  firstPresentation: number;
  /** sample_is_non_sync_sample clear on the first sample. */
  firstIsSync: boolean;
  sampleCount: number;
  /** Seconds. */
  duration: number;
  /**
   * Where the first sample's bytes end, counted from the start of the moof (trun data_offset +
   * its size); undefined when tfhd gives an absolute base-data-offset.
   */
  firstSampleEnd: number | undefined;
}

/** The moof boxes of a media segment (or a byte range of one), with their timing and first-sample flags. */
export function readFragments(init: InitInfo, data: Buffer): FragmentInfo[] {
  const fragments: FragmentInfo[] = [];
  for (const moof of childBoxes(data, 0, data.length).filter((b) => b.type === 'moof')) {
    const traf = child(data, moof, 'traf');
    const tfhd = traf && child(data, traf, 'tfhd');
    const tfdt = traf && child(data, traf, 'tfdt');
    const trun = traf && child(data, traf, 'trun');
    assert.ok(tfhd && tfdt && trun, 'moof without tfhd/tfdt/trun');
    const tfhdFlags = data.readUInt32BE(tfhd.body) & 0xffffff;
    let p = tfhd.body + 8;
    if (tfhdFlags & 0x01) p += 8;
    if (tfhdFlags & 0x02) p += 4;
    let defaultDuration = init.trexDefaultSampleDuration;
    if (tfhdFlags & 0x08) { defaultDuration = data.readUInt32BE(p); p += 4; }
    let defaultSize = init.trexDefaultSampleSize;
    if (tfhdFlags & 0x10) { defaultSize = data.readUInt32BE(p); p += 4; }
    let defaultFlags = init.trexDefaultSampleFlags;
    if (tfhdFlags & 0x20) defaultFlags = data.readUInt32BE(p);
    const tfdtVersion = data[tfdt.body] ?? 0;
    const decodeTime = tfdtVersion === 1 ? Number(data.readBigUInt64BE(tfdt.body + 4)) : data.readUInt32BE(tfdt.body + 4);
    const trunVersion = data[trun.body] ?? 0;
    const trunFlags = data.readUInt32BE(trun.body) & 0xffffff;
    const count = data.readUInt32BE(trun.body + 4);
    let q = trun.body + 8;
    let dataOffset = 0;
    if (trunFlags & 0x01) { dataOffset = data.readInt32BE(q); q += 4; }
    let firstFlags: number | undefined;
    if (trunFlags & 0x04) { firstFlags = data.readUInt32BE(q); q += 4; }
    let firstCts = 0;
    let firstSampleFlags = firstFlags ?? defaultFlags;
    let firstSize = defaultSize;
    let ticks = 0;
    for (let i = 0; i < count; i++) {
      let duration = defaultDuration;
      if (trunFlags & 0x100) { duration = data.readUInt32BE(q); q += 4; }
      if (trunFlags & 0x200) { if (i === 0) firstSize = data.readUInt32BE(q); q += 4; }
      if (trunFlags & 0x400) { if (i === 0 && firstFlags === undefined) firstSampleFlags = data.readUInt32BE(q); q += 4; }
      if (trunFlags & 0x800) { if (i === 0) firstCts = trunVersion === 1 ? data.readInt32BE(q) : data.readUInt32BE(q); q += 4; }
      ticks += duration;
    }
    fragments.push({
      offset: moof.start,
      decodeTime,
      firstPresentation: (decodeTime + firstCts) / init.timescale,
      firstIsSync: (firstSampleFlags & 0x10000) === 0,
      sampleCount: count,
      duration: ticks / init.timescale,
      // Without base-data-offset the data offset counts from the moof (ISO/IEC 14496-12 8.8.7.1).
      firstSampleEnd: tfhdFlags & 0x01 || count === 0 ? undefined : dataOffset + firstSize,
    });
  }
  return fragments;
}

// --- segments and keyframes --------------------------------------------------------------------------

export interface SegmentStart {
  uri: string;
  /** Presentation time of the first sample per the boxes (tfdt + composition offset). */
  time: number;
  /** The sample flags say sync, and ffmpeg decodes the first packet as a keyframe. */
  keyframe: boolean;
}

let probeFiles = 0;

/**
 * How each segment of a rendition starts. Times come from the boxes, not from ffprobe: ffmpeg's
 * MP4 demuxer shifts streams with negative composition offsets (B-frames) later by the largest
 * negative offset, which a player does not do.
 *
 * ffmpeg's view of the first sample comes from one ffprobe over init + every segment (a valid
 * fragmented file), not one per segment: each packet's byte position says which segment's bytes it
 * came from, and the packet at the lowest position in a segment is that segment's first sample. Its
 * K flag (the demuxer's reading of that sample's trun/tfhd/trex flags, or the parser finding an IDR
 * in its bytes) depends on that sample alone, so is the same with the other segments around it as
 * with the init alone; a segment that yields no packet counts as no keyframe.
 */
export async function segmentStarts(track: TrackFiles, scratch: string): Promise<SegmentStart[]> {
  const initBuf = await readFile(track.init);
  const init = readInit(initBuf);
  const parts: Buffer[] = [initBuf];
  const segments: { start: number; end: number; time: number; sync: boolean }[] = [];
  let at = initBuf.length;
  for (const segment of track.segments) {
    const data = await readFile(segment.path);
    const [first] = readFragments(init, data);
    assert.ok(first && first.offset === 0, `${segment.path} does not start with a moof`);
    segments.push({ start: at, end: at + data.length, time: first.firstPresentation, sync: first.firstIsSync });
    parts.push(data);
    at += data.length;
  }
  const file = path.join(scratch, `starts-${path.basename(path.dirname(track.init))}-${probeFiles++}.mp4`);
  await writeFile(file, Buffer.concat(parts));
  const probe = await ffprobeJson(file, ['-select_streams', 'v:0', '-show_packets', '-show_entries', 'packet=pos,flags']);
  const firstPacket: ({ pos: number; key: boolean } | undefined)[] = segments.map(() => undefined);
  for (const packet of probe.packets ?? []) {
    const pos = Number(packet.pos);
    const i = segments.findIndex((s) => pos >= s.start && pos < s.end);
    const seen = firstPacket[i];
    if (i >= 0 && (!seen || pos < seen.pos)) firstPacket[i] = { pos, key: (packet.flags ?? '').includes('K') };
  }
  return segments.map((s, i) => ({ uri: track.segments[i]?.uri ?? '', time: s.time, keyframe: s.sync && firstPacket[i]?.key === true }));
}

/**
 * Every segment of every video rendition starts with a keyframe, at the same time in all renditions
 * (within one frame), at the time its playlist says; all segments but the last last `segmentSeconds`.
 */
export async function assertAlignedKeyframeSegments(asset: LoadedAsset, scratch: string, segmentSeconds: number, frameSeconds: number): Promise<void> {
  let reference: SegmentStart[] | undefined;
  for (const variant of videoVariants(asset)) {
    const track = await trackFiles(asset, variant.uri);
    track.segments.forEach((s, i) => {
      if (i < track.segments.length - 1) assert.ok(Math.abs(s.duration - segmentSeconds) < 0.001, `${variant.uri}: segment ${i} lasts ${s.duration} s, not ${segmentSeconds}`);
      else assert.ok(s.duration > 0 && s.duration <= segmentSeconds + 0.001, `${variant.uri}: last segment lasts ${s.duration} s`);
    });
    const starts = await segmentStarts(track, scratch);
    let expected = 0;
    starts.forEach((start, i) => {
      assert.ok(start.keyframe, `${variant.uri} segment ${start.uri} does not start with a keyframe`);
      assert.ok(Math.abs(start.time - expected) < 0.001, `${variant.uri} segment ${start.uri} starts at ${start.time} s, the playlist says ${expected}`);
      expected += track.segments[i]?.duration ?? 0;
    });
    if (reference) {
      assert.equal(starts.length, reference.length, `${variant.uri}: segment count differs between renditions`);
      starts.forEach((start, i) => assert.ok(Math.abs(start.time - (reference?.[i]?.time ?? Number.NaN)) <= frameSeconds + 1e-6, `${variant.uri} segment ${i}: ${start.time} s vs ${reference?.[i]?.time} s in the first rendition`));
    } else reference = starts;
  }
}

interface DecodedFrame {
  keyFrame: number | undefined;
  pictType: string | undefined;
}

/** The frames ffprobe decodes from a file's first video stream (the one-process-per-file way). */
async function probeFrames(file: string): Promise<DecodedFrame[]> {
  const probe = await ffprobeJson(file, ['-select_streams', 'v:0', '-show_frames', '-show_entries', 'frame=key_frame,pict_type']);
  return (probe.frames ?? []).map((f) => ({ keyFrame: f.key_frame, pictType: f.pict_type }));
}

/**
 * The frames decoded from each file's first video stream, as if each were decoded on its own: one
 * ffmpeg with every file as its own input, so each has its own demuxer and its own fresh decoder
 * (nothing carries over from one file to the next), and a showinfo per input whose instance name
 * (Parsed_showinfo_<n>, n = the input's place in the graph) says which file a frame came from.
 * Should ffmpeg fail (say a file ffmpeg cannot open), each file of that batch is probed alone.
 */
async function decodeEachAlone(files: readonly string[]): Promise<DecodedFrame[][]> {
  const decoded: DecodedFrame[][] = [];
  const batchSize = 32;
  for (let from = 0; from < files.length; from += batchSize) {
    const batch = files.slice(from, from + batchSize);
    let stderr: string;
    try {
      stderr = await ffmpeg([
        ...batch.flatMap((file) => ['-threads', '1', '-i', file]),
        '-filter_complex', batch.map((_, i) => `[${i}:v:0]showinfo[f${i}]`).join(';'),
        ...batch.flatMap((_, i) => ['-map', `[f${i}]`]),
        '-f', 'null', '-',
      ], { loglevel: 'info' });
    } catch {
      for (const file of batch) decoded.push(await probeFrames(file));
      continue;
    }
    const frames: DecodedFrame[][] = batch.map(() => []);
    for (const m of stderr.matchAll(/^\[Parsed_showinfo_(\d+) @ [^\]]+\] n: *\d+ .*?\biskey:(\d+) type:(\S)/gm)) {
      frames[Number(m[1])]?.push({ keyFrame: Number(m[2]), pictType: m[3] });
    }
    decoded.push(...frames);
  }
  return decoded;
}

/**
 * Each I-frame playlist entry's byte range is a moof + the first sample: with the init segment in
 * front it decodes to exactly one I-frame, at the time the playlist implies; entries are one GOP apart.
 * The init + range files are decoded by decodeEachAlone, all in one ffmpeg: each still alone.
 */
export async function assertIframePlaylists(asset: LoadedAsset, scratch: string, gopSeconds: number): Promise<void> {
  assert.equal(asset.master.iframeVariants.length, videoVariants(asset).length, 'one I-frame playlist per video variant');
  const ranges: { label: string; file: string }[] = [];
  for (const attributes of asset.master.iframeVariants) {
    const uri = attributes.URI;
    assert.ok(uri, 'EXT-X-I-FRAME-STREAM-INF without URI');
    const variant = asset.master.variants.find((v) => path.posix.dirname(v.uri) === path.posix.dirname(uri));
    assert.ok(variant, `I-frame playlist ${uri} has no matching variant`);
    assert.equal(attributes.RESOLUTION, variant.attributes.RESOLUTION);
    assert.equal(attributes.CODECS, codecList(variant.attributes)[0], 'I-frame CODECS is the video codec alone');
    assert.ok(Number(attributes.BANDWIDTH) > 0 && Number(attributes.BANDWIDTH) < Number(variant.attributes.BANDWIDTH), `${uri}: I-frame BANDWIDTH is positive and below the variant's`);
    const playlist = asset.playlists.get(uri);
    assert.ok(playlist?.iframesOnly, `${uri} lacks EXT-X-I-FRAMES-ONLY`);
    const track = await trackFiles(asset, uri);
    const initBuf = await readFile(track.init);
    const init = readInit(initBuf);
    let expected = 0;
    for (const entry of playlist.entries) {
      assert.ok(entry.byteRange, `${uri}: entry without BYTERANGE`);
      const data: Buffer = await readFile(path.join(asset.dir, path.posix.dirname(uri), entry.uri));
      const { offset, length } = entry.byteRange;
      assert.ok(offset + length <= data.length, `${uri}: range ${length}@${offset} beyond ${entry.uri}`);
      const range = data.subarray(offset, offset + length);
      assert.equal(range.toString('latin1', 4, 8), 'moof', `${uri}: range ${length}@${offset} does not start at a moof`);
      const moofEnd = range.readUInt32BE(0);
      const [fragment] = readFragments(init, range.subarray(0, moofEnd));
      assert.ok(fragment?.firstIsSync, `${uri}: ${length}@${offset} is not a sync sample`);
      assert.ok(Math.abs(fragment.firstPresentation - expected) < 0.001, `${uri}: I-frame at ${fragment.firstPresentation} s, expected ${expected}`);
      // The range ends where the first sample ends: not a byte of the second sample (the decode
      // below drops a partial second sample, so would not notice one), none of the first missing.
      assert.equal(length, fragment.firstSampleEnd, `${uri}: range ${length}@${offset} is not its moof and first sample`);
      const file = path.join(scratch, `iframe-${probeFiles++}.mp4`);
      await writeFile(file, Buffer.concat([initBuf, range]));
      ranges.push({ label: `${uri} ${length}@${offset}`, file });
      expected += entry.duration;
    }
    const total = playlist.entries.reduce((sum, e) => sum + e.duration, 0);
    assert.equal(playlist.entries.length, Math.ceil(total / gopSeconds - 1e-6), `${uri}: one I-frame per ${gopSeconds} s GOP`);
  }
  const decoded = await decodeEachAlone(ranges.map((r) => r.file));
  ranges.forEach(({ label }, i) => {
    const frames = decoded[i] ?? [];
    assert.equal(frames.length, 1, `${label}: decodes to ${frames.length} frames`);
    assert.equal(frames[0]?.keyFrame, 1, `${label}: not a keyframe`);
    assert.equal(frames[0]?.pictType, 'I', `${label}: not an I-frame`);
  });
}

// --- thumbnails --------------------------------------------------------------------------------------

function vttTime(text: string): number {
  const m = /^(\d+):(\d{2}):(\d{2})\.(\d{3})$/.exec(text);
  assert.ok(m, `bad WebVTT timestamp ${text}`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000;
}

/**
 * Width and height of a whole JPEG or PNG, from its header (the start-of-frame segment, or IHDR):
 * what ffprobe reports for an image, read without starting a process. The file must also end as
 * a whole image does (EOI, IEND), so a truncated sprite fails as one ffprobe cannot read would.
 */
export function imageSize(image: Buffer, name = 'image'): { width: number; height: number } {
  if (image.length >= 33 && image.toString('latin1', 1, 4) === 'PNG' && image.toString('latin1', 12, 16) === 'IHDR') {
    assert.equal(image.toString('latin1', image.length - 8, image.length - 4), 'IEND', `${name}: a PNG that does not end with IEND`);
    return { width: image.readUInt32BE(16), height: image.readUInt32BE(20) };
  }
  assert.ok(image.length > 4 && image.readUInt16BE(0) === 0xffd8, `${name} is neither a JPEG nor a PNG`);
  assert.equal(image.readUInt16BE(image.length - 2), 0xffd9, `${name}: a JPEG that does not end with EOI`);
  let pos = 2;
  while (pos + 4 <= image.length) {
    assert.equal(image[pos], 0xff, `${name}: no JPEG marker at ${pos}`);
    const marker = image[pos + 1] ?? 0;
    if (marker === 0xff) { pos++; continue; }
    const length = image.readUInt16BE(pos + 2);
    // SOF0–SOF15 but DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      assert.ok(pos + 9 <= image.length, `${name}: short start-of-frame segment`);
      return { width: image.readUInt16BE(pos + 7), height: image.readUInt16BE(pos + 5) };
    }
    assert.ok(marker !== 0xda && marker !== 0xd9, `${name}: image data before a start-of-frame segment`);
    pos += 2 + length;
  }
  assert.fail(`${name}: no start-of-frame segment`);
}

/** The thumbnails WebVTT covers [0, duration] without gaps, and every cue is a tile inside an existing sprite. */
export async function assertThumbnailsVtt(asset: LoadedAsset, duration: number): Promise<{ cues: number; sprites: string[] }> {
  const thumbnails = asset.manifest.thumbnails;
  assert.ok(thumbnails, 'manifest.json has no thumbnails');
  const vttPath = path.join(asset.dir, thumbnails.vtt);
  const text = await readFile(vttPath, 'utf8');
  assert.ok(text.startsWith('WEBVTT'), 'the thumbnails track starts with WEBVTT');
  const cues = [...text.matchAll(/^(\S+) --> (\S+)\n(\S+)$/gm)].map((m) => ({ start: vttTime(m[1] ?? ''), end: vttTime(m[2] ?? ''), ref: m[3] ?? '' }));
  assert.ok(cues.length > 0, 'no cues');
  assert.equal(cues[0]?.start, 0, 'the first cue starts at 0');
  assert.ok(Math.abs((cues.at(-1)?.end ?? 0) - duration) <= 0.001, `the last cue ends at ${cues.at(-1)?.end}, the asset lasts ${duration}`);
  const sizes = new Map<string, { width: number; height: number }>();
  for (const [i, cue] of cues.entries()) {
    assert.ok(cue.end > cue.start, `cue ${i} is empty`);
    if (i > 0) assert.equal(cue.start, cues[i - 1]?.end, `cue ${i} does not start where cue ${i - 1} ends`);
    const m = /^([^#]+)#xywh=(\d+),(\d+),(\d+),(\d+)$/.exec(cue.ref);
    assert.ok(m?.[1], `cue ${i}: ${cue.ref} is not sprite#xywh=x,y,w,h`);
    const sprite = path.join(path.dirname(vttPath), m[1]);
    let size = sizes.get(sprite);
    if (!size) {
      assert.ok(await exists(sprite), `cue ${i}: sprite ${m[1]} does not exist`);
      size = imageSize(await readFile(sprite), `sprite ${m[1]}`);
      sizes.set(sprite, size);
    }
    const [x, y, w, h] = [m[2], m[3], m[4], m[5]].map(Number) as [number, number, number, number];
    assert.ok(w > 0 && h > 0 && x + w <= size.width && y + h <= size.height, `cue ${i}: tile ${x},${y},${w},${h} is outside the ${size.width}x${size.height} sprite`);
  }
  const sprites = [...sizes.keys()].map((s) => path.relative(asset.dir, s).split(path.sep).join('/')).sort();
  assert.deepEqual(sprites, [...thumbnails.sprites].sort(), 'the cues use exactly the sprites manifest.json lists');
  return { cues: cues.length, sprites };
}

// --- files made with ffmpeg/ffprobe ------------------------------------------------------------------

/** Top-level MP4 box types in file order. */
export async function topLevelBoxes(file: string): Promise<string[]> {
  const buf = await readFile(file);
  const types: string[] = [];
  let pos = 0;
  while (pos + 8 <= buf.length) {
    let size = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    if (size === 1) size = Number(buf.readBigUInt64BE(pos + 8));
    else if (size === 0) size = buf.length - pos;
    assert.ok(size >= 8, `bad box size ${size} at ${pos} in ${file}`);
    types.push(type);
    pos += size;
  }
  assert.equal(pos, buf.length, `${file}: boxes do not end at the end of the file`);
  return types;
}

/** Integrated loudness (LUFS) and true peak (dBTP) of a file's audio, measured with ebur128. */
export async function measureLoudness(file: string): Promise<{ integrated: number; truePeak: number }> {
  const stderr = await ffmpeg(['-i', file, '-map', '0:a:0', '-af', 'ebur128=peak=true:framelog=verbose', '-f', 'null', '-'], { loglevel: 'info' });
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const integrated = /I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1];
  const peak = /Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary)?.[1];
  assert.ok(integrated !== undefined && peak !== undefined, `no ebur128 summary in:\n${summary}`);
  return { integrated: Number(integrated), truePeak: peak === '-inf' ? -Infinity : Number(peak) };
}

let lumaLogs = 0;

/** Frame times and average luma (signalstats YAVG) of a file's video (optionally after a filter such as a crop). */
/** The mean over all frames of one signalstats value (`SATAVG`: how colourful; `YAVG`: how bright). */
export async function meanSignalStat(file: string, scratch: string, key: 'SATAVG' | 'YAVG' | 'YMAX', filterPrefix = ''): Promise<number> {
  const log = `stat-${lumaLogs++}.txt`;
  await ffmpeg(['-i', file, '-map', '0:v:0', '-vf', `${filterPrefix}signalstats,metadata=mode=print:key=lavfi.signalstats.${key}:file=${log}`, '-f', 'null', '-'], { cwd: scratch });
  const values = [...(await readFile(path.join(scratch, log), 'utf8')).matchAll(new RegExp(`lavfi\\.signalstats\\.${key}=(\\S+)`, 'g'))].map((m) => Number(m[1]));
  assert.ok(values.length > 0, `no signalstats ${key} for ${file}`);
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export async function lumaByFrame(file: string, scratch: string, options: { filterPrefix?: string; frames?: number } = {}): Promise<{ time: number; yavg: number }[]> {
  const log = `luma-${lumaLogs++}.txt`;
  // The log goes to a relative file in `scratch` so no path is spliced into the filter string.
  await ffmpeg([
    '-i', file, '-map', '0:v:0', ...(options.frames ? ['-frames:v', String(options.frames)] : []),
    '-vf', `${options.filterPrefix ?? ''}signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG:file=${log}`, '-f', 'null', '-',
  ], { cwd: scratch });
  const text = await readFile(path.join(scratch, log), 'utf8');
  const frames: { time: number; yavg: number }[] = [];
  for (const m of text.matchAll(/pts_time:(\S+)\s+lavfi\.signalstats\.YAVG=(\S+)/g)) frames.push({ time: Number(m[1]), yavg: Number(m[2]) });
  return frames;
}

/** Where the first sound after silence starts (silencedetect's first silence_end). */
export async function firstSoundAfterSilence(file: string): Promise<number> {
  const stderr = await ffmpeg(['-i', file, '-map', '0:a:0', '-af', 'silencedetect=noise=-40dB:duration=0.5', '-f', 'null', '-'], { loglevel: 'info' });
  const end = /silence_end: (-?[\d.]+)/.exec(stderr)?.[1];
  assert.ok(end !== undefined, `silencedetect found no sound after silence:\n${stderr.slice(-2000)}`);
  return Number(end);
}
