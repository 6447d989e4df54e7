// What a job's view says of its asset's event: from manifest.json, for a transcode and for a clip.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { eventSummarySchema, eventSummaryOf } from '../../src/jobs/event-summary.ts';

const trim = { start: 15, end: 50, why: ['black picture and silence from the start to 15 s'] };

it('a transcode that looked for the event: its suggested trim and chapter count', () => {
  assert.deepEqual(eventSummaryOf({ suggestedTrim: trim, chapters: { list: [{}, {}] } }), { suggestedTrim: trim, chapterCount: 2 });
});

it('a clip (chapters carried, no trim looked for): the chapter count without a trim, and the worker report accepts it', () => {
  const summary = eventSummaryOf({ suggestedTrim: null, chapters: { list: [{}, {}, {}] } });
  assert.deepEqual(summary, { chapterCount: 3 });
  assert.deepEqual(eventSummarySchema.parse(summary), { chapterCount: 3 });
});

it('an asset made without looking: nothing', () => {
  assert.equal(eventSummaryOf({ suggestedTrim: null, chapters: null }), undefined);
});
