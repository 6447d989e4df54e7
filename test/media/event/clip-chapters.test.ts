// Which of the parent's chapters a clip carries, and where they land on its timeline.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { clipChapters } from '../../../src/media/event/clip-chapters.ts';

const parent = [{ start: 0, title: 'Welcome' }, { start: 40, title: 'Q3 results' }, { start: 96, title: 'Questions' }];
const at = (start: number, duration: number): [number, string][] => clipChapters(parent, start, duration).map((c) => [c.start, c.title]);

it('the chapter in force at the clip start comes first at 0, the later ones move by -start', () => {
  assert.deepEqual(at(30, 70), [[0, 'Welcome'], [10, 'Q3 results'], [66, 'Questions']]);
});

it('a chapter that begins within the clip\'s first second replaces the one before it; none begins in its last second', () => {
  assert.deepEqual(at(39.5, 20), [[0, 'Q3 results']]);
  assert.deepEqual(at(60, 36.5), [[0, 'Q3 results']]);
});

it('a clip before the first chapter keeps the gap; a parent without chapters gives none', () => {
  assert.deepEqual(clipChapters([{ start: 15, title: 'Chapter 1' }], 5, 30).map((c) => [c.start, c.title]), [[10, 'Chapter 1']]);
  assert.deepEqual(clipChapters([], 5, 30), []);
});

it('unsorted input, rounded times', () => {
  assert.deepEqual(clipChapters([{ start: 50.1234, title: 'B' }, { start: 0, title: 'A' }], 10.0001, 60).map((c) => c.start), [0, 40.123]);
});
