// The one retry helper and its backoff formula, on a fake clock: every caller's schedule
// (jobs, deliveries, uploads, downloads, ranged reads, worker reports) is a policy of these.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs, equalJitter, plusMinus, type Backoff } from '../../src/retry/backoff.ts';
import { retry, type RetryOptions } from '../../src/retry/retry.ts';
import { deliveryBackoff } from '../../src/notify/backoff.ts';

const fixed = (value: number) => (): number => value;

/** A clock that only moves when the code under test sleeps; an abort ends the sleep as timers do. */
function fakeClock(): { now: () => number; slept: number[]; sleep: NonNullable<RetryOptions['sleep']>; onSleep: ((ms: number) => void) | undefined } {
  let now = 0;
  const clock = {
    now: () => now,
    slept: [] as number[],
    onSleep: undefined as ((ms: number) => void) | undefined,
    sleep: async (ms: number, signal: AbortSignal | undefined): Promise<void> => {
      clock.slept.push(ms);
      clock.onSleep?.(ms);
      if (signal?.aborted === true) throw signal.reason;
      now += ms;
    },
  };
  return clock;
}

/** An action that fails `failures` times, then returns the attempt that worked. */
function failing(failures: number, error: (attempt: number) => unknown = (n) => new Error(`failure ${n}`)): { action: (attempt: number) => Promise<number>; calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    action: async (attempt) => {
      calls.push(attempt);
      if (attempt <= failures) throw error(attempt);
      return attempt;
    },
  };
}

describe('backoffDelayMs', () => {
  it('doubles from baseMs and stops at maxMs, without jitter unless asked', () => {
    const delays = Array.from({ length: 6 }, (_, i) => backoffDelayMs(i + 1, { baseMs: 200, maxMs: 3000 }, fixed(0)));
    assert.deepEqual(delays, [200, 400, 800, 1600, 3000, 3000]);
    assert.equal(backoffDelayMs(60, { baseMs: 200 }), 200 * 2 ** 59, 'no cap when none is given');
  });

  it('equal jitter: between half and all of the nominal delay (job retries, the Job watch)', () => {
    const policy: Backoff = { baseMs: 1000, maxMs: 30_000, jitter: equalJitter };
    assert.equal(backoffDelayMs(1, policy, fixed(0)), 500);
    assert.equal(backoffDelayMs(1, policy, fixed(1)), 1000);
    assert.equal(backoffDelayMs(2, policy, fixed(0)), 1000);
    assert.equal(backoffDelayMs(2, policy, fixed(1)), 2000);
    assert.equal(backoffDelayMs(3, policy, fixed(0.5)), 3000);
    assert.equal(backoffDelayMs(5, policy, fixed(1)), 16_000);
    assert.equal(backoffDelayMs(10, policy, fixed(1)), 30_000);
    assert.equal(backoffDelayMs(10, policy, fixed(0)), 15_000);
    assert.equal(backoffDelayMs(60, policy, fixed(1)), 30_000, 'no overflow for huge attempt numbers');
  });

  it('±20 %: the deliveries, 5 s doubling to 1 h', () => {
    const nominal = Array.from({ length: 12 }, (_, i) => backoffDelayMs(i + 1, deliveryBackoff, fixed(0.5)));
    assert.deepEqual(nominal, [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000, 1_280_000, 2_560_000, 3_600_000, 3_600_000]);
    assert.equal(backoffDelayMs(1, deliveryBackoff, fixed(0)), 4_000);
    assert.equal(backoffDelayMs(1, deliveryBackoff, fixed(1 - Number.EPSILON)), 6_000);
    assert.equal(backoffDelayMs(3, deliveryBackoff, fixed(0.25)), 18_000);
    assert.equal(backoffDelayMs(50, deliveryBackoff, fixed(0)), 2_880_000);
  });

  it('±50 %: uploads and download parts', () => {
    const policy: Backoff = { baseMs: 500, jitter: plusMinus(0.5) };
    assert.deepEqual([1, 2, 3, 4].map((n) => backoffDelayMs(n, policy, fixed(0.5))), [500, 1000, 2000, 4000]);
    assert.equal(backoffDelayMs(1, policy, fixed(0)), 250);
    assert.equal(backoffDelayMs(1, policy, fixed(1)), 750);
  });

  it('odd inputs fall back to sane values', () => {
    const policy = deliveryBackoff;
    for (const attempt of [0, -3, Number.NaN, Number.POSITIVE_INFINITY]) assert.equal(backoffDelayMs(attempt, policy, fixed(0.5)), 5_000, String(attempt));
    assert.equal(backoffDelayMs(1e6, policy, fixed(0.5)), 3_600_000);
    assert.equal(backoffDelayMs(1, policy, fixed(7)), 6_000, 'random above 1 is clamped');
    assert.equal(backoffDelayMs(1, policy, fixed(-1)), 4_000, 'random below 0 is clamped');
    assert.equal(backoffDelayMs(1, policy, fixed(Number.NaN)), 5_000, 'NaN random: no jitter');
  });

  it('stays integral and within its jitter for any attempt with Math.random', () => {
    for (let attempt = 1; attempt <= 200; attempt++) {
      const nominal = Math.min(3_600_000, 5_000 * 2 ** (attempt - 1));
      const delay = backoffDelayMs(attempt, deliveryBackoff);
      assert.ok(Number.isInteger(delay), `attempt ${attempt}: ${delay}`);
      assert.ok(delay >= Math.floor(nominal * 0.8) && delay <= Math.ceil(nominal * 1.2), `attempt ${attempt}: ${delay} outside ±20 % of ${nominal}`);
    }
  });
});

