// Retry delay: exponential from `baseMs`, capped at `maxMs`, with jitter so a burst of failures
// does not retry in lockstep. Pure; `random` is injectable for tests.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** Delay before attempt `attempt + 1`, after `attempt` (≥ 1) failed. */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  // "Equal jitter": at least half the delay, so retries never come immediately.
  return Math.round(exponential / 2 + (exponential / 2) * random());
}
