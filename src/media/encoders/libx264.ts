import { forceKeyframesArgs, kbps, x26xPresets, type EncoderStrategy } from './encoder.ts';

export const libx264: EncoderStrategy = {
  name: 'libx264',
  codec: 'h264',
  needsHardware: false,
  defaultPreset: 'veryfast',
  presets: x26xPresets,
  videoArgs(r, gop, settings) {
    return [
      '-c:v', 'libx264',
      '-profile:v', 'high',
      '-preset', settings.preset ?? libx264.defaultPreset,
      // Capped CRF: quality-driven, with a ceiling players can plan for.
      '-crf', String(r.crf),
      '-maxrate', kbps(r.maxrateKbps),
      '-bufsize', kbps(r.bufsizeKbps),
      // keyint = one GOP; min-keyint equal and scenecut off: no extra keyframes between boundaries.
      '-g', String(gop.frames),
      '-keyint_min', String(gop.frames),
      '-sc_threshold', '0',
      ...forceKeyframesArgs(gop),
      '-forced-idr', '1',
      // stitchable: headers that do not depend on the content, so chunks of one recording share one init.
      '-x264-params', 'open-gop=0:scenecut=0:stitchable=1',
      '-pix_fmt', 'yuv420p',
    ];
  },
};