describe('retry', () => {
  it('returns the first success, after waiting the backoff between attempts', async () => {
    const clock = fakeClock();
    const { action, calls } = failing(2);
    const result = await retry(action, { attempts: 3, backoff: { baseMs: 200 }, sleep: clock.sleep });
    assert.equal(result, 3);
    assert.deepEqual(calls, [1, 2, 3]);
    assert.deepEqual(clock.slept, [200, 400]);
    assert.equal(clock.now(), 600);
  });

  it('does not wait before the first attempt, nor after the last', async () => {
    const clock = fakeClock();
    const { action, calls } = failing(10);
    await assert.rejects(retry(action, { attempts: 4, backoff: { baseMs: 250, jitter: plusMinus(0.5) }, sleep: clock.sleep, random: fixed(0.5) }), /failure 4/);
    assert.deepEqual(calls, [1, 2, 3, 4]);
    assert.deepEqual(clock.slept, [250, 500, 1000]);
  });

  it('throws a failure that is not retryable at once', async () => {
    const clock = fakeClock();
    const { action, calls } = failing(10, (n) => (n === 2 ? new RangeError('permanent') : new Error('transient')));
    await assert.rejects(retry(action, { attempts: 5, backoff: { baseMs: 100 }, retryable: (e) => !(e instanceof RangeError), sleep: clock.sleep }), RangeError);
    assert.deepEqual(calls, [1, 2]);
    assert.deepEqual(clock.slept, [100]);
  });

  it('reports each retry with its attempt and delay', async () => {
    const clock = fakeClock();
    const seen: string[] = [];
    await retry(failing(2).action, { attempts: 3, backoff: { baseMs: 10 }, sleep: clock.sleep, onRetry: (e, n, ms) => seen.push(`${(e as Error).message} → ${n} ${ms}`) });
    assert.deepEqual(seen, ['failure 1 → 1 10', 'failure 2 → 2 20']);
  });

  it('an abort during the wait ends the retries with the last failure', async () => {
    const clock = fakeClock();
    const stop = new AbortController();
    clock.onSleep = () => stop.abort();
    const { action, calls } = failing(10);
    await assert.rejects(retry(action, { attempts: 5, backoff: { baseMs: 100 }, signal: stop.signal, sleep: clock.sleep }), /failure 1/);
    assert.deepEqual(calls, [1]);
  });

  it('an abort before a failure means no wait and no further attempt', async () => {
    const clock = fakeClock();
    const stop = new AbortController();
    const calls: number[] = [];
    const action = async (attempt: number): Promise<never> => {
      calls.push(attempt);
      stop.abort();
      throw new Error('failed while stopping');
    };
    await assert.rejects(retry(action, { attempts: 5, backoff: { baseMs: 100 }, signal: stop.signal, sleep: clock.sleep }), /failed while stopping/);
    assert.deepEqual(calls, [1]);
    assert.deepEqual(clock.slept, []);
  });

  it('waits on the real timers by default, and an abort cuts the wait short', async () => {
    const stop = new AbortController();
    const started = performance.now();
    setTimeout(() => stop.abort(), 20);
    await assert.rejects(retry(failing(10).action, { attempts: 2, backoff: { baseMs: 60_000 }, signal: stop.signal }), /failure 1/);
    assert.ok(performance.now() - started < 5_000);
  });
});
