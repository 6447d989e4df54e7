// classifyFailure: each rule, its precedence, and the stage that decides whether reading problems
// are the source's fault. Stderr lines are as ffmpeg/ffprobe 5.1 print them. Pure.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExitCode, FfmpegError, InputError, OutputError, type Live2vodError } from '../../src/errors/index.ts';
import { classifyFailure, type FailureStage } from '../../src/ffmpeg/classify-failure.ts';

const command = ['ffmpeg', '-hide_banner', '-i', 'file:/data/in/x.mp4', '-f', 'null', '-'];

function classify(stage: FailureStage, tail: string, exitCode: number | null = 1): Live2vodError {
  return classifyFailure(stage, exitCode, tail, command);
}

function expectKind(error: Live2vodError, kind: typeof InputError | typeof OutputError | typeof FfmpegError, message: RegExp, tail: string): void {
  assert.ok(error instanceof kind, `expected ${kind.name}, got ${error.name}: ${error.message}`);
  assert.match(error.message, message);
  assert.equal(error.stderrTail, tail, 'the tail travels with the error');
}

const outputCases: [string, RegExp][] = [
  ['[mp4 @ 0x55c4] Error writing trailer of video-720p-3000k.mp4: No space left on device', /disk is full/],
  ['av_interleaved_write_frame(): No space left on device', /disk is full/],
  ['[image2 @ 0x5612] Could not open file : sprite-000.jpg\nsprite-%03d.jpg: Permission denied', /may not write to the output location/],
  ['/mnt/out/download/720p.mp4: Read-only file system', /may not write to the output location/],
];

const inputCases: [string, RegExp][] = [
  ["[hls @ 0x5596a08af240] Format not on whitelist 'mov,mp4,m4a,3gp,3g2,mj2,flv'\nfile:/data/in/x.mp4: Invalid argument", /text file ffmpeg reads as hls \(playlists and concat lists are refused\)/],
  // A corrupt file ffmpeg can only guess at is corrupt, not a refused playlist.
  ["[jpeg_pipe @ 0x555f] Format jpeg_pipe detected only with low score of 7, misdetection possible!\n[jpeg_pipe @ 0x555f] Format not on whitelist 'mov,mp4'\nfile:/data/in/x.mp4: Invalid argument", /corrupt or not a media file: ffmpeg could only guess its format \(jpeg_pipe\)/],
  ["[h264 @ 0x557e] Format not on whitelist 'mov,mp4,m4a,3gp,3g2,mj2'\nfile:/data/in/x.mp4: Invalid argument", /raw h264 stream, not a container live2vod accepts.*remux it first/],
  ["[png_pipe @ 0x557e] Format not on whitelist 'mov,mp4'\nfile:/data/in/x.mp4: Invalid argument", /a picture \(png_pipe\), not a recording/],
  ["[concat @ 0x55dd] Protocol not on whitelist 'file'!\nfile:/data/in/x.mp4: Invalid argument", /tried to open another file or a network location/],
  ['[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55dc] moov atom not found\nfile:/data/in/x.mp4: Invalid data found when processing input', /moov atom.*truncated, unfinished/],
  ['file:/data/in/x.mp4: Invalid data found when processing input', /corrupt or not a media file/],
  ['[flv @ 0x5566] Could not find codec parameters for stream 0 (Video: h264, none): unspecified size', /corrupt or not a media file/],
  ['[mpeg4 @ 0x55ab] Failed to read frame size: Could not seek to 1026.', /corrupt or not a media file/],
  ['[matroska,webm @ 0x5612] EBML header parsing failed\nfile:/data/in/x.mkv: Invalid data found when processing input', /corrupt or not a media file/],
  ['file:/data/in/x.ts: End of file', /corrupt or not a media file/],
  ['file:/data/in/x.mp4: No such file or directory', /source file does not exist/],
  ['Decoder (codec hevc) not found for input stream #0:0', /codec this ffmpeg cannot decode/],
  ['[mov @ 0x1] Unsupported codec with id 0 for input stream 1', /codec this ffmpeg cannot decode/],
  ['Stream #0:0: no decoder found for: none', /codec this ffmpeg cannot decode/],
];

