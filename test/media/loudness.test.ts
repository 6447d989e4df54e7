// Two-pass loudnorm: reading the measuring pass's report out of real ffmpeg 5.1 stderr, and the
// linear-mode filter of the second pass. Pure.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { downmixFilter, measureFilter, normaliseFilter, parseLoudnessReport, pendingMeasurement, silenceLufs, type LoudnessMeasurement } from '../../src/media/loudness.ts';
import type { LoudnessTarget } from '../../src/media/plan.ts';

// Captured from `ffmpeg -loglevel info … -af …,loudnorm=…:print_format=json -f null -` (tabs as printed).
const speechStderr = `Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'file:/data/in/townhall.mp4':
  Metadata:
    major_brand     : isom
    encoder         : Lavf59.27.100
  Duration: 00:41:07.52, start: 0.000000, bitrate: 5960 kb/s
  Stream #0:1[0x2](eng): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 128 kb/s (default)
Stream mapping:
  Stream #0:1 -> #0:0 (aac (native) -> pcm_s16le (native))
Output #0, null, to 'pipe:':
  Metadata:
    encoder         : Lavf59.27.100
  Stream #0:0(eng): Audio: pcm_s16le, 192000 Hz, stereo, s16, 6144 kb/s (default)
    Metadata:
      encoder         : Lavc59.37.100 pcm_s16le
video:0kB audio:3750kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: unknown
[Parsed_loudnorm_1 @ 0x55d4f47ffc80] \n{
\t"input_i" : "-27.61",
\t"input_tp" : "-4.47",
\t"input_lra" : "18.06",
\t"input_thresh" : "-39.20",
\t"output_i" : "-16.58",
\t"output_tp" : "-1.50",
\t"output_lra" : "14.78",
\t"output_thresh" : "-27.71",
\t"normalization_type" : "dynamic",
\t"target_offset" : "0.58"
}
`;

const silenceStderr = `size=N/A time=00:00:03.00 bitrate=N/A speed= 142x
video:0kB audio:2250kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: unknown
[Parsed_loudnorm_1 @ 0x5626a49db900] \n{
\t"input_i" : "-inf",
\t"input_tp" : "-inf",
\t"input_lra" : "0.00",
\t"input_thresh" : "-70.00",
\t"output_i" : "-inf",
\t"output_tp" : "-inf",
\t"output_lra" : "0.00",
\t"output_thresh" : "-70.00",
\t"normalization_type" : "dynamic",
\t"target_offset" : "inf"
}
`;

const target: LoudnessTarget = { integrated: -16, truePeak: -1.5, range: 11 };

describe('parseLoudnessReport', () => {
  test('reads the input_* figures and the offset from the last JSON block of stderr', () => {
    assert.deepEqual(parseLoudnessReport(speechStderr), { integrated: -27.61, truePeak: -4.47, range: 18.06, threshold: -39.2, offset: 0.58 });
  });

  test('the last block wins when something printed braces earlier', () => {
    const stderr = `[matroska @ 0x1] tag {"something": "else"}\n${speechStderr}`;
    assert.equal(parseLoudnessReport(stderr).integrated, -27.61);
  });

  test('silence reports -inf, which becomes a non-finite measurement (skipped later)', () => {
    const measured = parseLoudnessReport(silenceStderr);
    assert.ok(!Number.isFinite(measured.integrated));
    assert.ok(!Number.isFinite(measured.offset));
    assert.equal(measured.threshold, -70);
  });

  test('no report, or a report missing fields, is an error', () => {
    assert.throws(() => parseLoudnessReport('size=N/A time=00:00:03.00 bitrate=N/A\n'), /no measurement/);
    assert.throws(() => parseLoudnessReport('{ "input_i" : "-20.0" }'));
    assert.throws(() => parseLoudnessReport('{ not json }'));
  });
});

describe('loudnorm filters', () => {
  test('the measuring pass downmixes to 48 kHz stereo first and prints JSON', () => {
    assert.equal(measureFilter(target), 'aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,loudnorm=I=-16:TP=-1.5:LRA=11:print_format=json');
  });

  test('golden: the second pass in linear mode with every measured value', () => {
    assert.equal(normaliseFilter(target, parseLoudnessReport(speechStderr)), [
      'aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo',
      'loudnorm=I=-16:TP=-1.5:LRA=20:measured_I=-27.61:measured_TP=-4.47:measured_LRA=18.06:measured_thresh=-39.2:offset=0.58:linear=true:print_format=summary',
      'aresample=48000',
    ].join(','));
  });

  test('the range target is widened to the measured range (+1, rounded up) so linear mode stays possible, within 50', () => {
    const lra = (range: number) => /:LRA=(\d+):/.exec(normaliseFilter(target, { integrated: -20, truePeak: -3, range, threshold: -30, offset: 0 }))?.[1];
    assert.equal(lra(3.2), '11', 'a narrow source keeps the target');
    assert.equal(lra(10), '11');
    assert.equal(lra(10.01), '12');
    assert.equal(lra(18.06), '20');
    assert.equal(lra(49.5), '50');
    assert.equal(lra(75), '50', 'loudnorm accepts at most LRA=50');
  });

  test('silence and near-silence are not amplified: only the downmix', () => {
    const quiet: LoudnessMeasurement = { integrated: -75.3, truePeak: -60, range: 0, threshold: -85.3, offset: 0 };
    assert.equal(normaliseFilter(target, quiet), downmixFilter);
    assert.equal(normaliseFilter(target, parseLoudnessReport(silenceStderr)), downmixFilter);
    assert.equal(normaliseFilter(target, undefined), downmixFilter);
    assert.notEqual(normaliseFilter(target, { ...quiet, integrated: silenceLufs }), downmixFilter, 'exactly at the threshold is still normalised');
  });

  test('the dry-run placeholder names the first pass', () => {
    const pending = normaliseFilter(target, pendingMeasurement);
    assert.ok(pending.startsWith(`${downmixFilter},loudnorm=I=-16:TP=-1.5:`));
    assert.match(pending, /measured_I=<from pass 1>/);
    assert.match(pending, /linear=true,aresample=48000$/);
  });
});
