import { forceKeyframesArgs, type EncoderStrategy } from './encoder.ts';

export const libsvtav1: EncoderStrategy = {
  name: 'libsvtav1',
  codec: 'av1',
  needsHardware: false,
  // SVT-AV1's presets are numbers: 0 slowest, 13 fastest.
  defaultPreset: '10',
  presets: Array.from({ length: 14 }, (_, i) => String(i)),
  videoArgs(r, gop, settings) {
    return [
      '-c:v', 'libsvtav1',
      '-preset', settings.preset ?? libsvtav1.defaultPreset,
      '-crf', String(r.crf),
      // SVT-AV1 places keyframes on its own intra period; make it exactly one GOP, closed.
      '-g', String(gop.frames),
      ...forceKeyframesArgs(gop),
      '-svtav1-params', `irefresh-type=2:scd=0:mbr=${r.maxrateKbps}`,
      '-pix_fmt', 'yuv420p',
    ];
  },
};
