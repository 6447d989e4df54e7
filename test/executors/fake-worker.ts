// A FAKE `live2vod worker` for the local executor's conformance run: started as the executor starts
// the real one (`<cli> worker --task-file <file>`), it does no work. It writes its pid to
// `<dir>/<unit>.pid` once its SIGTERM handling is in place, exits with the code the test writes to
// `<dir>/<unit>.exit`, and on SIGTERM exits 130 as the real worker does. `<dir>` is
// $FAKE_WORKER_DIR; `<unit>` is the unit key with "/" as "~".
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TranscodeTask } from '../../src/jobs/transcode-task.ts';
import { unitKey } from '../../src/jobs/work-unit.ts';

const [command, flag, taskFile] = process.argv.slice(2);
const dir = process.env['FAKE_WORKER_DIR'];
if (command !== 'worker' || flag !== '--task-file' || !taskFile || !dir) {
  process.stderr.write(`fake worker: expected "worker --task-file <file>" and FAKE_WORKER_DIR, got ${JSON.stringify(process.argv.slice(2))}\n`);
  process.exit(2);
}
const task = JSON.parse(readFileSync(taskFile, 'utf8')) as TranscodeTask;
const base = path.join(dir, unitKey(task).replace('/', '~'));

process.on('SIGTERM', () => {
  process.stderr.write('fake worker: stopped\n');
  process.exit(130);
});
// Its parent is gone (the IPC channel the executor opened closed): no orphan left behind.
process.on('disconnect', () => process.exit(1));
writeFileSync(`${base}.pid`, String(process.pid));
process.stderr.write(`fake worker: running ${unitKey(task)} attempt ${task.attempt}\n`);

setInterval(() => {
  if (!existsSync(`${base}.exit`)) return;
  // The test may be writing it right now: an empty file is not an exit code yet (it read as 0).
  const text = readFileSync(`${base}.exit`, 'utf8').trim();
  if (text === '') return;
  const code = Number(text);
  process.stderr.write(`fake worker: exiting ${code}\n`);
  process.exit(code);
}, 5);
