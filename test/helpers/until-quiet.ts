// Waits until this test process has nothing in flight that could still act: no child process, file
// system request, socket or timer beyond those it had at `baseline` (the test runner's own pipes).
// After that, nothing can write a file or throw later, so "nothing happened afterwards" is a fact
// rather than a guess about how long to sleep.
import { setTimeout as sleep } from 'node:timers/promises';

export type Resources = Map<string, number>;

/** What this process holds now, by kind (node's names: ProcessWrap, FSReqPromise, Timeout…). */
export function activeResources(): Resources {
  const counts: Resources = new Map();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

function beyond(now: Resources, baseline: Resources): string[] {
  return [...now].filter(([kind, count]) => count > (baseline.get(kind) ?? 0)).map(([kind, count]) => `${kind} ×${count - (baseline.get(kind) ?? 0)}`);
}

export async function untilQuiet(baseline: Resources, options: { timeoutMs?: number } = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const extra = beyond(activeResources(), baseline);
    if (extra.length === 0) return;
    if (Date.now() > deadline) throw new Error(`still in flight after the run ended: ${extra.join(', ')} — something the run started was not stopped or awaited`);
    await sleep(10);
  }
}
