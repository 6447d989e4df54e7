// Parses the key=value blocks that `-progress pipe:1` writes; one block ends with `progress=…`.

export interface FfmpegProgress {
  /** Output position in seconds. */
  outTime: number;
  frame?: number;
  fps?: number;
  /** Multiple of real time, e.g. 2.5 for "2.5x". */
  speed?: number;
  done: boolean;
}

export class ProgressParser {
  #partial = '';
  #block = new Map<string, string>();

  /** Feed raw stdout text; returns the blocks completed by it. */
  push(chunk: string): FfmpegProgress[] {
    const text = this.#partial + chunk;
    const lines = text.split('\n');
    this.#partial = lines.pop() ?? '';
    const out: FfmpegProgress[] = [];
    for (const raw of lines) {
      const line = raw.trim();
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1).trim();
      this.#block.set(key, value);
      if (key === 'progress') {
        out.push(toProgress(this.#block));
        this.#block = new Map();
      }
    }
    return out;
  }
}

function toProgress(block: Map<string, string>): FfmpegProgress {
  // out_time_us is N/A before the first packet; treat that as 0.
  const us = finite(block.get('out_time_us')) ?? finite(block.get('out_time_ms'));
  const progress: FfmpegProgress = { outTime: us !== undefined && us > 0 ? us / 1e6 : 0, done: block.get('progress') === 'end' };
  const frame = finite(block.get('frame'));
  const fps = finite(block.get('fps'));
  const speed = finite(block.get('speed')?.replace(/x$/, ''));
  if (frame !== undefined) progress.frame = frame;
  if (fps !== undefined) progress.fps = fps;
  if (speed !== undefined) progress.speed = speed;
  return progress;
}

function finite(value: string | undefined): number | undefined {
  if (value === undefined || value === '' || value === 'N/A') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
