import { forceKeyframesArgs, type EncoderStrategy } from './encoder.ts';

export const libx265: EncoderStrategy = {
  name: 'libx265',
  codec: 'hevc',
  needsHardware: false,
  videoArgs(r, gop, settings) {
    return [
      '-c:v', 'libx265',
      // Apple players require the hvc1 sample entry (parameter sets in the init segment).
      '-tag:v', 'hvc1',
      '-profile:v', 'main',
      '-preset', settings.preset ?? 'veryfast',
      '-crf', String(r.crf),
      ...forceKeyframesArgs(gop),
      '-forced-idr', '1',
      '-x265-params', [
        `keyint=${gop.frames}`, `min-keyint=${gop.frames}`, 'scenecut=0', 'open-gop=0',
        `vbv-maxrate=${r.maxrateKbps}`, `vbv-bufsize=${r.bufsizeKbps}`, 'log-level=error',
      ].join(':'),
      '-pix_fmt', 'yuv420p',
    ];
  },
};
