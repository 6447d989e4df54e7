// stopWithThisProcess: a test file's process killed with SIGTERM alone takes its registered child
// with it, and still ends by that signal.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const helper = fileURLToPath(new URL('./stop-with-this-process.ts', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('SIGTERM to the process alone: its registered child is stopped too, and the process ends by SIGTERM', async () => {
  // The stand-in for a test file: starts a long child, registers it, says its pid, and waits.
  const script = [
    `import { spawn } from 'node:child_process';`,
    `import { stopWithThisProcess } from ${JSON.stringify(helper)};`,
    `const child = spawn('sleep', ['60'], { stdio: 'ignore' });`,
    `stopWithThisProcess(child);`,
    `console.log(child.pid);`,
    `setInterval(() => {}, 1000);`,
  ].join('\n');
  const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = once(parent, 'exit');
  const [line] = (await once(createInterface({ input: parent.stdout }), 'line')) as [string];
  const childPid = Number(line);
  assert.ok(Number.isInteger(childPid) && alive(childPid), `the child runs (${line})`);
  parent.kill('SIGTERM');
  const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
  assert.deepEqual({ code, signal }, { code: null, signal: 'SIGTERM' });
  const deadline = Date.now() + 5000;
  while (alive(childPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(alive(childPid), false, 'the child was stopped with it, not left behind');
});
