// Every job starts a worker process, so what the worker imports is paid per job: the S3 SDK
// (~0.25 s of CPU) and the HTTP, database and Kubernetes stacks must load only when a job uses them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { it } from 'node:test';

const run = promisify(execFile);

it('the worker command loads no S3, HTTP server, database or Kubernetes package at start-up', async () => {
  const worker = path.resolve(import.meta.dirname, '../../src/cli/worker-command.ts');
  const script = `import Module from 'node:module';
await import(${JSON.stringify(worker)});
const packages = new Set(Object.keys(Module._cache).map((k) => /node_modules\\/((@[^/]+\\/)?[^/]+)/.exec(k)?.[1]).filter(Boolean));
console.log(JSON.stringify([...packages]));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  const loaded = JSON.parse(stdout) as string[];
  const heavy = loaded.filter((name) => /^@aws-sdk\/|^@smithy\/|^fastify$|^pg$|^@kubernetes\/|^kubernetes-models$/.test(name));
  assert.deepEqual(heavy, [], `loaded at start-up: ${loaded.join(', ')}`);
});
