// Runs an action again after a backoff while it fails with a retryable error, a given number of
// attempts at most, and stops waiting when the signal aborts. The one retry loop: callers say what
// is retryable and how long to wait (./backoff.ts); they translate the error they get back.
import { setTimeout as timersSleep } from 'node:timers/promises';
import { backoffDelayMs, type Backoff } from './backoff.ts';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  backoff: Backoff;
  /** Whether a failure is worth another attempt; default: every failure is. */
  retryable?: (error: unknown) => boolean;
  /** Aborting stops the retries: the wait in progress ends and the last failure is thrown. */
  signal?: AbortSignal | undefined;
  /** Called before each wait, with the attempt that failed and the delay. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Injectable for tests (a fake clock); default: timers/promises' setTimeout. */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  random?: () => number;
}

const realSleep = async (ms: number, signal: AbortSignal | undefined): Promise<void> => {
  await timersSleep(ms, undefined, signal !== undefined ? { signal } : {});
};

/** The action's result, or its last failure: not retryable, out of attempts, or aborted. */
export async function retry<T>(action: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await action(attempt);
    } catch (error) {
      const retryable = options.retryable ?? (() => true);
      if (attempt >= options.attempts || options.signal?.aborted === true || !retryable(error)) throw error;
      const delay = backoffDelayMs(attempt, options.backoff, options.random);
      options.onRetry?.(error, attempt, delay);
      // An aborted wait ends the retries with the failure that started it; so does an abort the sleep missed.
      const slept = await sleep(delay, options.signal).then(() => options.signal?.aborted !== true, () => false);
      if (!slept) throw error;
    }
  }
}
