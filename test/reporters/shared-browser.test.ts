// npm test starts its one chromium only for a run with a file that uses the browser helper.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { usesBrowser } from './shared-browser.ts';

test('a file uses the browser when it imports the helper, directly or through other files; not otherwise', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'live2vod-uses-browser-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const helper = path.relative(dir, path.resolve(import.meta.dirname, '..', 'helpers', 'browser.ts'));
  await writeFile(path.join(dir, 'plays.ts'), `import { launchBrowser } from './${helper}';\nexport const x = launchBrowser;\n`);
  await writeFile(path.join(dir, 'through.test.ts'), `import { x } from './plays.ts';\nimport { other } from './cycle.ts';\n`);
  await writeFile(path.join(dir, 'cycle.ts'), `import { other } from './cycle.ts';\nexport const other = 1;\n`);
  await writeFile(path.join(dir, 'plain.test.ts'), `import assert from 'node:assert';\nimport { other } from './cycle.ts';\nimport { y } from './missing.ts';\n`);
  assert.equal(usesBrowser(path.join(dir, 'plays.ts')), true);
  assert.equal(usesBrowser(path.join(dir, 'through.test.ts')), true);
  assert.equal(usesBrowser(path.join(dir, 'plain.test.ts')), false, 'an import cycle and a missing file end the search');
  assert.equal(usesBrowser('test/dashboard/play-chunked.test.ts'), true);
  assert.equal(usesBrowser('test/media/hls.test.ts'), false);
});
