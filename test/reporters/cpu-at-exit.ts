// Preloaded (--import) into each test file's process by `npm test`: at exit it appends the CPU the
// file used to $LIVE2VOD_TEST_CPU_LOG — its own and that of the processes it started that ended
// and were reaped (serve, the CLI, and their workers and ffmpeg when those were reaped by them) —
// for the file-timings summary. A lower bound: what a SIGKILLed serve leaves to init is not in it.
// On a CPU-bound machine the files' CPU, not their wall time, is what the suite's length is made of.
import { appendFileSync, readFileSync } from 'node:fs';
import { cpuLogVariable, type CpuRecord } from './cpu-log.ts';

/** user + system seconds of the descendants this process has reaped (0 without /proc). */
function reapedDescendantsSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields from the state (field 3 of proc(5)) on; the name before it may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // cutime and cstime (fields 16 and 17), in clock ticks: USER_HZ, 100 on Linux.
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return 0;
  }
}

const log = process.env[cpuLogVariable];
// NODE_TEST_CONTEXT marks a process the runner started for one file, not the runner itself.
const file = process.argv[1];
if (log && process.env.NODE_TEST_CONTEXT && file) {
  process.on('exit', () => {
    const own = process.resourceUsage();
    const record: CpuRecord = { file, cpuSeconds: (own.userCPUTime + own.systemCPUTime) / 1e6 + reapedDescendantsSeconds() };
    // One short line with O_APPEND: files ending at once do not mix their lines.
    appendFileSync(log, `${JSON.stringify(record)}\n`);
  });
}
