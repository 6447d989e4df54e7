// The samples of one fragment (moof + mdat) with their bytes, and a fragment written from samples:
// what a clip needs to copy a run of audio frames out of the parent's fragments without decoding.
// Reads any trun layout; writes one trun with explicit durations, sizes and flags, default-base-is-moof.
import { BoxCursor, children, readBoxHeader, readFullBoxHeader, requireChild } from './boxes.ts';
import { readTfdt, readTfhd } from './fragments.ts';
import { TFHD_DEFAULT_BASE_IS_MOOF, TRUN_CTS_OFFSET, TRUN_DATA_OFFSET, TRUN_DURATION, TRUN_FIRST_SAMPLE_FLAGS, TRUN_FLAGS, TRUN_SIZE } from './fragment-flags.ts';

export interface Sample {
  /** Ticks of the track's timescale. */
  duration: number;
  flags: number;
  compositionOffset: number;
  data: Buffer;
}

export interface FragmentSamples {
  trackId: number;
  decodeTime: number;
  samples: Sample[];
}

/** Every sample of the fragment that starts `bytes` (one track, default-base-is-moof as ffmpeg writes). */
export function readFragmentSamples(bytes: Buffer): FragmentSamples {
  const moof = readBoxHeader(bytes, 0);
  if (moof.type !== 'moof') throw new Error(`MP4: a fragment must start with moof, found '${moof.type}'`);
  const traf = requireChild(bytes, moof, 'traf');
  const defaults = readTfhd(bytes, requireChild(bytes, traf, 'tfhd'));
  const decodeTime = readTfdt(bytes, requireChild(bytes, traf, 'tfdt'));
  const samples: Sample[] = [];
  for (const trun of children(bytes, traf).filter((b) => b.type === 'trun')) {
    const { flags, contentStart } = readFullBoxHeader(bytes, trun);
    const c = new BoxCursor(bytes, trun, contentStart);
    const count = c.u32('sample_count');
    // ffmpeg writes every run's data_offset; a run without one is not guessed at.
    if (!(flags & TRUN_DATA_OFFSET)) throw new Error(`MP4: trun at offset ${trun.start} has no data_offset`);
    let at = moof.start + c.i32('data_offset');
    const firstFlags = flags & TRUN_FIRST_SAMPLE_FLAGS ? c.u32('first_sample_flags') : undefined;
    for (let i = 0; i < count; i++) {
      const duration = flags & TRUN_DURATION ? c.u32('sample_duration') : defaults.duration;
      const size = flags & TRUN_SIZE ? c.u32('sample_size') : defaults.size;
      const sampleFlags = flags & TRUN_FLAGS ? c.u32('sample_flags') : (i === 0 && firstFlags !== undefined ? firstFlags : (defaults.flags ?? 0));
      const compositionOffset = flags & TRUN_CTS_OFFSET ? c.i32('sample_composition_time_offset') : 0;
      if (duration === undefined || size === undefined) throw new Error(`MP4: trun at offset ${trun.start}: sample ${i} has no ${duration === undefined ? 'duration' : 'size'}`);
      if (at + size > bytes.length) throw new Error(`MP4: trun at offset ${trun.start}: sample ${i} runs past the fragment's end`);
      samples.push({ duration, flags: sampleFlags, compositionOffset, data: bytes.subarray(at, at + size) });
      at += size;
    }
  }
  return { trackId: defaults.trackId, decodeTime, samples };
}

function box(type: string, ...parts: Buffer[]): Buffer {
  const header = Buffer.alloc(8);
  const size = 8 + parts.reduce((sum, p) => sum + p.length, 0);
  header.writeUInt32BE(size, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, ...parts], size);
}

function fullBox(type: string, version: number, flags: number, body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
  return box(type, head, body);
}

/** One fragment (moof + mdat) of `samples` at `decodeTime`, numbered `sequence`. */
export function writeFragment(fragment: FragmentSamples, sequence: number): Buffer {
  const { samples } = fragment;
  const mfhd = fullBox('mfhd', 0, 0, u32s(sequence));
  const tfhd = fullBox('tfhd', 0, TFHD_DEFAULT_BASE_IS_MOOF, u32s(fragment.trackId));
  const tfdtBody = Buffer.alloc(8);
  tfdtBody.writeBigUInt64BE(BigInt(fragment.decodeTime));
  const tfdt = fullBox('tfdt', 1, 0, tfdtBody);
  const cts = samples.some((s) => s.compositionOffset !== 0);
  const perSample = cts ? 16 : 12;
  const trunBody = Buffer.alloc(8 + samples.length * perSample);
  trunBody.writeUInt32BE(samples.length, 0);
  samples.forEach((s, i) => {
    const at = 8 + i * perSample;
    trunBody.writeUInt32BE(s.duration, at);
    trunBody.writeUInt32BE(s.data.length, at + 4);
    trunBody.writeUInt32BE(s.flags >>> 0, at + 8);
    if (cts) trunBody.writeInt32BE(s.compositionOffset, at + 12);
  });
  // Version 1: signed composition offsets.
  const trunFlags = TRUN_DATA_OFFSET | TRUN_DURATION | TRUN_SIZE | TRUN_FLAGS | (cts ? TRUN_CTS_OFFSET : 0);
  const trun = fullBox('trun', 1, trunFlags, trunBody);
  const moof = box('moof', mfhd, box('traf', tfhd, tfdt, trun));
  // The data offset counts from the moof's first byte to the first sample, past the mdat header.
  const dataOffsetAt = moof.length - trun.length + 16;
  moof.writeInt32BE(moof.length + 8, dataOffsetAt);
  return Buffer.concat([moof, box('mdat', ...samples.map((s) => s.data))]);
}

function u32s(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value, 0);
  return b;
}
