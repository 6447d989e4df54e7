// The one backoff formula: exponential from `baseMs`, doubling per failed attempt, capped at
// `maxMs`, scaled by a jitter factor drawn uniformly from [jitter.min, jitter.max], so that many
// callers failing together do not retry in lockstep. Pure; `random` is injectable for tests.

/** The range the nominal delay is scaled by: {min: 0.5, max: 1} never retries at once; {min: 0.8, max: 1.2} is ±20 %. */
export interface Jitter {
  min: number;
  max: number;
}

export interface Backoff {
  baseMs: number;
  /** No cap when absent. */
  maxMs?: number;
  /** No jitter when absent. */
  jitter?: Jitter;
}

/** At least half the nominal delay, at most all of it ("equal jitter"). */
export const equalJitter: Jitter = { min: 0.5, max: 1 };

/** ±`fraction` of the nominal delay. */
export function plusMinus(fraction: number): Jitter {
  return { min: 1 - fraction, max: 1 + fraction };
}

/** Milliseconds to wait after the `attempt`-th failed attempt (1-based; odd values count as 1). */
export function backoffDelayMs(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const n = Number.isFinite(attempt) ? Math.max(1, Math.floor(attempt)) : 1;
  // 2^(n−1) overflows to Infinity for huge n; min() still yields the cap.
  const nominal = Math.min(backoff.maxMs ?? Number.POSITIVE_INFINITY, backoff.baseMs * 2 ** (n - 1));
  const jitter = backoff.jitter ?? { min: 1, max: 1 };
  const r = random();
  // A broken random source means no jitter rather than a wild delay.
  const unit = Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0.5;
  const factor = jitter.min === jitter.max ? jitter.min : jitter.min + (jitter.max - jitter.min) * unit;
  return Math.round(nominal * factor);
}
