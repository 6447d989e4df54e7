// Lists the fragments (moof + mdat) of a single-track fragmented MP4 with what segmenting and
// the I-frame playlists need: byte range, timing, sample count, keyframe and first-sample end.

import type { Fragment } from '../types.ts';
import { BoxCursor, children, iterateBoxes, readFullBoxHeader, requireChild, type Box } from './boxes.ts';
import { readBoxHeaderAt, readBytesAt, type ByteSource } from './file-boxes.ts';
import { NON_SYNC, TFHD_BASE_DATA_OFFSET, TFHD_DEFAULT_DURATION, TFHD_DEFAULT_FLAGS, TFHD_DEFAULT_SIZE, TFHD_SAMPLE_DESCRIPTION_INDEX, TRUN_CTS_OFFSET, TRUN_DATA_OFFSET, TRUN_DURATION, TRUN_FIRST_SAMPLE_FLAGS, TRUN_FLAGS, TRUN_SIZE } from './fragment-flags.ts';

/** A track fragment header: its track and the sample defaults its runs may lean on. */
export interface TfhdDefaults {
  trackId: number;
  duration?: number;
  size?: number;
  flags?: number;
}

export function readTfhd(buf: Buffer, tfhd: Box): TfhdDefaults {
  const { flags, contentStart } = readFullBoxHeader(buf, tfhd);
  // An explicit base offset points into the original file, so the fragment could not be copied
  // into a segment file on its own; ffmpeg's default_base_moof never writes one.
  if (flags & TFHD_BASE_DATA_OFFSET) {
    throw new Error(`MP4: tfhd at offset ${tfhd.start} has an explicit base_data_offset; fragments must use default-base-is-moof`);
  }
  const c = new BoxCursor(buf, tfhd, contentStart);
  const d: TfhdDefaults = { trackId: c.u32('track_ID') };
  if (flags & TFHD_SAMPLE_DESCRIPTION_INDEX) c.u32('sample_description_index');
  if (flags & TFHD_DEFAULT_DURATION) d.duration = c.u32('default_sample_duration');
  if (flags & TFHD_DEFAULT_SIZE) d.size = c.u32('default_sample_size');
  if (flags & TFHD_DEFAULT_FLAGS) d.flags = c.u32('default_sample_flags');
  return d;
}

export function readTfdt(buf: Buffer, tfdt: Box): number {
  const { version, contentStart } = readFullBoxHeader(buf, tfdt);
  const c = new BoxCursor(buf, tfdt, contentStart);
  return version === 1 ? c.u64('baseMediaDecodeTime') : c.u32('baseMediaDecodeTime');
}

interface RunSummary {
  sampleCount: number;
  duration: number;
  /** Relative to the moof start (default-base-is-moof); undefined when the trun has none. */
  dataOffset?: number;
  firstSize?: number | undefined;
  firstFlags?: number | undefined;
}

function readTrun(buf: Buffer, trun: Box, d: TfhdDefaults): RunSummary {
  const { flags, contentStart } = readFullBoxHeader(buf, trun);
  const c = new BoxCursor(buf, trun, contentStart);
  const sampleCount = c.u32('sample_count');
  const run: RunSummary = { sampleCount, duration: 0 };
  if (flags & TRUN_DATA_OFFSET) run.dataOffset = c.i32('data_offset');
  const firstSampleFlags = flags & TRUN_FIRST_SAMPLE_FLAGS ? c.u32('first_sample_flags') : undefined;
  const perSample = [TRUN_DURATION, TRUN_SIZE, TRUN_FLAGS, TRUN_CTS_OFFSET].filter((f) => flags & f).length * 4;
  if (c.remaining < sampleCount * perSample) {
    throw new Error(`MP4: trun at offset ${trun.start}: ${sampleCount} samples do not fit in the box`);
  }
  if (!(flags & TRUN_DURATION) && d.duration === undefined) {
    throw new Error(`MP4: trun at offset ${trun.start}: no sample durations (neither in trun nor tfhd)`);
  }
  for (let i = 0; i < sampleCount; i++) {
    const duration = flags & TRUN_DURATION ? c.u32('sample_duration') : (d.duration ?? 0);
    const size = flags & TRUN_SIZE ? c.u32('sample_size') : d.size;
    const sampleFlags = flags & TRUN_FLAGS ? c.u32('sample_flags') : d.flags;
    if (flags & TRUN_CTS_OFFSET) c.skip(4, 'sample_composition_time_offset');
    run.duration += duration;
    if (i === 0) {
      run.firstSize = size;
      run.firstFlags = firstSampleFlags ?? sampleFlags;
    }
  }
  return run;
}

