import { forceKeyframesArgs, kbps, type EncoderStrategy } from './encoder.ts';

export const h264Nvenc: EncoderStrategy = {
  name: 'h264_nvenc',
  codec: 'h264',
  needsHardware: true,
  defaultPreset: 'p4',
  // p1 (fastest) to p7, and the older names this ffmpeg still takes.
  presets: ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'default', 'slow', 'medium', 'fast', 'hp', 'hq', 'bd', 'll', 'llhq', 'llhp', 'lossless', 'losslesshp'],
  videoArgs(r, gop, settings) {
    return [
      '-c:v', 'h264_nvenc',
      '-profile:v', 'high',
      '-preset', settings.preset ?? h264Nvenc.defaultPreset,
      '-tune', 'hq',
      // Constant quality with a cap: NVENC's counterpart of capped CRF.
      '-rc', 'vbr',
      '-cq', String(r.crf),
      '-b:v', '0',
      '-maxrate', kbps(r.maxrateKbps),
      '-bufsize', kbps(r.bufsizeKbps),
      '-g', String(gop.frames),
      '-no-scenecut', '1',
      '-strict_gop', '1',
      ...forceKeyframesArgs(gop),
      '-forced-idr', '1',
      '-pix_fmt', 'yuv420p',
    ];
  },
};
