// GrowingFile: reads of a file another process still appends to wait for their bytes, come back
// short once the writer is done, and stop on abort and on the writer's failure.

import assert from 'node:assert/strict';
import { appendFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { GrowingFile, WriterFailedError } from '../../../src/pipeline/growing-file.ts';
import { makeTempDir } from './fixtures.ts';

let tmp: Awaited<ReturnType<typeof makeTempDir>>;
before(async () => {
  tmp = await makeTempDir();
});
after(async () => {
  await tmp.cleanup();
});

const bytes = (from: number, to: number): Buffer => Buffer.from(Array.from({ length: to - from }, (_, i) => (from + i) & 0xff));

/** Appends `total` bytes to `file` in `step`-byte pieces every `everyMs`, creating it with the first. */
function appendInSteps(file: string, total: number, step: number, everyMs: number): { done: Promise<void>; written: () => number } {
  let written = 0;
  const done = (async () => {
    while (written < total) {
      await sleep(everyMs);
      const next = Math.min(total, written + step);
      await appendFile(file, bytes(written, next));
      written = next;
    }
  })();
  return { done, written: () => written };
}

test('a read waits until its bytes are written, also when the file does not exist yet', async () => {
  const file = path.join(tmp.dir, 'steps.bin');
  const writer = appendInSteps(file, 1000, 100, 20);
  const growing = new GrowingFile(file, { writerDone: writer.done, pollMs: 10 });
  try {
    const head = await growing.read(0, 50);
    assert.deepEqual(head, bytes(0, 50));
    const middle = await growing.read(420, 300);
    assert.ok(writer.written() >= 720, `resolved with ${writer.written()} bytes written`);
    assert.deepEqual(middle, bytes(420, 720));
    assert.equal(await growing.waitForSize(1000), 1000);
    assert.deepEqual(await growing.read(0, 1000), bytes(0, 1000));
    await writer.done;
  } finally {
    await growing.close();
  }
});

test('once the writer is done a read past the end is short, and sizes are final', async () => {
  const file = path.join(tmp.dir, 'short.bin');
  const writer = appendInSteps(file, 300, 100, 15);
  const growing = new GrowingFile(file, { writerDone: writer.done, pollMs: 10 });
  try {
    const tail = await growing.read(250, 500); // waits for the writer, then returns what exists
    assert.equal(growing.finished, true);
    assert.deepEqual(tail, bytes(250, 300));
    assert.equal((await growing.read(300, 10)).length, 0);
    assert.equal((await growing.read(400, 10)).length, 0);
    assert.equal(await growing.sizeFor(Infinity), 300);
    assert.equal(await growing.sizeFor(10), 300);
  } finally {
    await growing.close();
  }
});

test('finish() from outside ends the wait at once; a file never created then fails like open()', async () => {
  const file = path.join(tmp.dir, 'finish.bin');
  await writeFile(file, bytes(0, 10));
  const growing = new GrowingFile(file, { pollMs: 60_000 });
  const pending = growing.read(0, 100);
  await sleep(20);
  const started = performance.now();
  growing.finish();
  assert.deepEqual(await pending, bytes(0, 10));
  assert.ok(performance.now() - started < 1000, 'woken by finish(), not by the next poll');
  await growing.close();

  const missing = new GrowingFile(path.join(tmp.dir, 'never.bin'), { writerDone: sleep(30), pollMs: 10 });
  await assert.rejects(missing.read(0, 8), { code: 'ENOENT' });
  await missing.close();
});

test('abort rejects a waiting read promptly with the signal reason, and later reads too', async () => {
  const file = path.join(tmp.dir, 'abort.bin');
  await writeFile(file, bytes(0, 10));
  const controller = new AbortController();
  const growing = new GrowingFile(file, { writerDone: new Promise<void>(() => undefined), signal: controller.signal, pollMs: 60_000 });
  assert.deepEqual(await growing.read(0, 10), bytes(0, 10), 'bytes already there are read without waiting');
  const pending = growing.read(0, 100);
  setTimeout(() => controller.abort(new Error('stop now')), 20);
  const started = performance.now();
  await assert.rejects(pending, /stop now/);
  assert.ok(performance.now() - started < 1000);
  await assert.rejects(growing.read(0, 1), /stop now/);
  await growing.close();
});

test("the writer's failure rejects waiting and later reads with a WriterFailedError carrying it", async () => {
  const file = path.join(tmp.dir, 'fail.bin');
  const failing = sleep(30).then(() => {
    throw new Error('ffmpeg exited with 1');
  });
  const growing = new GrowingFile(file, { writerDone: failing, pollMs: 60_000 });
  const error = await growing.read(0, 8).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof WriterFailedError, String(error));
  assert.match(String((error.cause as Error).message), /ffmpeg exited with 1/);
  await assert.rejects(growing.waitForSize(1), WriterFailedError);
  await growing.close();
  await assert.rejects(failing); // (handled here too: the rejection was not unhandled)
});

test('a waiting read polls, with no busy loop: a handful of wake-ups per second', async () => {
  const file = path.join(tmp.dir, 'idle.bin');
  const controller = new AbortController();
  const growing = new GrowingFile(file, { signal: controller.signal, pollMs: 100 });
  const pending = growing.read(0, 8).catch(() => undefined);
  const cpu = process.cpuUsage();
  await sleep(500);
  const used = process.cpuUsage(cpu);
  controller.abort();
  await pending;
  await growing.close();
  assert.ok((used.user + used.system) / 1000 < 100, `${(used.user + used.system) / 1000} ms of CPU in 500 ms of waiting`);
});
