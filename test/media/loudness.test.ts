// Two-pass loudnorm: reading the measuring pass's report out of real ffmpeg 5.1 stderr, and the
// linear-mode filter of the second pass. Pure.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { downmixFilter, measureFilter, normaliseFilter, parseLoudnessReport, pendingMeasurement, silenceLufs, type LoudnessMeasurement } from '../../src/media/loudness.ts';
import type { LoudnessTarget } from '../../src/media/plan.ts';

// Captured from real ffmpeg 5.1: `ffmpeg -loglevel info … -af aformat=…,ebur128=peak=true -f null -`.
const speechStderr = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/data/in/townhall.mp4':
  Duration: 00:41:07.52, start: 0.000000, bitrate: 5960 kb/s
  Stream #0:1[0x2](eng): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 128 kb/s (default)
Stream mapping:
  Stream #0:1 -> #0:0 (aac (native) -> pcm_s16le (native))
video:0kB audio:3750kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: unknown
[Parsed_ebur128_1 @ 0x55e519dd30c0] Summary:

  Integrated loudness:
    I:         -27.6 LUFS
    Threshold: -39.2 LUFS

  Loudness range:
    LRA:        18.1 LU
    Threshold: -49.4 LUFS
    LRA low:   -38.0 LUFS
    LRA high:  -19.9 LUFS

  True peak:
    Peak:      -14.5 dBFS
`;

const silenceStderr = `video:0kB audio:564kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: unknown
[Parsed_ebur128_1 @ 0x556452a8a340] Summary:

  Integrated loudness:
    I:         -70.0 LUFS
    Threshold:   0.0 LUFS

  Loudness range:
    LRA:         0.0 LU
    Threshold:   0.0 LUFS
    LRA low:     0.0 LUFS
    LRA high:    0.0 LUFS

  True peak:
    Peak:       -inf dBFS
`;

const target: LoudnessTarget = { integrated: -16, truePeak: -1.5, range: 11 };

describe('parseLoudnessReport', () => {
  test('reads integrated loudness, its gate, the range and the true peak from the summary', () => {
    assert.deepEqual(parseLoudnessReport(speechStderr), { integrated: -27.6, threshold: -39.2, range: 18.1, truePeak: -14.5 });
  });

  test('the last summary wins', () => {
    assert.equal(parseLoudnessReport(`${silenceStderr}\n${speechStderr}`).integrated, -27.6);
  });

  test('silence: the absolute gate and an infinitely low peak', () => {
    const measured = parseLoudnessReport(silenceStderr);
    assert.equal(measured.integrated, silenceLufs);
    assert.equal(measured.truePeak, Number.NEGATIVE_INFINITY);
  });

  test('no summary, or a summary missing fields, is an error', () => {
    assert.throws(() => parseLoudnessReport('size=N/A time=00:00:03.00 bitrate=N/A\n'), /no measurement/);
    assert.throws(() => parseLoudnessReport('Summary:\n  Integrated loudness:\n    I: -20.0 LUFS\n'), /lacks/);
  });
});

describe('normalisation filters', () => {
  test('the measuring pass downmixes to 48 kHz stereo first', () => {
    assert.equal(measureFilter(), 'aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,ebur128=peak=true:framelog=verbose');
  });

  test('golden: one linear gain when the true peak stays under the limit', () => {
    assert.equal(normaliseFilter(target, parseLoudnessReport(speechStderr)), `${downmixFilter},volume=11.60dB`);
    assert.equal(normaliseFilter(target, { integrated: -10, truePeak: -0.1, range: 3, threshold: -20 }), `${downmixFilter},volume=-6.00dB`, 'loud sources are turned down');
  });

  test('exactly at the peak limit is still linear; past it, loudnorm limits dynamically', () => {
    assert.equal(normaliseFilter(target, { integrated: -20, truePeak: -5.5, range: 4, threshold: -30 }), `${downmixFilter},volume=4.00dB`);
    assert.equal(normaliseFilter(target, { integrated: -20, truePeak: -5.4, range: 4, threshold: -30 }), [
      downmixFilter,
      'loudnorm=I=-16:TP=-1.5:LRA=11:measured_I=-20:measured_TP=-5.4:measured_LRA=4:measured_thresh=-30:print_format=summary',
      'aresample=48000',
    ].join(','));
  });

  test('the dynamic fallback keeps the measured range (+1, rounded up), within 50', () => {
    const lra = (range: number) => /:LRA=(\d+):/.exec(normaliseFilter(target, { integrated: -30, truePeak: -3, range, threshold: -40 }))?.[1];
    assert.equal(lra(3.2), '11', 'a narrow source keeps the target');
    assert.equal(lra(10.01), '12');
    assert.equal(lra(18.06), '20');
    assert.equal(lra(75), '50', 'loudnorm accepts at most LRA=50');
  });

  test('silence and near-silence are not amplified: only the downmix', () => {
    const quiet: LoudnessMeasurement = { integrated: -75.3, truePeak: -60, range: 0, threshold: -85.3 };
    assert.equal(normaliseFilter(target, quiet), downmixFilter);
    assert.equal(normaliseFilter(target, parseLoudnessReport(silenceStderr)), downmixFilter);
    assert.equal(normaliseFilter(target, undefined), downmixFilter);
    assert.notEqual(normaliseFilter(target, { ...quiet, integrated: silenceLufs + 0.1 }), downmixFilter, 'just above the gate is normalised');
  });

  test('the dry-run placeholder names the first pass', () => {
    assert.equal(normaliseFilter(target, pendingMeasurement), `${downmixFilter},volume=<-16 LUFS − integrated loudness of pass 1>dB`);
  });
});
