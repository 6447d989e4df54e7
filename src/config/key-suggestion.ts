// "Did you mean": the key a strict object in the configuration schema takes that is closest to an
// unknown one (executor.concurency → concurrency), found by walking the schema to the object.
import { z } from 'zod';

/** The keys the object at `path` takes, through defaults, optionals, arrays, unions and pipes. */
export function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional || schema instanceof z.ZodNullable || schema instanceof z.ZodPrefault) return knownKeys(schema.unwrap() as z.ZodType, path);
  // A pipe's input is the object, unless it is a preprocess: then its output is.
  if (schema instanceof z.ZodPipe) {
    const input = knownKeys(schema.in as z.ZodType, path);
    return input.length > 0 ? input : knownKeys(schema.out as z.ZodType, path);
  }
  if (schema instanceof z.ZodUnion) return [...new Set(schema.options.flatMap((option) => knownKeys(option as z.ZodType, path)))];
  const [head, ...rest] = path;
  if (schema instanceof z.ZodArray) return head === undefined ? [] : knownKeys(schema.element as z.ZodType, rest);
  if (!(schema instanceof z.ZodObject)) return [];
  const shape = schema.shape as Record<string, z.ZodType>;
  if (head === undefined) return Object.keys(shape);
  const next = shape[String(head)];
  return next ? knownKeys(next, rest) : [];
}

/** The known key an unknown one was most likely meant as: a different case, or at most two edits away. */
export function closestKey(unknown: string, known: readonly string[]): string | undefined {
  const lower = unknown.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = key.toLowerCase() === lower ? 0 : editDistance(lower, key.toLowerCase());
    if (distance <= Math.min(2, Math.floor(key.length / 3)) && (best === undefined || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

/** Edits (insert, delete, replace, swap two neighbours) from a to b: prot → port is one. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      const row = rows[i];
      if (row) row[j] = best;
    }
  }
  return at(a.length, b.length);
}