/** Parses one moof; `mdat` is the media data box that follows it. */
function readFragment(buf: Buffer, moof: Box, mdat: Box, baseOffset: number): Fragment {
  const trafs = children(buf, moof).filter((b) => b.type === 'traf');
  if (trafs.length !== 1) {
    throw new Error(`MP4: moof at offset ${moof.start} has ${trafs.length} traf boxes; exactly one track is supported`);
  }
  const traf = trafs[0]!;
  const defaults = readTfhd(buf, requireChild(buf, traf, 'tfhd'));
  const decodeTime = readTfdt(buf, requireChild(buf, traf, 'tfdt'));
  const runs = children(buf, traf)
    .filter((b) => b.type === 'trun')
    .map((trun) => readTrun(buf, trun, defaults));
  const first = runs.find((r) => r.sampleCount > 0);
  if (!first) throw new Error(`MP4: moof at offset ${moof.start} holds no samples`);
  if (first.firstSize === undefined) {
    throw new Error(`MP4: moof at offset ${moof.start}: no sample sizes (neither in trun nor tfhd)`);
  }
  const size = mdat.end - moof.start;
  // Without a data_offset the first run starts at the base, i.e. at the mdat payload in practice.
  const dataStart = first.dataOffset ?? mdat.contentStart - moof.start;
  const firstSampleEnd = dataStart + first.firstSize;
  if (dataStart < mdat.contentStart - moof.start || firstSampleEnd > size) {
    throw new Error(
      `MP4: moof at offset ${moof.start}: first sample [${dataStart}, ${firstSampleEnd}) lies outside its mdat`,
    );
  }
  return {
    offset: baseOffset + moof.start,
    size,
    decodeTime,
    duration: runs.reduce((sum, r) => sum + r.duration, 0),
    sampleCount: runs.reduce((sum, r) => sum + r.sampleCount, 0),
    // With no flags anywhere (trex defaults unread; ffmpeg always writes tfhd defaults) assume sync.
    startsWithKeyframe: ((first.firstFlags ?? 0) & NON_SYNC) === 0,
    firstSampleEnd,
  };
}

/** Top-level boxes that may sit between fragments and are skipped. */
const SKIPPED = new Set(['styp', 'sidx', 'ssix', 'prft', 'emsg', 'free', 'skip', 'uuid', 'udta', 'meta']);

/**
 * Lists the fragments of `buf` from `startOffset` (the init size, or 0 for a slice holding only
 * fragments) to the end, stopping at an mfra box. `baseOffset` is the file offset of `buf[0]`,
 * added to every Fragment.offset so the parser also works on slices of a larger file. Offsets
 * in error messages are positions in `buf`.
 */
export function parseFragments(buf: Buffer, startOffset: number, baseOffset = 0): Fragment[] {
  const fragments: Fragment[] = [];
  let moof: Box | undefined;
  for (const box of iterateBoxes(buf, startOffset)) {
    if (box.type === 'mfra') break;
    if (box.type === 'moof') {
      if (moof) throw new Error(`MP4: moof at offset ${moof.start} is not followed by an mdat`);
      moof = box;
    } else if (box.type === 'mdat') {
      if (!moof) throw new Error(`MP4: mdat at offset ${box.start} has no moof before it`);
      fragments.push(readFragment(buf, moof, box, baseOffset));
      moof = undefined;
    } else if (!moof && !SKIPPED.has(box.type)) {
      throw new Error(`MP4: unexpected top-level box '${box.type}' at offset ${box.start}`);
    }
  }
  if (moof) throw new Error(`MP4: moof at offset ${moof.start} is not followed by an mdat`);
  return fragments;
}

/** One fragment read from a file: what `parseFragments` says of it, and its bytes. */
export interface FragmentBytes {
  fragment: Fragment;
  /** The fragment's `size` bytes from its `offset`: the moof, the mdat and anything between. */
  bytes: Buffer;
}

/**
 * The streaming counterpart of `parseFragments`: walks the top-level boxes of `source` from
 * `startOffset` with small positional reads and yields the fragments in file order, each read
 * whole into its own Buffer, so that one fragment at a time is held in memory. Skips and rejects
 * the same boxes as `parseFragments` and stops at an mfra or the end of the file. Errors in the
 * top-level layout name file offsets, as `parseFragments` does on the whole file; an error inside
 * a moof names the fragment's file offset, then offsets within the fragment. On a file still being
 * written a fragment is yielded once it is there in full, and the walk ends at the mfra or once
 * the writer is done and the final end of the file is reached.
 */
export async function* readFragments(
  source: ByteSource,
  startOffset: number,
): AsyncGenerator<FragmentBytes, void, undefined> {
  // Whether the file holds a byte at `at` (on a file still being written: waits for it or for the writer).
  const more = async (at: number): Promise<boolean> => at < (await source.sizeFor(at + 1));
  let pos = startOffset;
  while (await more(pos)) {
    const box = await readBoxHeaderAt(source, pos);
    if (box.type === 'mfra') return;
    if (box.type === 'mdat') throw new Error(`MP4: mdat at offset ${box.start} has no moof before it`);
    if (box.type !== 'moof') {
      if (!SKIPPED.has(box.type)) throw new Error(`MP4: unexpected top-level box '${box.type}' at offset ${box.start}`);
      pos = box.end;
      continue;
    }
    // Like parseFragments, anything but another moof or an mfra may sit between moof and mdat.
    let end: number | undefined;
    for (let next = box.end; await more(next); ) {
      const after = await readBoxHeaderAt(source, next);
      if (after.type === 'mdat') end = after.end;
      if (after.type === 'mdat' || after.type === 'moof' || after.type === 'mfra') break;
      next = after.end;
    }
    if (end === undefined) throw new Error(`MP4: moof at offset ${box.start} is not followed by an mdat`);
    const bytes = await readBytesAt(source, box.start, end - box.start);
    let fragments: Fragment[];
    try {
      fragments = parseFragments(bytes, 0, box.start);
    } catch (error) {
      const message = error instanceof Error ? error.message.replace(/^MP4: /, '') : String(error);
      throw new Error(
        `MP4: fragment at offset ${box.start} (offsets below relative to it): ${message}`,
        { cause: error },
      );
    }
    const fragment = fragments[0];
    // The walk above has checked the layout parseFragments relies on: one moof, one mdat.
    if (fragments.length !== 1 || !fragment) {
      throw new Error(`MP4: fragment at offset ${box.start}: expected 1 moof + mdat, parsed ${fragments.length}`);
    }
    yield { fragment, bytes };
    pos = end;
  }
}
