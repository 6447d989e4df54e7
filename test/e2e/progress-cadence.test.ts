// Progress over wall time in the default configuration (thumbnails and poster on): a 12 s
// recording encoded at real time (the video ffmpeg reads with -re, see writeRealTimeFfmpeg) must
// report progress at least every 2 s, from `transcode --json` and from the API's event stream.
// Before the sprite and poster were written as single pictures, ffmpeg printed no progress until
// the sprite sheet's first (and only) tile came out at the end.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cliPath, makeTempDir, makeTestPattern, writeRealTimeFfmpeg, type TempDir } from '../helpers/media.ts';
import { cleanEnv, openSse, startServeProcess, submitJob, waitForJob, type ServeProcess } from '../helpers/serve.ts';

const maxGapMs = 2000;

/** The longest wait between `start`, each time in `times` and `end`. */
function longestGap(start: number, times: readonly number[], end: number): number {
  const all = [start, ...times.filter((t) => t > start && t < end), end];
  return Math.max(...all.slice(1).map((t, i) => t - (all[i] ?? t)));
}

interface TimedLine {
  at: number;
  event: { type: string; step?: string; state?: string; percent?: number };
}

describe('progress moves steadily with thumbnails on', () => {
  let tmp: TempDir;
  let source: string;
  let ffmpeg: string;

  before(async () => {
    tmp = await makeTempDir('live2vod-progress-');
    // 12 s: six 2 s windows of the encode, each of which must see progress.
    source = await makeTestPattern(tmp.dir, { seconds: 12, width: 640, height: 360, rate: 30, audio: 'sine', name: 'talk.mp4' });
    ffmpeg = await writeRealTimeFfmpeg(tmp.dir);
  });
  after(() => tmp.cleanup());

  test('transcode --json: a progress event at least every 2 s of the encode', { timeout: 120_000 }, async () => {
    const lines: TimedLine[] = [];
    const child = spawn(process.execPath, [cliPath, 'transcode', source, '--out', path.join(tmp.dir, 'cli-out'), '--json'], {
      env: { ...cleanEnv(), LIVE2VOD_FFMPEG: ffmpeg },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let partial = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts.filter(Boolean)) lines.push({ at: Date.now(), event: JSON.parse(line) as TimedLine['event'] });
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);
    const start = lines.find((l) => l.event.type === 'step' && l.event.step === 'encode' && l.event.state === 'start')?.at;
    const end = lines.find((l) => l.event.type === 'step' && l.event.step === 'encode' && l.event.state === 'end')?.at;
    assert.ok(start !== undefined && end !== undefined, 'the encode step started and ended');
    assert.ok(end - start >= 9_000, `the encode ran at real time (${end - start} ms)`);
    const progress = lines.filter((l) => l.event.type === 'progress');
    const gap = longestGap(start, progress.map((l) => l.at), end);
    assert.ok(gap <= maxGapMs, `longest wait for progress: ${gap} ms (${progress.length} progress events in ${end - start} ms)`);
    const percents = progress.map((l) => l.event.percent ?? 0);
    assert.ok(percents.some((p) => p > 10 && p < 90), `progress passes through the middle: ${percents.join(', ')}`);
  });

  describe('through the API', () => {
    let serve: ServeProcess;
    before(async () => {
      // The default transcode settings (thumbnails, poster, download), not the tests' tiny ones.
      serve = await startServeProcess({
        dataDir: path.join(tmp.dir, 'data'),
        config: { transcode: { thumbnails: true, download: true, quality: {} }, sourceRoots: [tmp.dir] },
        env: { LIVE2VOD_FFMPEG: ffmpeg },
      });
    });
    after(() => serve.stop());

    test('job.progress on the job\'s event stream at least every 2 s of the encode', { timeout: 120_000 }, async () => {
      const job = await submitJob(serve.url, { source });
      const stream = await openSse(`${serve.url}/v1/jobs/${job.id}/events`);
      try {
        await waitForJob(serve.url, job.id, 'succeeded', { timeoutMs: 100_000, intervalMs: 500 });
        const isStep = (state: string) => (e: { event: string; data: unknown }) => e.event === 'job.step' && JSON.stringify(e.data).includes('"step":"encode"') && JSON.stringify(e.data).includes(`"state":"${state}"`);
        const start = stream.events.find(isStep('start'))?.receivedAt;
        const end = stream.events.find(isStep('end'))?.receivedAt;
        assert.ok(start !== undefined && end !== undefined, `the encode step started and ended: ${stream.events.map((e) => e.event).join(', ')}`);
        assert.ok(end - start >= 9_000, `the encode ran at real time (${end - start} ms)`);
        const progress = stream.events.filter((e) => e.event === 'job.progress').map((e) => e.receivedAt);
        const gap = longestGap(start, progress, end);
        assert.ok(gap <= maxGapMs, `longest wait for job.progress: ${gap} ms (${progress.length} events in ${end - start} ms)`);
        // What the probe found reached the job's page while the job ran, not with the manifest.
        const probed = stream.events.find((e) => e.event === 'job.probed');
        assert.ok(probed !== undefined && probed.receivedAt < end, `job.probed before the encode ended: ${stream.events.map((e) => e.event).join(', ')}`);
        assert.match(JSON.stringify(probed.data), /"width":640,"height":360,"frameRate":30\b/);
      } finally {
        stream.close();
      }
    });
  });
});
