// A one-line progress bar for terminals: percent, fps, speed as a multiple of real time, ETA.
import type { TranscodeEvent } from '../pipeline/events.ts';

export function renderProgressLine(event: Extract<TranscodeEvent, { type: 'progress' }>, width = 30): string {
  const filled = Math.round((event.percent / 100) * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const parts = [`${bar} ${event.percent.toFixed(1).padStart(5)}%`];
  if (event.fps !== undefined) parts.push(`${Math.round(event.fps)} fps`);
  if (event.speed !== undefined) parts.push(`${event.speed.toFixed(2)}x`);
  if (event.etaSeconds !== undefined) parts.push(`ETA ${formatDuration(event.etaSeconds)}`);
  return parts.join('  ');
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** Draws on a TTY stream, redrawing one line; throttled so terminals are not flooded. */
export class ProgressBar {
  readonly #stream: NodeJS.WriteStream;
  #last = 0;
  #drawn = false;

  constructor(stream: NodeJS.WriteStream) {
    this.#stream = stream;
  }

  update(event: Extract<TranscodeEvent, { type: 'progress' }>): void {
    const now = Date.now();
    if (now - this.#last < 100 && event.percent < 100) return;
    this.#last = now;
    this.#stream.write(`\r\x1b[2K${renderProgressLine(event)}`);
    this.#drawn = true;
  }

  /** Ends the bar's line before other output. */
  clear(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
  }
}
