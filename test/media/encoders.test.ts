// Golden argument arrays per encoder strategy, and the encoder fallback rules. Pure: no ffmpeg runs.
// The sample rendition is 1280x720 at 30000/1001 fps, 3000 kb/s capped CRF 23, GOP 2 s = 60 frames.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EnvironmentError, ExitCode } from '../../src/errors/index.ts';
import { forceKeyframesArgs, kbps, type GopSpec } from '../../src/media/encoders/encoder.ts';
import { chooseEncoder, encoderNames, encoders } from '../../src/media/encoders/registry.ts';
import type { EncoderName, VideoRendition } from '../../src/media/types.ts';
import { gopFor } from '../../src/media/video-command.ts';

const rendition: VideoRendition = {
  id: '720p-3000k',
  codec: 'h264',
  width: 1280,
  height: 720,
  frameRate: { num: 30000, den: 1001 },
  bitrateKbps: 3000,
  maxrateKbps: 3000,
  bufsizeKbps: 6000,
  crf: 23,
};

const gop: GopSpec = { seconds: 2, frames: 60 };

describe('GOP sizing', () => {
  test('2 s at 30000/1001 fps is 60 frames (rounded up from 59.94)', () => {
    assert.deepEqual(gopFor(rendition, 2), gop);
  });

  test('whole rates give exact frame counts; fractional ones round up, never down', () => {
    assert.deepEqual(gopFor({ ...rendition, frameRate: { num: 30, den: 1 } }, 2), { seconds: 2, frames: 60 });
    assert.deepEqual(gopFor({ ...rendition, frameRate: { num: 60000, den: 1001 } }, 2), { seconds: 2, frames: 120 });
    assert.deepEqual(gopFor({ ...rendition, frameRate: { num: 25, den: 1 } }, 2), { seconds: 2, frames: 50 });
    assert.deepEqual(gopFor({ ...rendition, frameRate: { num: 24000, den: 1001 } }, 2), { seconds: 2, frames: 48 });
    assert.deepEqual(gopFor({ ...rendition, frameRate: { num: 25, den: 1 } }, 0.5), { seconds: 0.5, frames: 13 });
  });

  test('keyframes are forced on the wall-clock grid, not by frame count', () => {
    assert.deepEqual(forceKeyframesArgs(gop), ['-force_key_frames', 'expr:gte(t,n_forced*2)']);
    assert.deepEqual(forceKeyframesArgs({ seconds: 1.5, frames: 45 }), ['-force_key_frames', 'expr:gte(t,n_forced*1.5)']);
    assert.equal(kbps(3000), '3000k');
  });
});

describe('libx264', () => {
  test('capped CRF, closed GOP of exactly 60 frames, no scene-cut keyframes', () => {
    assert.deepEqual(encoders.libx264.videoArgs(rendition, gop, {}), [
      '-c:v', 'libx264',
      '-profile:v', 'high',
      '-preset', 'veryfast',
      '-crf', '23',
      '-maxrate', '3000k',
      '-bufsize', '6000k',
      '-g', '60',
      '-keyint_min', '60',
      '-sc_threshold', '0',
      '-force_key_frames', 'expr:gte(t,n_forced*2)',
      '-forced-idr', '1',
      '-x264-params', 'open-gop=0:scenecut=0:stitchable=1',
      '-pix_fmt', 'yuv420p',
    ]);
  });

  test('a preset setting replaces the default, nothing else changes', () => {
    const args = encoders.libx264.videoArgs(rendition, gop, { preset: 'medium' });
    assert.equal(args[args.indexOf('-preset') + 1], 'medium');
    assert.equal(args.filter((a) => a === 'veryfast').length, 0);
    assert.equal(args.length, encoders.libx264.videoArgs(rendition, gop, {}).length);
  });
});

describe('libx265', () => {
  test('hvc1 tag, closed GOP, keyint = GOP frames, VBV from the rendition', () => {
    assert.deepEqual(encoders.libx265.videoArgs({ ...rendition, codec: 'hevc' }, gop, {}), [
      '-c:v', 'libx265',
      '-tag:v', 'hvc1',
      '-profile:v', 'main',
      '-preset', 'veryfast',
      '-crf', '23',
      '-force_key_frames', 'expr:gte(t,n_forced*2)',
      '-forced-idr', '1',
      '-x265-params', 'keyint=60:min-keyint=60:scenecut=0:open-gop=0:vbv-maxrate=3000:vbv-bufsize=6000:log-level=error',
      '-pix_fmt', 'yuv420p',
    ]);
  });

  test('VBV and keyint follow a different rendition and GOP', () => {
    const args = encoders.libx265.videoArgs({ ...rendition, maxrateKbps: 1950, bufsizeKbps: 3900, crf: 26 }, { seconds: 4, frames: 100 }, { preset: 'fast' });
    assert.equal(args[args.indexOf('-x265-params') + 1], 'keyint=100:min-keyint=100:scenecut=0:open-gop=0:vbv-maxrate=1950:vbv-bufsize=3900:log-level=error');
    assert.equal(args[args.indexOf('-crf') + 1], '26');
    assert.equal(args[args.indexOf('-preset') + 1], 'fast');
    assert.equal(args[args.indexOf('-force_key_frames') + 1], 'expr:gte(t,n_forced*4)');
  });
});

