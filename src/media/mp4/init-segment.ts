// Reads the init part (ftyp + moov) of a single-track fragmented MP4: where it ends, and what
// the manifests need to say about the track (kind, timescale, codec string, size / audio format).

import type { TrackInfo } from '../types.ts';
import {
  BoxCursor,
  children,
  findChild,
  iterateBoxes,
  readBoxHeader,
  readFullBoxHeader,
  requireChild,
  requirePath,
  type Box,
} from './boxes.ts';
import { av1CodecString, avcCodecString, hevcCodecString, mp4aCodecString } from './codec-string.ts';
import { readBoxHeaderAt, readBytesAt, readHeadAt, type ByteSource } from './file-boxes.ts';

/** Top-level boxes that begin the media part; the init segment is everything before the first. */
const MEDIA_BOXES = new Set(['moof', 'mdat', 'styp', 'sidx', 'ssix', 'prft', 'emsg', 'mfra']);

/**
 * Finds the end of the init part. The type of each top-level box is checked before its size, so
 * a buffer holding only the start of the file (up to the first moof header) is enough.
 */
function findInitEnd(buf: Buffer): { moov: Box; initSize: number } {
  let pos = 0;
  let moov: Box | undefined;
  while (pos + 8 <= buf.length) {
    if (MEDIA_BOXES.has(buf.toString('latin1', pos + 4, pos + 8))) break;
    const box = readBoxHeader(buf, pos);
    if (box.type === 'moov') moov = box;
    pos = box.end;
  }
  if (pos < buf.length && pos + 8 > buf.length) {
    throw new Error(`MP4: truncated box header at offset ${pos} (only ${buf.length - pos} bytes left)`);
  }
  if (!moov) throw new Error(`MP4: no 'moov' box before offset ${pos}; not an MP4 init segment`);
  return { moov, initSize: pos };
}

function readTimescale(buf: Buffer, mdhd: Box): number {
  const { version, contentStart } = readFullBoxHeader(buf, mdhd);
  const c = new BoxCursor(buf, mdhd, contentStart);
  c.skip(version === 1 ? 16 : 8, 'creation/modification time');
  const timescale = c.u32('timescale');
  if (timescale === 0) throw new Error(`MP4: mdhd at offset ${mdhd.start}: timescale is 0`);
  return timescale;
}

function readHandler(buf: Buffer, hdlr: Box): 'video' | 'audio' {
  const c = new BoxCursor(buf, hdlr, readFullBoxHeader(buf, hdlr).contentStart);
  c.skip(4, 'pre_defined');
  const handler = c.fourcc('handler_type');
  if (handler === 'vide') return 'video';
  if (handler === 'soun') return 'audio';
  throw new Error(`MP4: hdlr at offset ${hdlr.start}: unsupported handler '${handler}' (want vide or soun)`);
}

/** tkhd width/height (16.16 fixed point): the presentation size; 0 when not set. */
function readTkhdSize(buf: Buffer, tkhd: Box): { width: number; height: number } {
  const { version, contentStart } = readFullBoxHeader(buf, tkhd);
  const c = new BoxCursor(buf, tkhd, contentStart);
  c.skip(version === 1 ? 32 : 20, 'times/track_ID/duration');
  c.skip(52, 'reserved/layer/alternate_group/volume/matrix');
  return { width: Math.round(c.u32('width') / 65536), height: Math.round(c.u32('height') / 65536) };
}

function describeVideoEntry(buf: Buffer, entry: Box, track: TrackInfo, tkhd: Box): void {
  // VisualSampleEntry (14496-12 12.1.3): 78 bytes of fields, then configuration boxes.
  const c = new BoxCursor(buf, entry);
  c.skip(24, 'SampleEntry/pre_defined fields');
  const codedWidth = c.u16('width');
  const codedHeight = c.u16('height');
  const size = readTkhdSize(buf, tkhd);
  track.width = size.width || codedWidth;
  track.height = size.height || codedHeight;
  const config = (type: string): Box => requireChild(buf, entry, type, 78);
  switch (entry.type) {
    case 'avc1':
    case 'avc3':
      track.codecString = avcCodecString(entry.type, buf, config('avcC'));
      return;
    case 'hvc1':
    case 'hev1':
      track.codecString = hevcCodecString(entry.type, buf, config('hvcC'));
      return;
    case 'av01':
      track.codecString = av1CodecString(buf, config('av1C'));
      return;
    default:
      throw new Error(`MP4: unsupported video sample entry '${entry.type}' at offset ${entry.start}`);
  }
}

