// The CLI's error messages: one prefix (commander's own errors included), validation in the
// project's words, the field at fault in a ladder file, what --encoder implies, a hint for a long
// option written with one dash, and the container's name in `probe`. In-process through main().

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseTranscodeFlags } from '../../src/cli/transcode-options.ts';
import { ExitCode } from '../../src/errors/index.ts';
import { containerName } from '../../src/media/container-name.ts';
import { parseLadderFile } from '../../src/media/ladder-file.ts';
import { cliInProcess } from '../helpers/cli-in-process.ts';

describe('CLI messages', () => {
  test('one prefix for every error, and the project\'s words for a bad choice', async () => {
    const cases: [string[], RegExp][] = [
      [['transcode', 'in.mp4', '--out', 'x', '--codec', 'vp9'], /^live2vod: --codec must be one of h264, hevc, av1\n$/],
      [['transcode', 'in.mp4', '--out', 'x', '--foo'], /^live2vod: unknown option '--foo'/],
      [['transcode', 'in.mp4'], /^live2vod: --out is required \(an output directory\)\n$/],
      [['transcode', 'in.mp4', '--out', 'x', '--segment', 'soon'], /^live2vod: --segment must be a number from 1 to 30\n$/],
      [['transcode', 'in.mp4', '--out', 'x', '--encoder', 'libsvtav1', '--codec', 'h264'], /^live2vod: --encoder libsvtav1 makes av1, not h264: drop --codec h264 or use --codec av1\n$/],
      [['transcode', 'in.mp4', '-out', 'x'], /^live2vod: -out is not an option: did you mean --out\? \(after one dash each letter is an option: -out reads as -o ut\)\n$/],
      [['probe', 'in.mp4', '-json'], /^live2vod: -json is not an option: did you mean --json\?/],
      [['nosuchcommand'], /^live2vod: unknown command 'nosuchcommand'/],
      // Refused before any work, not by ffmpeg after the probe (an exit 1, retried).
      [['transcode', 'in.mp4', '--out', 'x', '--preset', 'ultrasonic'], /^live2vod: --preset ultrasonic is not a preset of libx264: use one of ultrafast, superfast, veryfast, faster, fast, medium, slow, slower, veryslow, placebo\n$/],
      [['probe', 'in.mp4', '--codec', 'av1', '--preset', 'veryfast'], /^live2vod: --preset veryfast is not a preset of libsvtav1: use one of 0, 1, .*, 13\n$/],
      [['probe', 'in.mp4', '--ladder', 'weird'], /^live2vod: --ladder weird is not apple or content-aware, and as a ladder file it cannot be read \(ENOENT\)\n$/],
    ];
    for (const [argv, message] of cases) {
      const result = await cliInProcess(argv);
      assert.equal(result.code, ExitCode.usage, `${argv.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message, argv.join(' '));
      assert.doesNotMatch(result.stderr, /^error:|usage: |Invalid option|expected one of "/m, argv.join(' '));
    }
  });

  test('--encoder alone sets the codec it makes', () => {
    assert.equal(parseTranscodeFlags({ out: 'x', encoder: 'libsvtav1' }).codec, 'av1');
    assert.equal(parseTranscodeFlags({ out: 'x', encoder: 'libx265' }).codec, 'hevc');
    assert.equal(parseTranscodeFlags({ out: 'x', encoder: 'libx265', codec: 'hevc' }).codec, 'hevc');
    assert.equal(parseTranscodeFlags({ out: 'x' }).codec, 'h264');
  });

  test('a ladder file error names the field as it is written in the file', () => {
    const cases: [unknown, RegExp][] = [
      [[{ width: 1280, height: 'x', bitrateKbps: 3000 }], /: invalid ladder file: \[0\]\.height must be a number \(not a string\)/],
      [{ rungs: [{ width: 640, height: 360, bitrateKbps: 500, fps: 30 }] }, /: invalid ladder file: rungs\[0\] has unknown field "fps"/],
      [{ rungs: [{ width: 640, height: 7, bitrateKbps: 500 }] }, /: invalid ladder file: rungs\[0\]\.height must be at least 16/],
      [{ rungs: [{ width: 640, bitrateKbps: 500 }] }, /: invalid ladder file: rungs\[0\]\.height is missing/],
      [{ rungs: [] }, /: invalid ladder file: rungs needs at least one rung/],
      ['720p', /: invalid ladder file: expected an object with "rungs"/],
    ];
    for (const [json, message] of cases) assert.throws(() => parseLadderFile(json), message, JSON.stringify(json));
  });

  test('probe names the container, not the demuxer list', () => {
    assert.equal(containerName('mov,mp4,m4a,3gp,3g2,mj2'), 'MP4/MOV');
    assert.equal(containerName('matroska,webm'), 'Matroska/WebM');
    assert.equal(containerName('flv'), 'FLV');
    assert.equal(containerName('mpegts'), 'MPEG-TS');
    assert.equal(containerName('something,else'), 'something');
  });
});
