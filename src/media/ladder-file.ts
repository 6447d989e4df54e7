// The optional ladder file: JSON with a list of rungs. Validated strictly: unknown keys and
// impossible values are rejected with the path of the problem.
import { z } from 'zod';
import type { RungSpec } from './types.ts';

const rungSchema = z.strictObject({
  width: z.number().int().min(16).max(7680).refine((v) => v % 2 === 0, 'must be even'),
  height: z.number().int().min(16).max(4320).refine((v) => v % 2 === 0, 'must be even'),
  bitrateKbps: z.number().int().min(32).max(100_000),
  maxFrameRate: z.number().min(1).max(120).default(60),
  crf: z.number().min(0).max(63).optional(),
});

const ladderFileSchema = z.union([
  z.strictObject({ rungs: z.array(rungSchema).min(1) }),
  z.array(rungSchema).min(1).transform((rungs) => ({ rungs })),
]);

export function parseLadderFile(json: unknown): RungSpec[] {
  const parsed = ladderFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid ladder file: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape'} — expected {"rungs": [{"width": 1280, "height": 720, "bitrateKbps": 3000, "maxFrameRate": 60}]}`);
  }
  return parsed.data.rungs.map((r) => (r.crf === undefined ? { width: r.width, height: r.height, bitrateKbps: r.bitrateKbps, maxFrameRate: r.maxFrameRate } : { ...r, crf: r.crf }));
}
