// HLS playlists (RFC 8216 + Apple's HLS Authoring Specification) for packaged CMAF tracks.
// Pure: every function returns the playlist text. Media and I-frame playlists live in the track's
// own directory and name files relative to it; the multivariant playlist lives at the asset root.

import { targetDurationOf } from './bitrate.ts';
import { hlsVideoRange } from './hdr.ts';
import type { PackagedTrack } from './types.ts';

/** Where playback should start; the Authoring Spec names the 2000 kb/s variant as the Wi-Fi default. */
const startBitrate = 2_000_000;
/** Ceiling for the audio-only fallback variant: above this it stops being a cheap fallback. */
const maxAudioOnlyBitrate = 192_000;

// --- attribute lists -------------------------------------------------------------------------------

type AttributeValue = string | number;

/** Attributes whose value is a quoted-string (RFC 8216 §4.3.4, §4.3.4.1, §4.3.4.2). */
const quotedAttributes = new Set([
  'URI', 'GROUP-ID', 'LANGUAGE', 'ASSOC-LANGUAGE', 'NAME', 'STABLE-RENDITION-ID', 'INSTREAM-ID',
  'CHARACTERISTICS', 'CHANNELS', 'CODECS', 'AUDIO', 'VIDEO', 'SUBTITLES', 'STABLE-VARIANT-ID',
]);
/** Attributes whose value is a decimal-floating-point. */
const floatAttributes = new Set(['FRAME-RATE', 'SCORE']);

/**
 * Formats `NAME=value,...`, deciding quoting in this one place: quoted-strings get quotes,
 * decimal-integers must be integers, decimal-floating-points get three decimals, and
 * enumerated strings / resolutions are written bare. Values that the grammar cannot carry throw.
 */
export function attributeList(attributes: readonly (readonly [string, AttributeValue | undefined])[]): string {
  const parts: string[] = [];
  for (const [name, value] of attributes) {
    if (value === undefined) continue;
    parts.push(`${name}=${formatAttribute(name, value)}`);
  }
  return parts.join(',');
}

