// Frame rates stay rational (30000/1001) so timestamps and GOP sizes never drift.
import type { Rational } from './types.ts';

export function parseRational(text: string | undefined, separator = '/'): Rational | undefined {
  if (!text) return undefined;
  const [a, b = '1'] = text.split(separator);
  const num = Number(a);
  const den = Number(b);
  if (!Number.isFinite(num) || !Number.isFinite(den) || num <= 0 || den <= 0) return undefined;
  return { num, den };
}

export function toNumber(r: Rational): number {
  return r.num / r.den;
}

export function formatRational(r: Rational): string {
  return r.den === 1 ? String(r.num) : `${r.num}/${r.den}`;
}

/** Divides a frame rate by the smallest integer that brings it to `max` or below. */
export function capFrameRate(rate: Rational, max: number): Rational {
  const divisor = Math.max(1, Math.ceil(toNumber(rate) / max - 1e-9));
  return divisor === 1 ? rate : reduce({ num: rate.num, den: rate.den * divisor });
}

export function reduce(r: Rational): Rational {
  const g = gcd(r.num, r.den);
  return { num: r.num / g, den: r.den / g };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

const standardRates: Rational[] = [
  { num: 24000, den: 1001 }, { num: 24, den: 1 }, { num: 25, den: 1 }, { num: 30000, den: 1001 },
  { num: 30, den: 1 }, { num: 48, den: 1 }, { num: 50, den: 1 }, { num: 60000, den: 1001 },
  { num: 60, den: 1 }, { num: 100, den: 1 }, { num: 120000, den: 1001 }, { num: 120, den: 1 },
];

/** Whether a rate is one of the broadcast rates (exactly, as a fraction). */
export function isStandardRate(rate: Rational): boolean {
  return standardRates.some((r) => r.num * rate.den === rate.num * r.den);
}

/** Snaps a measured average rate (VFR sources) to the nearest broadcast rate within 3 %. */
export function snapFrameRate(rate: Rational): Rational {
  const value = toNumber(rate);
  let best: Rational | undefined;
  let bestDiff = Infinity;
  for (const candidate of standardRates) {
    const diff = Math.abs(toNumber(candidate) - value) / value;
    if (diff < bestDiff) [best, bestDiff] = [candidate, diff];
  }
  return best && bestDiff <= 0.03 ? best : reduce({ num: Math.round(value * 1000), den: 1000 });
}
