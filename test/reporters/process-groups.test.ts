// Which files npm test runs together in one process, and the file such a group runs as.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { groupFiles, groupTime, ownProcess, writeGroupEntry } from './process-groups.ts';

test('files of a shared directory form one group per directory; the others, a lone file and those kept apart run alone', () => {
  const kept = [...ownProcess.keys()][0];
  assert.ok(kept);
  const { groups, alone } = groupFiles([
    'test/media/ladder.test.ts', 'test/pipeline/transcode-asset.test.ts', 'test/media/mp4/segmenter.test.ts', 'test/media/hls.test.ts',
    'test/jobs/intake.test.ts', 'test/jobs/scheduler.test.ts', 'test/retry/retry.test.ts', kept, 'elsewhere/x.test.ts',
  ]);
  assert.deepEqual(groups, [
    { name: 'test/media/', files: ['test/media/hls.test.ts', 'test/media/ladder.test.ts', 'test/media/mp4/segmenter.test.ts'] },
    { name: 'test/jobs/', files: ['test/jobs/intake.test.ts', 'test/jobs/scheduler.test.ts'] },
  ]);
  assert.deepEqual(alone.sort(), ['elsewhere/x.test.ts', kept, 'test/pipeline/transcode-asset.test.ts', 'test/retry/retry.test.ts'].sort());
});

test('a group weighs what it took last time, else what its files took on their own', () => {
  const group = { name: 'test/media/', files: ['test/media/a.test.ts', 'test/media/b.test.ts', 'test/media/new.test.ts'] };
  assert.equal(groupTime(group, { 'test/media/a.test.ts': 1.5, 'test/media/b.test.ts': 2 }), 3.5);
  assert.equal(groupTime(group, { 'test/media/': 2.2, 'test/media/a.test.ts': 1.5 }), 2.2);
});

test('a group runs as one process: every file\'s tests, in one module graph', async (t) => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'live2vod-groups-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(path.join(root, 'test', 'unit'), { recursive: true });
  // Each file records the process it ran in; both must name the same one.
  for (const name of ['a', 'b']) {
    await writeFile(path.join(root, 'test', 'unit', `${name}.test.ts`),
      `import { test } from 'node:test';\ntest('${name} runs', () => { console.log('${name} in ' + process.pid); });\n`);
  }
  const entry = await writeGroupEntry(root, root, { name: 'test/unit/', files: ['test/unit/a.test.ts', 'test/unit/b.test.ts'] });
  assert.equal(path.basename(entry), 'unit.test.mjs');
  // Without this process's NODE_TEST_CONTEXT: with it, the inner runner would take itself for a test file's process.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const { stdout } = await promisify(execFile)(process.execPath, ['--test', '--test-reporter=tap', entry], { cwd: root, env });
  assert.match(stdout, /ok \d+ - a runs/);
  assert.match(stdout, /ok \d+ - b runs/);
  const pids = [...stdout.matchAll(/[ab] in (\d+)/g)].map((match) => match[1]);
  assert.equal(pids.length, 2, stdout);
  assert.equal(new Set(pids).size, 1, 'both files ran in one process');
});
