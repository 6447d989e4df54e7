// ProgressParser on `-progress pipe:1` output as ffmpeg 5.1 writes it, fed in arbitrary chunks.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ProgressParser, type FfmpegProgress } from '../../src/ffmpeg/progress.ts';

// Three blocks from a real run: before the first packet, mid-way, and the end.
const blocks = [
  'frame=0\nfps=0.00\nstream_0_0_q=0.0\nbitrate=N/A\ntotal_size=48\nout_time_us=N/A\nout_time_ms=N/A\nout_time=N/A\ndup_frames=0\ndrop_frames=0\nspeed=N/A\nprogress=continue\n',
  'frame=151\nfps=75.32\nstream_0_0_q=28.0\nstream_0_1_q=29.0\nbitrate=1822.4kbits/s\ntotal_size=1146928\nout_time_us=5033333\nout_time_ms=5033333\nout_time=00:00:05.033333\ndup_frames=2\ndrop_frames=0\nspeed=2.51x\nprogress=continue\n',
  'frame=300\nfps=80.11\nstream_0_0_q=-1.0\nbitrate=1790.2kbits/s\ntotal_size=2237950\nout_time_us=10000000\nout_time_ms=10000000\nout_time=00:00:10.000000\ndup_frames=2\ndrop_frames=0\nspeed= 132x\nprogress=end\n',
];
const stream = blocks.join('');

const expected: FfmpegProgress[] = [
  { outTime: 0, frame: 0, fps: 0, done: false },
  { outTime: 5.033333, frame: 151, fps: 75.32, speed: 2.51, done: false },
  { outTime: 10, frame: 300, fps: 80.11, speed: 132, done: true },
];

function feed(chunks: string[]): FfmpegProgress[] {
  const parser = new ProgressParser();
  return chunks.flatMap((c) => parser.push(c));
}

describe('ProgressParser', () => {
  test('whole blocks: one progress per block; N/A values are absent, not NaN; progress=end is done', () => {
    assert.deepEqual(feed([stream]), expected);
  });

  test('byte-by-byte chunks give the same result', () => {
    assert.deepEqual(feed([...stream]), expected);
  });

  test('chunks split mid-key, mid-value and across blocks give the same result', () => {
    for (const size of [2, 3, 7, 13, 64, 101]) {
      const chunks: string[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.slice(i, i + size));
      assert.deepEqual(feed(chunks), expected, `chunk size ${size}`);
    }
  });

  test('a block is only reported once its progress= line is complete', () => {
    const parser = new ProgressParser();
    assert.deepEqual(parser.push('frame=10\nout_time_us=400000\nprogress=en'), []);
    assert.deepEqual(parser.push('d'), []);
    assert.deepEqual(parser.push('\n'), [{ outTime: 0.4, frame: 10, done: true }]);
  });

  test('blocks do not leak values into the next block', () => {
    const parser = new ProgressParser();
    parser.push('frame=10\nspeed=2.0x\nout_time_us=1000000\nprogress=continue\n');
    assert.deepEqual(parser.push('out_time_us=2000000\nprogress=continue\n'), [{ outTime: 2, done: false }]);
  });

  test('negative or garbage times count as 0; out_time_ms (also µs in ffmpeg) is the fallback', () => {
    assert.deepEqual(feed(['out_time_us=-9223372036854775807\nout_time=-2562047788:00:54.775807\nprogress=continue\n']), [{ outTime: 0, done: false }]);
    assert.deepEqual(feed(['out_time_ms=1500000\nprogress=continue\n']), [{ outTime: 1.5, done: false }]);
    assert.deepEqual(feed(['out_time_us=abc\nfps=nan\nspeed=x\nprogress=continue\n']), [{ outTime: 0, done: false }]);
  });

  test('CRLF line ends and blank or malformed lines are tolerated', () => {
    assert.deepEqual(feed(['\r\nframe=5\r\n=oops\r\nnoequals\r\nout_time_us=200000\r\nprogress=continue\r\n']), [{ outTime: 0.2, frame: 5, done: false }]);
  });

  test('text without a progress line yields nothing', () => {
    assert.deepEqual(feed(['frame=1\nfps=0.0\n', 'out_time_us=33333\n']), []);
  });
});