function describeAudioEntry(buf: Buffer, entry: Box, track: TrackInfo): void {
  // AudioSampleEntry (14496-12 12.2.3); QuickTime versions 1 and 2 append 16 / 36 bytes.
  const c = new BoxCursor(buf, entry);
  c.skip(8, 'SampleEntry fields');
  const version = c.u16('version');
  c.skip(6, 'reserved');
  let channels = c.u16('channelcount');
  c.skip(6, 'samplesize/pre_defined/reserved');
  let sampleRate = c.u32('samplerate') >>> 16;
  if (version === 1) c.skip(16, 'QuickTime v1 fields');
  if (version === 2) {
    c.skip(4, 'sizeOfStructOnly');
    sampleRate = Math.round(c.bytes(8, 'audioSampleRate').readDoubleBE(0));
    channels = c.u32('numAudioChannels');
    c.skip(20, 'QuickTime v2 fields');
  }
  track.channels = channels;
  // A 16.16 sample rate overflows above 65535 Hz; the media timescale is the sample rate then.
  track.sampleRate = sampleRate || track.timescale;
  if (entry.type !== 'mp4a') {
    throw new Error(`MP4: unsupported audio sample entry '${entry.type}' at offset ${entry.start}`);
  }
  const esds = findChild(buf, entry, 'esds', c.pos - entry.contentStart);
  if (!esds) throw new Error(`MP4: mp4a sample entry at offset ${entry.start} has no 'esds' box`);
  track.codecString = mp4aCodecString(buf, esds);
}

/**
 * Parses the init part of a single-track fragmented MP4. `initSize` is the byte length of
 * everything before the first media box (moof, or styp/sidx/… that precede it).
 */
export function parseInitSegment(buf: Buffer): { track: TrackInfo; initSize: number } {
  const { moov, initSize } = findInitEnd(buf);
  if (!findChild(buf, moov, 'mvex')) {
    throw new Error(`MP4: moov at offset ${moov.start} has no 'mvex'; the file is not fragmented`);
  }
  const traks = children(buf, moov).filter((b) => b.type === 'trak');
  if (traks.length !== 1) {
    throw new Error(`MP4: moov at offset ${moov.start} has ${traks.length} tracks; exactly one is supported`);
  }
  const trak = traks[0]!;
  const mdia = requireChild(buf, trak, 'mdia');
  const kind = readHandler(buf, requireChild(buf, mdia, 'hdlr'));
  const timescale = readTimescale(buf, requireChild(buf, mdia, 'mdhd'));
  const stsd = requirePath(buf, mdia, ['minf', 'stbl', 'stsd']);
  const stsdHeader = readFullBoxHeader(buf, stsd);
  const entryCount = new BoxCursor(buf, stsd, stsdHeader.contentStart).u32('entry_count');
  if (entryCount < 1) throw new Error(`MP4: stsd at offset ${stsd.start} has no sample entries`);
  const entry = readBoxHeader(buf, stsdHeader.contentStart + 4, stsd.end);

  const track: TrackInfo = { kind, timescale, codecString: '' };
  if (kind === 'video') describeVideoEntry(buf, entry, track, requireChild(buf, trak, 'tkhd'));
  else describeAudioEntry(buf, entry, track);
  return { track, initSize };
}

/**
 * `parseInitSegment` for a file too large to read whole: finds the end of the init part by
 * walking the top-level box headers with small positional reads (the same walk, and the same
 * errors, as on the whole file in a Buffer), then reads and parses only that part. On a file still
 * being written it waits for the bytes it needs (see `ByteSource`).
 */
export async function readInitSegment(source: ByteSource): Promise<{ track: TrackInfo; initSize: number; init: Buffer }> {
  let pos = 0;
  let size: number;
  for (;;) {
    const read = await readHeadAt(source, pos);
    size = read.size;
    if (pos + 8 > size) break;
    if (MEDIA_BOXES.has(read.head.toString('latin1', 4, 8))) break;
    pos = (await readBoxHeaderAt(source, pos)).end;
  }
  if (pos < size && pos + 8 > size) {
    throw new Error(`MP4: truncated box header at offset ${pos} (only ${size - pos} bytes left)`);
  }
  const init = await readBytesAt(source, 0, pos);
  const { track, initSize } = parseInitSegment(init);
  return { track, initSize, init };
}

/**
 * The stsd box (codec and its configuration) of an init segment: what two pieces of one track must
 * share to be played under one init (the chunks of a stitch, the re-encoded ends of a clip).
 */
export function sampleDescription(init: Buffer): Buffer {
  const moov = [...iterateBoxes(init, 0)].find((b) => b.type === 'moov');
  if (!moov) throw new Error('an init segment without moov');
  const trak = children(init, moov).find((b) => b.type === 'trak');
  if (!trak) throw new Error('an init segment without trak');
  const stsd = requirePath(init, trak, ['mdia', 'minf', 'stbl', 'stsd']);
  return init.subarray(stsd.start, stsd.end);
}