describe('libsvtav1', () => {
  test('intra period of one GOP, closed (irefresh-type=2), no scene detection, capped by mbr', () => {
    assert.deepEqual(encoders.libsvtav1.videoArgs({ ...rendition, codec: 'av1' }, gop, {}), [
      '-c:v', 'libsvtav1',
      '-preset', '10',
      '-crf', '23',
      '-g', '60',
      '-force_key_frames', 'expr:gte(t,n_forced*2)',
      '-svtav1-params', 'irefresh-type=2:scd=0:mbr=3000',
      '-pix_fmt', 'yuv420p',
    ]);
  });
});

describe('h264_nvenc', () => {
  test('constant quality VBR with a cap, strict GOP, forced IDRs', () => {
    assert.deepEqual(encoders.h264_nvenc.videoArgs(rendition, gop, {}), [
      '-c:v', 'h264_nvenc',
      '-profile:v', 'high',
      '-preset', 'p4',
      '-tune', 'hq',
      '-rc', 'vbr',
      '-cq', '23',
      '-b:v', '0',
      '-maxrate', '3000k',
      '-bufsize', '6000k',
      '-g', '60',
      '-no-scenecut', '1',
      '-strict_gop', '1',
      '-force_key_frames', 'expr:gte(t,n_forced*2)',
      '-forced-idr', '1',
      '-pix_fmt', 'yuv420p',
    ]);
  });
});

describe('registry', () => {
  test('every name maps to the strategy of that name, with its codec family and hardware need', () => {
    assert.deepEqual([...encoderNames].sort(), Object.keys(encoders).sort());
    for (const name of encoderNames) assert.equal(encoders[name].name, name);
    assert.deepEqual(
      encoderNames.map((n) => [n, encoders[n].codec, encoders[n].needsHardware]),
      [['libx264', 'h264', false], ['libx265', 'hevc', false], ['libsvtav1', 'av1', false], ['h264_nvenc', 'h264', true]],
    );
  });

  test('every strategy sets the codec first and yuv420p last, and never a container or output', () => {
    for (const name of encoderNames) {
      const args = encoders[name].videoArgs(rendition, gop, {});
      assert.deepEqual(args.slice(0, 2), ['-c:v', name]);
      assert.deepEqual(args.slice(-2), ['-pix_fmt', 'yuv420p']);
      assert.equal(args.length % 2, 0, `${name}: options come in pairs`);
      for (let i = 0; i < args.length; i += 2) assert.match(args[i] ?? '', /^-[\w:-]+$/, `${name}: ${args[i]} is an option name`);
      assert.ok(!args.includes('-f') && !args.includes('-map') && !args.includes('-i'), `${name} adds no muxer, map or input`);
    }
  });
});

describe('chooseEncoder', () => {
  const only = (...names: EncoderName[]) => (name: EncoderName) => names.includes(name);

  test('a usable encoder is chosen as is, without a fallback', () => {
    for (const name of encoderNames) {
      const choice = chooseEncoder(name, only(...encoderNames));
      assert.equal(choice.encoder, encoders[name]);
      assert.equal(choice.fallback, undefined);
    }
    assert.equal(chooseEncoder('libsvtav1', only('libsvtav1')).fallback, undefined);
  });

  test('an unopenable hardware encoder falls back to libx264, naming the requested one', () => {
    const choice = chooseEncoder('h264_nvenc', only('libx264', 'libx265'));
    assert.equal(choice.encoder, encoders.libx264);
    assert.equal(choice.fallback?.requested, 'h264_nvenc');
    assert.match(choice.fallback?.reason ?? '', /^h264_nvenc could not be opened/);
    assert.match(choice.fallback?.reason ?? '', /GPU/);
    assert.match(choice.fallback?.reason ?? '', /falling back to libx264$/);
  });

  test('a software encoder missing from the build falls back to libx264 and says it is not compiled in', () => {
    for (const requested of ['libx265', 'libsvtav1'] as const) {
      const choice = chooseEncoder(requested, only('libx264'));
      assert.equal(choice.encoder.name, 'libx264');
      assert.equal(choice.encoder.codec, 'h264', 'the fallback changes the codec family too');
      assert.deepEqual(choice.fallback, { requested, reason: `${requested} is not compiled into this ffmpeg; falling back to libx264` });
    }
  });

  test('without libx264 there is nothing to fall back to: EnvironmentError (exit 5)', () => {
    for (const requested of ['h264_nvenc', 'libx265', 'libsvtav1'] as const) {
      assert.throws(() => chooseEncoder(requested, (n) => n !== requested && n !== 'libx264'), (error: unknown) => {
        assert.ok(error instanceof EnvironmentError);
        assert.equal(error.exitCode, ExitCode.environment);
        assert.equal(error.retryable, false);
        assert.match(error.message, new RegExp(`neither ${requested} nor the fallback libx264`));
        assert.match(error.message, /install an ffmpeg with libx264/);
        return true;
      });
    }
    assert.throws(() => chooseEncoder('libx264', () => false), EnvironmentError);
  });
});
