// generate(): test media made once per `npm test` run and copied to the next file that asks for it.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { generate, makeTempDir, mediaCacheVariable, type TempDir } from './media.ts';

const tone = (seconds: number) => ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`, '-c:a', 'aac'];

describe('generate', () => {
  let tmp: TempDir;
  let cache: string;
  const previous = process.env[mediaCacheVariable];

  before(async () => {
    tmp = await makeTempDir('live2vod-generate-');
    cache = path.join(tmp.dir, 'cache');
    await mkdir(cache);
    process.env[mediaCacheVariable] = cache;
  });
  after(async () => {
    if (previous === undefined) delete process.env[mediaCacheVariable];
    else process.env[mediaCacheVariable] = previous;
    await tmp.cleanup();
  });

  test('the same command is made once and copied; the copy is the test’s own file', async () => {
    const first = await generate(tone(1), path.join(tmp.dir, 'a.m4a'));
    const entries = await readdir(cache);
    assert.equal(entries.length, 1, 'one file in the cache');
    // Marks the cached file: the next call returns it without running ffmpeg.
    const cached = path.join(cache, entries[0] ?? '');
    await writeFile(cached, 'marked');
    const second = await generate(tone(1), path.join(tmp.dir, 'b.m4a'));
    assert.equal(await readFile(second, 'utf8'), 'marked');
    await writeFile(second, 'damaged by a test');
    assert.equal(await readFile(cached, 'utf8'), 'marked', 'a damaged copy leaves the cache alone');
    assert.notEqual(await readFile(first, 'utf8'), 'marked');
  });

  test('another command or another container is made anew', async () => {
    const before = (await readdir(cache)).length;
    await generate(tone(2), path.join(tmp.dir, 'c.m4a'));
    await generate(tone(1), path.join(tmp.dir, 'd.mp4'));
    assert.equal((await readdir(cache)).length, before + 2);
  });

  test('an input that is not a lavfi source is refused: its content could change under the cache', async () => {
    await assert.rejects(generate(['-i', path.join(tmp.dir, 'a.m4a'), '-c', 'copy'], path.join(tmp.dir, 'e.m4a')), /lavfi inputs only/);
  });

  test('an output of several files (segments, numbered pictures) is refused: one cached file cannot stand for it', async () => {
    await assert.rejects(generate([...tone(1), '-f', 'hls'], path.join(tmp.dir, 'index.m3u8')), /makes one file/);
    await assert.rejects(generate(['-f', 'lavfi', '-i', 'testsrc2=d=1'], path.join(tmp.dir, 'frame-%03d.png')), /makes one file/);
  });
});
