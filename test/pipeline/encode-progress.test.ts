// The job's progress from ffmpeg's: ffmpeg's last block is 100 %, unless the run was stopped (a
// SIGTERMed ffmpeg writes `progress=end` too, and a cancelled job must not read as finished).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressReporter } from '../../src/pipeline/encode.ts';
import type { TranscodeEvent } from '../../src/pipeline/events.ts';

function percents(signal?: AbortSignal): { events: number[]; report: ReturnType<typeof progressReporter> } {
  const events: number[] = [];
  const report = progressReporter(40, (event: TranscodeEvent) => { if (event.type === 'progress') events.push(event.percent); }, signal);
  return { events, report };
}

test('the last block of a finished encode is 100 %; of a stopped one, where it got to', () => {
  const finished = percents(new AbortController().signal);
  finished.report({ outTime: 10, done: false });
  finished.report({ outTime: 39.96, done: true });
  assert.deepEqual(finished.events, [25, 100]);

  const controller = new AbortController();
  const stopped = percents(controller.signal);
  stopped.report({ outTime: 10, done: false });
  controller.abort();
  stopped.report({ outTime: 14, done: true });
  assert.deepEqual(stopped.events, [25, 35]);
});
