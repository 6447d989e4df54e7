// CPU time of the processes a job runs. Node does not hand out a child's rusage, but Linux adds
// every reaped child's user+system time to its parent's cutime/cstime (/proc/self/stat) at the
// moment libuv reaps it, just before the child's 'exit' event. So the growth of that counter,
// read in each 'exit' handler, is the CPU of the children reaped since the last read: attributed
// to the one exiting (children reaped in the same batch land on the first of them; the sum stays
// exact). Jobs are told apart by AsyncLocalStorage, so concurrent jobs in one process each get
// their own tally without passing a ledger through every call. Elsewhere (no /proc) nothing is
// measured and the tally says so.
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import type { CpuMeasurement, CpuTally } from '../media/asset-cost.ts';

/** Linux reports these counters in USER_HZ, 100 on every architecture Node supports there. */
const userHz = 100;

export type { CpuMeasurement, CpuTally } from '../media/asset-cost.ts';

const current = new AsyncLocalStorage<CpuTally[]>();
let lastChildrenSeconds = readChildrenSeconds();

/** Reaped children's CPU seconds of this process, or undefined where /proc is not there. */
function readChildrenSeconds(): number | undefined {
  try {
    const text = readFileSync('/proc/self/stat', 'utf8');
    // After the command name (which may hold spaces and parentheses): fields 3… of proc(5);
    // cutime and cstime are fields 16 and 17.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const cutime = Number(fields[13]);
    const cstime = Number(fields[14]);
    return Number.isFinite(cutime) && Number.isFinite(cstime) ? (cutime + cstime) / userHz : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Called in a child's 'exit' handler (see run-process.ts): adds what the reaped children used
 * since the last call to every tally open around the caller (nested measures see their inner
 * ones' processes too). Returns the seconds, undefined where they cannot be measured.
 */
export function recordChildExit(stage: string): number | undefined {
  const now = readChildrenSeconds();
  if (now === undefined || lastChildrenSeconds === undefined) return undefined;
  const seconds = Math.max(0, now - lastChildrenSeconds);
  lastChildrenSeconds = now;
  for (const tally of current.getStore() ?? []) {
    tally.seconds += seconds;
    tally.processes += 1;
    tally.byStage[stage] = (tally.byStage[stage] ?? 0) + seconds;
  }
  return seconds;
}

/** Runs `action` with a tally of the CPU of every process it starts through runProcess. */
export async function measureCpu<T>(action: () => Promise<T>): Promise<{ result: T; cpu: CpuMeasurement }> {
  const tally: CpuTally = { seconds: 0, processes: 0, byStage: {} };
  // Children reaped outside runProcess (a test's media generator, getconf) are no job's: an
  // outermost measure starts from now. Its own children are recorded as each is reaped.
  if (!current.getStore()) lastChildrenSeconds = readChildrenSeconds();
  const result = await current.run([...(current.getStore() ?? []), tally], action);
  return { result, cpu: finish(tally) };
}

/** The innermost open measure so far, for a manifest written before the measured work returns. */
export function cpuSoFar(): CpuMeasurement {
  const tallies = current.getStore();
  const innermost = tallies?.[tallies.length - 1];
  return innermost ? finish(innermost) : { measured: false, reason: 'not measured: no measureCpu around this work' };
}

/** The tally as a measurement: rounded, or why there is none. */
function finish(tally: CpuTally): CpuMeasurement {
  if (lastChildrenSeconds === undefined) return { measured: false, reason: 'child CPU time is read from /proc/self/stat, which this system lacks (Linux only)' };
  const byStage = Object.fromEntries(Object.entries(tally.byStage).map(([k, v]) => [k, round2(v)]));
  return { measured: true, seconds: round2(tally.seconds), processes: tally.processes, byStage };
}

/** Sums measurements (the units of a chunked job); unmeasured if any part was. */
export function sumCpu(parts: readonly CpuMeasurement[]): CpuMeasurement {
  const total: CpuTally = { seconds: 0, processes: 0, byStage: {} };
  for (const part of parts) {
    if (!part.measured) return part;
    total.seconds += part.seconds;
    total.processes += part.processes;
    for (const [stage, s] of Object.entries(part.byStage)) total.byStage[stage] = (total.byStage[stage] ?? 0) + s;
  }
  return { measured: true, seconds: round2(total.seconds), processes: total.processes, byStage: Object.fromEntries(Object.entries(total.byStage).map(([k, v]) => [k, round2(v)])) };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