describe('classifyFailure', () => {
  test('output rules: a full disk and an unwritable location are OutputErrors (exit 4, retryable) when writing', () => {
    for (const stage of ['encode', 'package'] as const) {
      for (const [tail, message] of outputCases) {
        const error = classify(stage, tail);
        expectKind(error, OutputError, message, tail);
        assert.equal(error.exitCode, ExitCode.output);
        assert.equal(error.retryable, true);
      }
    }
  });

  test('input rules: each pattern is an InputError (exit 3, not retryable) while probing and encoding', () => {
    for (const stage of ['probe', 'encode'] as const) {
      for (const [tail, message] of inputCases) {
        const error = classify(stage, tail);
        expectKind(error, InputError, message, tail);
        assert.equal(error.exitCode, ExitCode.badInput);
        assert.equal(error.retryable, false);
      }
    }
  });

  test('patterns match case-insensitively', () => {
    expectKind(classify('encode', 'NO SPACE LEFT ON DEVICE'), OutputError, /disk is full/, 'NO SPACE LEFT ON DEVICE');
    expectKind(classify('probe', 'MOOV ATOM NOT FOUND'), InputError, /moov/, 'MOOV ATOM NOT FOUND');
  });

  test('while packaging, reading problems are our own files: FfmpegError, not bad input', () => {
    for (const [tail] of inputCases) {
      const error = classify('package', tail);
      expectKind(error, FfmpegError, /^ffmpeg failed during package \(exit 1\)$/, tail);
      assert.deepEqual((error as FfmpegError).command, command);
      assert.equal(error.exitCode, ExitCode.internal);
    }
  });

  test('output rules win over input rules when both appear', () => {
    const tail = 'file:/data/in/x.mp4: Invalid data found when processing input\nvideo-360p.mp4: No space left on device';
    expectKind(classify('encode', tail), OutputError, /disk is full/, tail);
  });

  test('the moov rule wins over the generic "Invalid data" it always comes with', () => {
    const tail = 'moov atom not found\nInvalid data found when processing input';
    expectKind(classify('probe', tail), InputError, /moov atom/, tail);
  });

  test('unknown failures are FfmpegErrors with the program, stage, exit code and command', () => {
    const tail = "[AVFilterGraph @ 0x55] No such filter: 'bwdiff'\nError initializing complex filters.";
    const error = classify('encode', tail, 234);
    expectKind(error, FfmpegError, /^ffmpeg failed during encode \(exit 234\)$/, tail);
    assert.deepEqual((error as FfmpegError).command, command);
    assert.equal(error.retryable, true);
    assert.equal(error.exitCode, ExitCode.internal);
  });

  test('a signal death says so; the program name comes from the command', () => {
    const error = classifyFailure('probe', null, '', ['/usr/bin/ffprobe', '-i', 'x']);
    assert.ok(error instanceof FfmpegError);
    assert.equal(error.message, '/usr/bin/ffprobe failed during probe (exit signal)');
    assert.equal(classifyFailure('encode', 1, '', []).message, 'ffmpeg failed during encode (exit 1)');
  });

  test('every classified error carries the command that failed, so an operator can rerun it', () => {
    for (const [stage, tail] of [['encode', outputCases[0]![0]], ['probe', inputCases[2]![0]], ['probe', 'x.mp4: Permission denied'], ['package', 'anything']] as const) {
      assert.deepEqual(classify(stage, tail).command, command, `${stage}: ${tail}`);
    }
  });

  test('an unreadable source while probing is bad input, not an output problem', () => {
    const tail = 'file:/data/in/x.mp4: Permission denied';
    const error = classify('probe', tail);
    assert.ok(error instanceof InputError, `got ${error.name}: ${error.message}`);
  });
});
