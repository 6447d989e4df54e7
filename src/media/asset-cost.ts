// The cost and quality parts of manifest.json. Pure. The cost unit of this project is
// CPU-seconds per source second: what a job costs on a spot node, comparable across recordings.

/** CPU of a job's child processes (measured by src/ffmpeg/process-cpu.ts). */
export interface CpuTally {
  /** User + system seconds of every child process, ffmpeg and ffprobe. */
  seconds: number;
  processes: number;
  /** By the stage each process ran for (probe, encode, package, measure). */
  byStage: Record<string, number>;
}

export type CpuMeasurement = ({ measured: true } & CpuTally) | { measured: false; reason: string };

export type AssetCost =
  | { cpuSeconds: number; cpuSecondsPerSourceSecond: number; processes: number; byStage: Record<string, number> }
  | { cpuSeconds: null; cpuSecondsPerSourceSecond: null; reason: string };

export function assetCost(cpu: CpuMeasurement, sourceSeconds: number): AssetCost {
  if (!cpu.measured) return { cpuSeconds: null, cpuSecondsPerSourceSecond: null, reason: cpu.reason };
  return {
    cpuSeconds: cpu.seconds,
    cpuSecondsPerSourceSecond: sourceSeconds > 0 ? Math.round((cpu.seconds / sourceSeconds) * 1000) / 1000 : 0,
    processes: cpu.processes,
    byStage: cpu.byStage,
  };
}
