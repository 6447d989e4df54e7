// Retry schedule of outbound deliveries. Pure: exponential from 5 s, doubling per failed attempt,
// capped at 1 h, then ±20 % jitter so that many deliveries failing together do not retry together.

export const deliveryBackoff = {
  baseMs: 5_000,
  capMs: 60 * 60 * 1000,
  /** ±fraction of the nominal delay. */
  jitter: 0.2,
  /** A delivery not delivered this long after it was created is given up. */
  maxAgeMs: 24 * 60 * 60 * 1000,
} as const;

/**
 * Milliseconds to wait after the `attempt`-th failed attempt (1-based): nominal
 * min(capMs, baseMs·2^(attempt−1)), scaled by a factor in [1−jitter, 1+jitter] drawn from `random`
 * (a value in [0, 1), as Math.random; 0.5 gives the nominal delay exactly).
 */
export function nextDeliveryDelay(attempt: number, random: () => number = Math.random): number {
  const { baseMs, capMs, jitter } = deliveryBackoff;
  const n = Number.isFinite(attempt) ? Math.max(1, Math.floor(attempt)) : 1;
  // 2^(n−1) overflows to Infinity for huge n; min() still yields the cap.
  const nominal = Math.min(capMs, baseMs * 2 ** (n - 1));
  const r = random();
  const unit = Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0.5;
  return Math.round(nominal * (1 + jitter * (2 * unit - 1)));
}
