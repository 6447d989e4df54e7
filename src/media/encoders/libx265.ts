import { forceKeyframesArgs, x26xPresets, type EncoderStrategy } from './encoder.ts';

export const libx265: EncoderStrategy = {
  name: 'libx265',
  codec: 'hevc',
  needsHardware: false,
  defaultPreset: 'veryfast',
  presets: x26xPresets,
  videoArgs(r, gop, settings) {
    return [
      '-c:v', 'libx265',
      // Apple players require the hvc1 sample entry (parameter sets in the init segment).
      '-tag:v', 'hvc1',
      // Main 10 for an HDR rendition: PQ and HLG need 10 bits not to band.
      '-profile:v', r.hdr ? 'main10' : 'main',
      '-preset', settings.preset ?? libx265.defaultPreset,
      '-crf', String(r.crf),
      ...forceKeyframesArgs(gop),
      '-forced-idr', '1',
      '-x265-params', [
        `keyint=${gop.frames}`, `min-keyint=${gop.frames}`, 'scenecut=0', 'open-gop=0',
        `vbv-maxrate=${r.maxrateKbps}`, `vbv-bufsize=${r.bufsizeKbps}`,
        // HDR10 signalling (an SEI stream that players use to find the PQ range); HLG needs none.
        ...(r.hdr === 'pq' ? ['hdr10=1', 'hdr10-opt=1'] : []),
        'log-level=error',
      ].join(':'),
      '-pix_fmt', r.hdr ? 'yuv420p10le' : 'yuv420p',
    ];
  },
};
