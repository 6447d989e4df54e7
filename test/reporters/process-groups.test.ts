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
  assert.ok(ownProcess.has('test/ffmpeg/run-process.test.ts'));
  const everyFile = [
    'test/media/ladder.test.ts', 'test/pipeline/transcode-asset.test.ts', 'test/media/mp4/segmenter.test.ts', 'test/media/hls.test.ts',
    'test/jobs/intake.test.ts', 'test/jobs/scheduler.test.ts', 'test/jobs/job-commands.test.ts', 'test/retry/retry.test.ts', 'elsewhere/x.test.ts',
    'test/ffmpeg/run-process.test.ts', 'test/ffmpeg/progress.test.ts', 'test/ffmpeg/classify-failure.test.ts',
  ];
  const { groups, alone } = groupFiles(everyFile.filter((file) => file !== 'test/jobs/job-commands.test.ts'), everyFile);
  assert.deepEqual(groups, [
    { name: 'test/media/', files: ['test/media/hls.test.ts', 'test/media/ladder.test.ts', 'test/media/mp4/segmenter.test.ts'], whole: true },
    { name: 'test/jobs/', files: ['test/jobs/intake.test.ts', 'test/jobs/scheduler.test.ts'], whole: false },
    { name: 'test/ffmpeg/', files: ['test/ffmpeg/classify-failure.test.ts', 'test/ffmpeg/progress.test.ts'], whole: true },
  ]);
  assert.deepEqual(alone.sort(), ['elsewhere/x.test.ts', 'test/ffmpeg/run-process.test.ts', 'test/pipeline/transcode-asset.test.ts', 'test/retry/retry.test.ts']);
});

test('a group weighs what its whole directory took last time, else what its files took on their own', () => {
  const group = { name: 'test/media/', files: ['test/media/a.test.ts', 'test/media/b.test.ts', 'test/media/new.test.ts'], whole: true };
  assert.equal(groupTime(group, { 'test/media/a.test.ts': 1.5, 'test/media/b.test.ts': 2 }), 3.5);
  assert.equal(groupTime(group, { 'test/media/': 2.2, 'test/media/a.test.ts': 1.5 }), 2.2);
  assert.equal(groupTime({ ...group, whole: false }, { 'test/media/': 9, 'test/media/a.test.ts': 1.5 }), 1.5, 'part of a directory is not the directory');
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
  const entry = await writeGroupEntry(root, root, { name: 'test/unit/', files: ['test/unit/a.test.ts', 'test/unit/b.test.ts'], whole: true });
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
