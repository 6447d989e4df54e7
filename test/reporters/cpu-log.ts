// Where `npm test` logs the CPU of each test file (cpu-at-exit.ts writes, file-timings.ts reads).
export const cpuLogVariable = 'LIVE2VOD_TEST_CPU_LOG';

export interface CpuRecord {
  file: string;
  cpuSeconds: number;
}
