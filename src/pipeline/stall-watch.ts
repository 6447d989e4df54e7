// Watches a download for a source that trickles: no byte at all for `idleTimeoutMs` (a server that
// accepts and never answers, or stops sending), or fewer than `minBytesPerSecond` on average over
// a whole `windowMs`. One byte every 5 s held the only worker at 0 % for hours before this existed.
// Pure apart from one timer; the caller aborts the download with the reason it is given.

export interface StallLimits {
  idleTimeoutMs: number;
  /** 0: no minimum. */
  minBytesPerSecond: number;
  windowMs: number;
}

export type StallReason = { kind: 'idle'; idleMs: number } | { kind: 'slow'; bytesPerSecond: number; windowMs: number };

export class StallWatch {
  readonly #limits: StallLimits;
  readonly #onStall: (reason: StallReason) => void;
  readonly #now: () => number;
  #lastActivity: number;
  #windowStart: number;
  #windowBytes = 0;
  #measuring = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(limits: StallLimits, onStall: (reason: StallReason) => void, now: () => number = Date.now) {
    this.#limits = limits;
    this.#onStall = onStall;
    this.#now = now;
    this.#lastActivity = now();
    this.#windowStart = this.#lastActivity;
  }

  /** Starts the timer; checks a few times per limit, at least once a second. */
  start(): void {
    const every = Math.max(10, Math.min(1000, Math.floor(Math.min(this.#limits.idleTimeoutMs, this.#limits.windowMs) / 4)));
    this.#timer = setInterval(() => this.check(), every);
    this.#timer.unref();
  }

  /** Something arrived (response headers: 0 bytes; body: its size). The throughput window opens with the body. */
  activity(bytes: number): void {
    const now = this.#now();
    this.#lastActivity = now;
    if (!this.#measuring && bytes > 0) {
      this.#measuring = true;
      this.#windowStart = now;
      this.#windowBytes = 0;
    }
    this.#windowBytes += bytes;
  }

  /** Calls onStall (once, then stops) when a limit is passed. Exposed for tests with their own clock. */
  check(): void {
    const now = this.#now();
    const idle = now - this.#lastActivity;
    if (idle >= this.#limits.idleTimeoutMs) {
      this.#stall({ kind: 'idle', idleMs: idle });
      return;
    }
    const elapsed = now - this.#windowStart;
    if (!this.#measuring || this.#limits.minBytesPerSecond === 0 || elapsed < this.#limits.windowMs) return;
    const bytesPerSecond = (this.#windowBytes * 1000) / elapsed;
    if (bytesPerSecond < this.#limits.minBytesPerSecond) {
      this.#stall({ kind: 'slow', bytesPerSecond, windowMs: elapsed });
      return;
    }
    this.#windowStart = now;
    this.#windowBytes = 0;
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #stall(reason: StallReason): void {
    this.stop();
    this.#onStall(reason);
  }
}

/** The failure message: which limit, what was measured, which setting to change. */
export function describeStall(reason: StallReason, where: string, limits: StallLimits): string {
  if (reason.kind === 'idle') {
    return `the download of ${where} stalled: nothing arrived for ${Math.round(reason.idleMs / 1000)} s (sourceFetch.idleTimeoutMs is ${limits.idleTimeoutMs}); try again, or raise the idle timeout for a slow source`;
  }
  return `the download of ${where} is too slow: ${Math.round(reason.bytesPerSecond)} bytes/s over the last ${Math.round(reason.windowMs / 1000)} s, below sourceFetch.minBytesPerSecond (${limits.minBytesPerSecond}); try again, or lower the minimum for a slow source`;
}
