// HDR facts in one place: which sources are HDR, the filter that tone-maps them to SDR, the colour
// tags each rendition's stream carries, and how HLS and DASH name its range. Pure.
import type { HdrTransfer, SourceVideo, VideoRendition } from './types.ts';

/**
 * How an HDR source becomes SDR: `zscale` linearises PQ/HLG with libzimg and tone-maps (hable);
 * `colorspace` (no libzimg in this ffmpeg) only converts BT.2020 to BT.709: the curve is not mapped,
 * so the picture comes out flat and highlights clip. It says so in a warning.
 */
export type ToneMapper = 'zscale' | 'colorspace';

/** PQ or HLG from ffprobe's color_transfer; anything else (bt709, untagged) is SDR. */
export function hdrTransferOf(video: SourceVideo): HdrTransfer | undefined {
  if (video.colorTransfer === 'smpte2084') return 'pq';
  if (video.colorTransfer === 'arib-std-b67') return 'hlg';
  return undefined;
}

const zimgTransfer: Record<HdrTransfer, string> = { pq: 'smpte2084', hlg: 'arib-std-b67' };

/**
 * The filters after a rendition's scale that make an SDR BT.709 8-bit picture of an HDR source.
 * The input tags are stated, not read from the frames, so an oddly tagged matrix cannot skew it.
 */
export function toneMapChain(transfer: HdrTransfer, mapper: ToneMapper): string {
  if (mapper === 'colorspace') {
    return `colorspace=all=bt709:iall=bt2020:itrc=bt2020-10:format=yuv420p:fast=1`;
  }
  return [
    // To linear light, nominal peak 100 nits: SDR white is where tonemap puts 1.0.
    `zscale=tin=${zimgTransfer[transfer]}:min=bt2020nc:pin=bt2020:rin=tv:t=linear:npl=100`,
    'format=gbrpf32le',
    'zscale=p=bt709',
    // hable keeps highlight detail; desat=0 keeps the colours of bright areas.
    'tonemap=tonemap=hable:desat=0',
    'zscale=t=bt709:m=bt709:r=tv',
    'format=yuv420p',
  ].join(',');
}

/**
 * The end of a rendition's filter chain, after its scale: 10-bit for an HDR rendition, else 8-bit
 * 4:2:0, tone-mapped first when the source is HDR. Tone-mapping after the scale costs less than
 * once at the source's size: the SDR rungs are at most 1080p, the source may be 4K. The quality
 * measure builds its reference with the same chain, so it measures encoding, not tone mapping.
 */
export function pictureFormat(rendition: VideoRendition, source: SourceVideo, mapper: ToneMapper | undefined): string {
  if (rendition.hdr) return 'format=yuv420p10le';
  const transfer = hdrTransferOf(source);
  if (transfer) return toneMapChain(transfer, mapper ?? 'zscale');
  return 'format=yuv420p';
}

/**
 * The colour tags of a rendition's stream (VUI in the SPS, `colr` in the MP4): set only when the
 * source is HDR, so an SDR source's renditions stay byte-identical to what they always were. The
 * encoders write them from these options (ffmpeg's libx264 and libx265 wrappers both do).
 */
export function colourArgs(rendition: VideoRendition, source: SourceVideo): string[] {
  if (rendition.hdr) {
    return ['-color_primaries', 'bt2020', '-color_trc', zimgTransfer[rendition.hdr], '-colorspace', 'bt2020nc', '-color_range', 'tv'];
  }
  // Tone-mapped: say BT.709 (ffmpeg would otherwise copy the source's PQ tags onto SDR pixels).
  if (hdrTransferOf(source)) return ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv'];
  return [];
}

/** HLS VIDEO-RANGE (RFC 8216bis 4.4.6.2): PQ, HLG or SDR. */
export function hlsVideoRange(rendition: VideoRendition | undefined): 'PQ' | 'HLG' | 'SDR' {
  if (rendition?.hdr === 'pq') return 'PQ';
  if (rendition?.hdr === 'hlg') return 'HLG';
  return 'SDR';
}

export interface DashDescriptor {
  element: 'EssentialProperty' | 'SupplementalProperty';
  schemeIdUri: string;
  value: string;
}

const cicp = 'urn:mpeg:mpegB:cicp:';

/**
 * The DASH-IF IOP (4.3, 6.2.5) signalling of an HDR adaptation set, with ISO/IEC 23091-2 code
 * points: PQ (16) is essential, a player that does not know it must skip the set; HLG (18) is
 * supplemental beside the SDR-compatible BT.2020 transfer (14), since HLG looks right on SDR too.
 */
export function dashColourDescriptors(hdr: HdrTransfer | undefined): DashDescriptor[] {
  if (hdr === undefined) return [];
  const colour: DashDescriptor[] = [
    { element: 'EssentialProperty', schemeIdUri: `${cicp}ColourPrimaries`, value: '9' },
    { element: 'EssentialProperty', schemeIdUri: `${cicp}MatrixCoefficients`, value: '9' },
  ];
  if (hdr === 'pq') return [...colour, { element: 'EssentialProperty', schemeIdUri: `${cicp}TransferCharacteristics`, value: '16' }];
  return [
    ...colour,
    { element: 'EssentialProperty', schemeIdUri: `${cicp}TransferCharacteristics`, value: '14' },
    { element: 'SupplementalProperty', schemeIdUri: `${cicp}TransferCharacteristics`, value: '18' },
  ];
}
