// RFC 6381 `CODECS` strings built from the decoder configuration boxes of a sample entry.
// HLS and DASH both advertise these, and players use them to decide what they can decode.

import { BoxCursor, readFullBoxHeader, type Box } from './boxes.ts';

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** `avc1.PPCCLL` from avcC: profile_idc, constraint flags, level_idc (ISO/IEC 14496-15 5.3.3). */
export function avcCodecString(entryType: string, buf: Buffer, avcC: Box): string {
  const c = new BoxCursor(buf, avcC);
  c.u8('configurationVersion');
  const profile = c.u8('AVCProfileIndication');
  const compat = c.u8('profile_compatibility');
  const level = c.u8('AVCLevelIndication');
  return `${entryType}.${hex2(profile)}${hex2(compat)}${hex2(level)}`;
}

function reverseBits32(v: number): number {
  let r = 0;
  for (let i = 0; i < 32; i++) r = (r << 1) | ((v >>> i) & 1);
  return r >>> 0;
}

/**
 * `hvc1.[A-C]P.FLAGS.[LH]LEVEL.C0.C1…` from hvcC (ISO/IEC 14496-15 Annex E): profile space
 * letter + profile_idc, compatibility flags bit-reversed in hex, tier + level_idc, then the six
 * constraint bytes in hex with trailing zero bytes dropped.
 */
export function hevcCodecString(entryType: string, buf: Buffer, hvcC: Box): string {
  const c = new BoxCursor(buf, hvcC);
  c.u8('configurationVersion');
  const b = c.u8('general_profile_space/tier/profile_idc');
  const profileSpace = b >> 6;
  const tier = (b >> 5) & 1;
  const profileIdc = b & 0x1f;
  const compat = c.u32('general_profile_compatibility_flags');
  const constraints = [...c.bytes(6, 'general_constraint_indicator_flags')];
  const level = c.u8('general_level_idc');
  while (constraints.length > 0 && constraints[constraints.length - 1] === 0) constraints.pop();
  const space = ['', 'A', 'B', 'C'][profileSpace] ?? '';
  const parts = [
    entryType,
    `${space}${profileIdc}`,
    reverseBits32(compat).toString(16).toUpperCase(),
    `${tier ? 'H' : 'L'}${level}`,
    ...constraints.map((x) => x.toString(16).toUpperCase().padStart(2, '0')),
  ];
  return parts.join('.');
}

/** `av01.P.LLT.DD` from av1C (AV1 ISOBMFF binding, "Codecs Parameter String"). */
export function av1CodecString(buf: Buffer, av1C: Box): string {
  const c = new BoxCursor(buf, av1C);
  const marker = c.u8('marker/version');
  if (marker >> 7 !== 1) throw new Error(`MP4: av1C at offset ${av1C.start}: marker bit not set`);
  const b1 = c.u8('seq_profile/seq_level_idx_0');
  const b2 = c.u8('seq_tier_0/bit depth flags');
  const profile = b1 >> 5;
  const level = b1 & 0x1f;
  const tier = b2 >> 7 ? 'H' : 'M';
  const highBitdepth = (b2 >> 6) & 1;
  const twelveBit = (b2 >> 5) & 1;
  const bitDepth = highBitdepth ? (profile === 2 && twelveBit ? 12 : 10) : 8;
  return `av01.${profile}.${String(level).padStart(2, '0')}${tier}.${String(bitDepth).padStart(2, '0')}`;
}

/** Reads an MPEG-4 descriptor header (tag + 1..4 byte size with 0x80 continuation bits). */
function readDescriptor(c: BoxCursor): { tag: number; end: number } {
  const tag = c.u8('descriptor tag');
  let size = 0;
  for (let i = 0; i < 4; i++) {
    const b = c.u8('descriptor size');
    size = (size << 7) | (b & 0x7f);
    if ((b & 0x80) === 0) break;
  }
  const end = c.pos + size;
  if (end > c.end) {
    throw new Error(`MP4: esds at offset ${c.box.start}: descriptor tag ${tag} (size ${size}) runs past the box`);
  }
  return { tag, end };
}

/**
 * `mp4a.OO[.A]` from esds (ISO/IEC 14496-1 7.2.6): objectTypeIndication in hex, then for
 * MPEG-4 audio (0x40) the audioObjectType from the AudioSpecificConfig, e.g. `mp4a.40.2`.
 */
export function mp4aCodecString(buf: Buffer, esds: Box): string {
  const c = new BoxCursor(buf, esds, readFullBoxHeader(buf, esds).contentStart);
  const es = readDescriptor(c);
  if (es.tag !== 0x03) throw new Error(`MP4: esds at offset ${esds.start}: expected ES_Descriptor, got tag ${es.tag}`);
  c.u16('ES_ID');
  const esFlags = c.u8('ES flags');
  if (esFlags & 0x80) c.skip(2, 'dependsOn_ES_ID');
  if (esFlags & 0x40) c.skip(c.u8('URLlength'), 'URLstring');
  if (esFlags & 0x20) c.skip(2, 'OCR_ES_Id');
  const dc = readDescriptor(c);
  if (dc.tag !== 0x04) {
    throw new Error(`MP4: esds at offset ${esds.start}: expected DecoderConfigDescriptor, got tag ${dc.tag}`);
  }
  const oti = c.u8('objectTypeIndication');
  c.skip(12, 'streamType/bufferSizeDB/maxBitrate/avgBitrate');
  const otiHex = hex2(oti).toUpperCase();
  if (oti !== 0x40 || c.pos >= dc.end) return `mp4a.${otiHex}`;
  const dsi = readDescriptor(c);
  if (dsi.tag !== 0x05) return `mp4a.${otiHex}`;
  // audioObjectType: 5 bits, with 31 escaping to 32 + the next 6 bits.
  const b0 = c.u8('AudioSpecificConfig');
  let aot = b0 >> 3;
  if (aot === 31) {
    const b1 = c.u8('AudioSpecificConfig');
    aot = 32 + (((b0 & 0x07) << 3) | (b1 >> 5));
  }
  return `mp4a.${otiHex}.${aot}`;
}
