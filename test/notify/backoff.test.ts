// nextDeliveryDelay: exponential from 5 s, capped at 1 h, ±20 % jitter from the injected random. Pure.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deliveryBackoff, nextDeliveryDelay } from '../../src/notify/backoff.ts';

const fixed = (value: number) => () => value;

describe('nextDeliveryDelay', () => {
  test('nominal delays double from 5 s and stop at 1 h (random 0.5 = no jitter)', () => {
    const delays = Array.from({ length: 14 }, (_, i) => nextDeliveryDelay(i + 1, fixed(0.5)));
    assert.deepEqual(delays, [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000, 1_280_000, 2_560_000, 3_600_000, 3_600_000, 3_600_000, 3_600_000]);
  });

  test('jitter spans ±20 % of the nominal delay', () => {
    assert.equal(nextDeliveryDelay(1, fixed(0)), 4_000);
    assert.equal(nextDeliveryDelay(1, fixed(1 - Number.EPSILON)), 6_000);
    assert.equal(nextDeliveryDelay(3, fixed(0.25)), 18_000);
    assert.equal(nextDeliveryDelay(50, fixed(0)), 0.8 * deliveryBackoff.capMs);
    assert.equal(nextDeliveryDelay(50, fixed(1 - Number.EPSILON)), 1.2 * deliveryBackoff.capMs);
  });

  test('stays within bounds for any attempt and any random draw', () => {
    let seed = 42;
    const lcg = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let attempt = 1; attempt <= 2000; attempt++) {
      const nominal = Math.min(deliveryBackoff.capMs, deliveryBackoff.baseMs * 2 ** (attempt - 1));
      const delay = nextDeliveryDelay(attempt, lcg);
      assert.ok(Number.isInteger(delay), `attempt ${attempt}: ${delay} not an integer`);
      assert.ok(delay >= Math.floor(nominal * 0.8) && delay <= Math.ceil(nominal * 1.2), `attempt ${attempt}: ${delay} outside ±20 % of ${nominal}`);
    }
  });

  test('odd inputs fall back to sane values', () => {
    assert.equal(nextDeliveryDelay(0, fixed(0.5)), 5_000);
    assert.equal(nextDeliveryDelay(-3, fixed(0.5)), 5_000);
    assert.equal(nextDeliveryDelay(Number.NaN, fixed(0.5)), 5_000);
    assert.equal(nextDeliveryDelay(Number.POSITIVE_INFINITY, fixed(0.5)), 5_000);
    assert.equal(nextDeliveryDelay(1e6, fixed(0.5)), 3_600_000);
    assert.equal(nextDeliveryDelay(1, fixed(7)), 6_000, 'random above 1 is clamped');
    assert.equal(nextDeliveryDelay(1, fixed(-1)), 4_000, 'random below 0 is clamped');
    assert.equal(nextDeliveryDelay(1, fixed(Number.NaN)), 5_000, 'NaN random: no jitter');
  });

  test('defaults to Math.random', () => {
    for (let i = 0; i < 100; i++) {
      const delay = nextDeliveryDelay(2);
      assert.ok(delay >= 8_000 && delay <= 12_000);
    }
  });
});