function formatAttribute(name: string, value: AttributeValue): string {
  // CLOSED-CAPTIONS is the one attribute that is either a quoted-string or the enumerated NONE.
  const quoted = quotedAttributes.has(name) || (name === 'CLOSED-CAPTIONS' && value !== 'NONE');
  if (quoted) {
    const text = String(value);
    if (/["\r\n]/.test(text)) throw new Error(`HLS attribute ${name} cannot hold ${JSON.stringify(text)}`);
    return `"${text}"`;
  }
  if (floatAttributes.has(name)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`HLS attribute ${name} needs a non-negative number, got ${value}`);
    return value.toFixed(3);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`HLS attribute ${name} needs a decimal-integer, got ${value}`);
    return String(value);
  }
  // enumerated-string or decimal-resolution: no quotes, commas or whitespace allowed.
  if (!/^[^\s",]+$/.test(value)) throw new Error(`HLS attribute ${name} cannot hold ${JSON.stringify(value)} unquoted`);
  return value;
}

// --- media playlists -------------------------------------------------------------------------------

/** Seconds with at least 3 decimals and up to 6, so long assets do not drift by rounding. */
export function formatDuration(seconds: number): string {
  return seconds.toFixed(6).replace(/0{1,3}$/, '');
}


export function writeMediaPlaylist(track: PackagedTrack): string {
  const first = track.segments[0];
  if (first === undefined) throw new Error(`track ${track.id} has no segments to list`);
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${targetDurationOf(track.segments.map((s) => s.duration))}`,
    `#EXT-X-MEDIA-SEQUENCE:${first.number}`,
    '#EXT-X-PLAYLIST-TYPE:VOD',
    // Every segment starts with a sync sample (video: an IDR), so each decodes on its own.
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-MAP:${attributeList([['URI', track.initFile]])}`,
  ];
  for (const segment of track.segments) lines.push(`#EXTINF:${formatDuration(segment.duration)},`, segment.file);
  lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

/** Trick-play playlist: each entry is one IDR, addressed by byte range inside its segment file. */
export function writeIframePlaylist(track: PackagedTrack): string {
  const entries = track.segments.flatMap((segment) => segment.keyframes.map((keyframe) => ({ file: segment.file, keyframe })));
  if (entries.length === 0) throw new Error(`track ${track.id} has no keyframes for an I-frame playlist`);
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${targetDurationOf(entries.map((e) => e.keyframe.duration))}`,
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-I-FRAMES-ONLY',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-MAP:${attributeList([['URI', track.initFile]])}`,
  ];
  for (const { file, keyframe } of entries) {
    // Always give the offset: an I-frame entry never continues where the previous range ended.
    lines.push(`#EXTINF:${formatDuration(keyframe.duration)},`, `#EXT-X-BYTERANGE:${keyframe.length}@${keyframe.offset}`, file);
  }
  lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

// --- multivariant playlist ---------------------------------------------------------------------------

interface Variant {
  track: PackagedTrack;
  bandwidth: number;
  averageBandwidth: number;
}

/**
 * HLS Authoring Spec: the first variant listed is the one the client plays first, and the default
 * (Wi-Fi) variant should be the ~2000 kb/s one — high enough to look decent, low enough to start
 * fast (the top rung stalls on slow links; the bottom rung looks poor until ABR climbs). So the variant whose average is closest to 2 Mb/s goes first (ties: the richer),
 * and the rest follow by BANDWIDTH descending, which keeps the list easy to read.
 */
function orderVariants(variants: readonly Variant[]): Variant[] {
  const descending = [...variants].sort((a, b) => b.bandwidth - a.bandwidth || a.track.id.localeCompare(b.track.id));
  // Playback starts on the first variant, so in a mixed ladder it is one every device decodes and
  // shows right: H.264, SDR.
  const universal = descending.filter((v) => v.track.track.codecString.startsWith('avc1.') && v.track.rendition?.hdr === undefined);
  let start: Variant | undefined;
  for (const variant of universal.length > 0 ? universal : descending) {
    if (start === undefined || Math.abs(variant.averageBandwidth - startBitrate) < Math.abs(start.averageBandwidth - startBitrate)) start = variant;
  }
  return start === undefined ? [] : [start, ...descending.filter((v) => v !== start)];
}

function uri(track: PackagedTrack, file: string): string {
  return `${track.dir}/${file}`;
}

function resolution(track: PackagedTrack): string {
  const { width, height } = track.track;
  if (width === undefined || height === undefined) throw new Error(`video track ${track.id} has no width/height`);
  return `${width}x${height}`;
}

/**
 * `audio` is the default audio rendition, `alternateAudio` the others: all are EXT-X-MEDIA of one
 * group, so every variant names the group and the player offers each language.
 */
export function writeMultivariantPlaylist(input: { video: PackagedTrack[]; audio?: PackagedTrack; alternateAudio?: readonly PackagedTrack[] }): string {
  const { audio } = input;
  if (input.video.length === 0 && audio === undefined) throw new Error('a multivariant playlist needs at least one track');
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];

  const audioTracks = audio === undefined ? [] : [audio, ...(input.alternateAudio ?? [])];
  for (const rendition of audioTracks) {
    if (rendition.peakBitrate > maxAudioOnlyBitrate) {
      throw new Error(`audio track ${rendition.id} peaks at ${rendition.peakBitrate} b/s; an audio-only variant may not exceed ${maxAudioOnlyBitrate}`);
    }
    lines.push(audioMediaTag(rendition, rendition === audio));
  }

  // Peaks and averages add up because audio is carried in a separate rendition fetched in parallel;
  // a variant must cover the richest rendition of its group (RFC 8216 4.3.4.2), whichever is chosen.
  const audioPeak = Math.max(0, ...audioTracks.map((t) => t.peakBitrate));
  const audioAverage = Math.max(0, ...audioTracks.map((t) => t.averageBitrate));
  const variants = orderVariants(input.video.map((track) => ({
    track,
    bandwidth: Math.ceil(track.peakBitrate + audioPeak),
    averageBandwidth: Math.ceil(track.averageBitrate + audioAverage),
  })));
  for (const { track, bandwidth, averageBandwidth } of variants) {
    const frameRate = track.rendition?.frameRate;
    lines.push(`#EXT-X-STREAM-INF:${attributeList([
      ['BANDWIDTH', bandwidth],
      ['AVERAGE-BANDWIDTH', averageBandwidth],
      ['CODECS', audio === undefined ? track.track.codecString : `${track.track.codecString},${audio.track.codecString}`],
      ['RESOLUTION', resolution(track)],
      ['FRAME-RATE', frameRate === undefined ? undefined : frameRate.num / frameRate.den],
      ['AUDIO', audio === undefined ? undefined : 'audio'],
      ['CLOSED-CAPTIONS', 'NONE'],
      // No SUPPLEMENTAL-CODECS: it names a second, backward-compatible format in the same stream
      // (Dolby Vision over HDR10 or HLG), which these encodes never carry.
      ['VIDEO-RANGE', hlsVideoRange(track.rendition)],
    ])}`, uri(track, track.playlistFile));
  }

  for (const { track } of variants) {
    // A track packaged without an I-frame playlist simply offers no trick play.
    if (track.iframePlaylistFile === undefined) continue;
    if (track.iframePeakBitrate === undefined || track.iframeAverageBitrate === undefined) {
      throw new Error(`video track ${track.id} has an I-frame playlist but no I-frame bitrates`);
    }
    lines.push(`#EXT-X-I-FRAME-STREAM-INF:${attributeList([
      ['BANDWIDTH', Math.ceil(track.iframePeakBitrate)],
      ['AVERAGE-BANDWIDTH', Math.ceil(track.iframeAverageBitrate)],
      ['CODECS', track.track.codecString],
      ['RESOLUTION', resolution(track)],
      ['VIDEO-RANGE', hlsVideoRange(track.rendition)],
      ['URI', uri(track, track.iframePlaylistFile)],
    ])}`);
  }

  if (audio !== undefined) {
    // An audio-only variant lets a starved client keep the sound going instead of stalling.
    lines.push(`#EXT-X-STREAM-INF:${attributeList([
      ['BANDWIDTH', Math.ceil(audio.peakBitrate)],
      ['AVERAGE-BANDWIDTH', Math.ceil(audio.averageBitrate)],
      ['CODECS', audio.track.codecString],
      ['AUDIO', 'audio'],
    ])}`, uri(audio, audio.playlistFile));
  }
  return lines.join('\n') + '\n';
}

/** One audio rendition of the group; only the default one is DEFAULT, all may be auto-selected by language. */
function audioMediaTag(track: PackagedTrack, isDefault: boolean): string {
  const channels = track.track.channels ?? track.audio?.channels ?? 2;
  return `#EXT-X-MEDIA:${attributeList([
    ['TYPE', 'AUDIO'],
    ['GROUP-ID', 'audio'],
    ['NAME', track.audio?.name ?? 'Audio'],
    ['LANGUAGE', track.audio?.language],
    ['DEFAULT', isDefault ? 'YES' : 'NO'],
    ['AUTOSELECT', 'YES'],
    ['CHANNELS', String(channels)],
    ['URI', uri(track, track.playlistFile)],
  ])}`;
}
