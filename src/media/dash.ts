// A static DASH MPD over the same CMAF files the HLS playlists use. Pure: returns the XML text.
// Paths are relative to the MPD, which sits at the asset root next to master.m3u8.

import { dashColourDescriptors } from './hdr.ts';
import { dashSegmentTemplate, segmentFileName } from './segment-names.ts';
import type { PackagedTrack, Rational, Segment } from './types.ts';

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes a value for a double-quoted XML attribute; CR/LF/TAB as references so parsers keep them. */
export function escapeXmlAttribute(value: string): string {
  return value.replace(/[&<>"'\r\n\t]/g, (c) => entities[c] ?? `&#${c.charCodeAt(0)};`);
}

function element(name: string, attributes: readonly (readonly [string, string | number | undefined])[], children?: readonly string[]): string {
  const attrs = attributes
    .filter((entry): entry is readonly [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXmlAttribute(String(value))}"`)
    .join('');
  if (children === undefined || children.length === 0) return `<${name}${attrs}/>`;
  return [`<${name}${attrs}>`, ...children.map((child) => child.replace(/^/gm, '  ')), `</${name}>`].join('\n');
}

/** xs:duration in seconds; PT3600.000S is valid, so no need to split into hours and minutes. */
function isoDuration(seconds: number): string {
  return `PT${seconds.toFixed(3)}S`;
}

/** DASH FrameRateType: an integer, or `num/den` when the rate is fractional (30000/1001). */
function frameRate(rate: Rational | undefined): string | undefined {
  if (rate === undefined) return undefined;
  return rate.num % rate.den === 0 ? String(rate.num / rate.den) : `${rate.num}/${rate.den}`;
}

/**
 * S elements: `t` on the first and after any gap, and runs of equal durations folded into `r`
 * (r counts the repeats after the first, so 6,6,6,1 is <S d=6 r=2/><S d=1/>).
 */
function segmentTimeline(segments: readonly Segment[]): string[] {
  const runs: { t?: number | undefined; d: number; r: number }[] = [];
  let end: number | undefined;
  for (const segment of segments) {
    const last = runs.at(-1);
    const contiguous = end === segment.decodeTime;
    if (last !== undefined && contiguous && last.d === segment.durationTicks) last.r += 1;
    else runs.push({ t: contiguous ? undefined : segment.decodeTime, d: segment.durationTicks, r: 0 });
    end = segment.decodeTime + segment.durationTicks;
  }
  return runs.map((run) => element('S', [['t', run.t], ['d', run.d], ['r', run.r === 0 ? undefined : run.r]]));
}

function segmentTemplate(track: PackagedTrack): string {
  const first = track.segments[0];
  if (first === undefined) throw new Error(`track ${track.id} has no segments for the MPD`);
  // $Number$ only addresses the files if they are named and numbered exactly as the template says.
  track.segments.forEach((segment, i) => {
    if (segment.number !== first.number + i) throw new Error(`track ${track.id}: segment numbers are not consecutive at ${segment.number}`);
    if (segment.file !== segmentFileName(segment.number)) {
      throw new Error(`track ${track.id}: segment ${segment.number} is named ${segment.file}, not ${segmentFileName(segment.number)}`);
    }
  });
  return element('SegmentTemplate', [
    ['timescale', track.track.timescale],
    ['initialization', `${track.dir}/${track.initFile}`],
    ['media', `${track.dir}/${dashSegmentTemplate}`],
    ['startNumber', first.number],
  ], [element('SegmentTimeline', [], segmentTimeline(track.segments))]);
}

/**
 * One video AdaptationSet per codec and dynamic range: a player switches freely inside a set, so a
 * set holds only what one decoder shows one way (a mixed ladder's H.264 SDR and HEVC HDR rungs
 * are two sets; a player picks the set it can decode and display). In the tracks' order.
 */
function videoGroups(tracks: readonly PackagedTrack[]): PackagedTrack[][] {
  const groups = new Map<string, PackagedTrack[]>();
  for (const track of tracks) {
    const key = `${track.track.codecString.split('.')[0]}/${track.rendition?.hdr ?? 'sdr'}`;
    groups.set(key, [...(groups.get(key) ?? []), track]);
  }
  return [...groups.values()];
}

function videoAdaptationSet(tracks: readonly PackagedTrack[], id: number): string {
  const rates = tracks.flatMap((t) => (t.rendition === undefined ? [] : [t.rendition.frameRate]));
  const maxRate = rates.reduce<Rational | undefined>((max, r) => (max === undefined || r.num / r.den > max.num / max.den ? r : max), undefined);
  const representations = [...tracks]
    .sort((a, b) => b.peakBitrate - a.peakBitrate)
    .map((track) => element('Representation', [
      ['id', track.id],
      ['bandwidth', Math.ceil(track.peakBitrate)],
      ['width', track.track.width],
      ['height', track.track.height],
      ['frameRate', frameRate(track.rendition?.frameRate)],
      ['codecs', track.track.codecString],
      ['sar', '1:1'],
    ], [segmentTemplate(track)]));
  const hdr = tracks[0]?.rendition?.hdr;
  const descriptors = dashColourDescriptors(hdr).map((d) => element(d.element, [['schemeIdUri', d.schemeIdUri], ['value', d.value]]));
  return element('AdaptationSet', [
    ['id', id],
    ['contentType', 'video'],
    ['mimeType', 'video/mp4'],
    ['segmentAlignment', 'true'],
    // Every segment starts with an IDR (SAP type 1), so players may switch at any segment.
    ['startWithSAP', 1],
    ['maxWidth', Math.max(...tracks.map((t) => t.track.width ?? 0))],
    ['maxHeight', Math.max(...tracks.map((t) => t.track.height ?? 0))],
    ['maxFrameRate', frameRate(maxRate)],
  ], [...descriptors, ...representations]);
}

/**
 * One AdaptationSet per audio track: a player switches languages between sets, bitrates within one.
 * Role `main` marks the default track and `alternate` the others (the DASH role scheme); Label
 * carries the NAME the HLS playlist shows.
 */
function audioAdaptationSet(track: PackagedTrack, id: number, isDefault: boolean, labelled: boolean): string {
  const channels = track.track.channels ?? track.audio?.channels ?? 2;
  return element('AdaptationSet', [
    ['id', id],
    ['contentType', 'audio'],
    ['mimeType', 'audio/mp4'],
    ['lang', track.audio?.language ?? 'und'],
    ['segmentAlignment', 'true'],
    ['startWithSAP', 1],
  ], [
    // A one-track asset keeps the MPD it always had.
    ...(labelled ? [
      `<Label>${escapeXmlAttribute(track.audio?.name ?? track.id)}</Label>`,
      element('Role', [['schemeIdUri', 'urn:mpeg:dash:role:2011'], ['value', isDefault ? 'main' : 'alternate']]),
    ] : []),
    element('Representation', [
      ['id', track.id],
      ['bandwidth', Math.ceil(track.peakBitrate)],
      ['codecs', track.track.codecString],
      ['audioSamplingRate', track.track.sampleRate ?? track.audio?.sampleRate],
    ], [
      element('AudioChannelConfiguration', [['schemeIdUri', 'urn:mpeg:dash:23003:3:audio_channel_configuration:2011'], ['value', channels]]),
      segmentTemplate(track),
    ]),
  ]);
}

export function writeMpd(input: { video: PackagedTrack[]; audio?: PackagedTrack; alternateAudio?: readonly PackagedTrack[]; duration: number }): string {
  const { video, audio } = input;
  if (video.length === 0 && audio === undefined) throw new Error('an MPD needs at least one track');
  const audioTracks = audio === undefined ? [] : [audio, ...(input.alternateAudio ?? [])];
  // Representation ids must be unique across the whole MPD, not just within an AdaptationSet.
  const ids = [...video, ...audioTracks].map((t) => t.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined) throw new Error(`representation id ${duplicate} is used twice`);

  const labelled = audioTracks.length > 1;
  const videoSets = videoGroups(video).map((tracks, i) => videoAdaptationSet(tracks, i));
  // Audio sets are numbered after the video ones (1 and up for a one-codec ladder, as always).
  const sets = [...videoSets, ...audioTracks.map((t, i) => audioAdaptationSet(t, Math.max(1, videoSets.length) + i, i === 0, labelled))];
  const mpd = element('MPD', [
    ['xmlns', 'urn:mpeg:dash:schema:mpd:2011'],
    ['profiles', 'urn:mpeg:dash:profile:isoff-live:2011'],
    ['type', 'static'],
    ['mediaPresentationDuration', isoDuration(input.duration)],
    ['minBufferTime', 'PT2S'],
  ], [element('Period', [['id', '0'], ['start', 'PT0S']], sets)]);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${mpd}\n`;
}
