// The per-file timing summary npm test ends with: slowest first, failures marked, totals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTimings } from './file-timings.ts';

test('lists files slowest first with their seconds, marks a failed file, and sums them', () => {
  const text = formatTimings([
    { file: 'test/a.test.ts', ms: 1200, passed: true },
    { file: 'test/b.test.ts', ms: 35_400, passed: false },
    { file: 'test/c.test.ts', ms: 80, passed: true },
  ], 20_000);
  const lines = text.trim().split('\n');
  assert.equal(lines[0], 'time per test file, slowest first (3 files, 36.7 s in all, 20.0 s wall):');
  assert.deepEqual(lines.slice(1).map((line) => line.trim()), ['35.4 s  ✖ test/b.test.ts', '1.2 s    test/a.test.ts', '0.1 s    test/c.test.ts']);
});
