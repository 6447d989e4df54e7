// The order npm test starts the files in: slowest first by the times the last run recorded.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileTimesCache, longestFirst, readFileTimes, recordFileTimes } from './file-times.ts';

test('slowest first; a file without a time counts as the median; equal times in name order', () => {
  const times = { 'test/a.test.ts': 1, 'test/b.test.ts': 60, 'test/c.test.ts': 5, 'test/d.test.ts': 5 };
  assert.deepEqual(longestFirst(['test/a.test.ts', 'test/new.test.ts', 'test/d.test.ts', 'test/b.test.ts', 'test/c.test.ts'], times),
    ['test/b.test.ts', 'test/c.test.ts', 'test/d.test.ts', 'test/new.test.ts', 'test/a.test.ts']);
  assert.deepEqual(longestFirst(['test/z.test.ts', 'test/y.test.ts'], {}), ['test/y.test.ts', 'test/z.test.ts']);
});

test('the times of this checkout\'s runs override those kept in the repository; a run adds its own files and keeps the others', async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'live2vod-file-times-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  assert.deepEqual(readFileTimes(root), {}, 'nothing recorded, nothing kept');
  await mkdir(path.join(root, 'test'));
  await writeFile(path.join(root, 'test', 'file-times.json'), JSON.stringify({ 'test/a.test.ts': 3, 'test/b.test.ts': 40 }));
  recordFileTimes(fileTimesCache(root), { 'test/b.test.ts': 20 });
  recordFileTimes(fileTimesCache(root), { 'test/c.test.ts': 7, '/tmp/elsewhere.test.ts': 9, '../other/x.test.ts': 4 });
  assert.deepEqual(readFileTimes(root), { 'test/a.test.ts': 3, 'test/b.test.ts': 20, 'test/c.test.ts': 7 });
  // A cache cut short or edited by hand is ignored, not fatal.
  await writeFile(fileTimesCache(root), '{"test/b.test.ts": 2');
  assert.deepEqual(readFileTimes(root), { 'test/a.test.ts': 3, 'test/b.test.ts': 40 });
  await writeFile(fileTimesCache(root), JSON.stringify({ 'test/a.test.ts': 'slow', 'test/b.test.ts': 9 }));
  assert.deepEqual(readFileTimes(root), { 'test/a.test.ts': 3, 'test/b.test.ts': 9 });
  assert.match(await readFile(path.join(root, 'test', 'file-times.json'), 'utf8'), /"test\/b.test.ts":40/, 'the kept times are never written');
});
