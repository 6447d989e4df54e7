// Retry schedule of outbound deliveries: exponential from 5 s, doubling per failed attempt,
// capped at 1 h, ±20 % jitter so that many deliveries failing together do not retry together.
import { plusMinus, type Backoff } from '../retry/backoff.ts';

export const deliveryBackoff: Backoff & { maxAgeMs: number } = {
  baseMs: 5_000,
  maxMs: 60 * 60 * 1000,
  jitter: plusMinus(0.2),
  /** A delivery not delivered this long after it was created is given up. */
  maxAgeMs: 24 * 60 * 60 * 1000,
};
