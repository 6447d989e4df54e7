// The optional ladder file: JSON with a list of rungs. Validated strictly: unknown keys and
// impossible values are rejected with the path of the problem.
import { z } from 'zod';
import { issueText } from '../zod-issue-text.ts';
import type { RungSpec } from './types.ts';

const rungSchema = z.strictObject({
  width: z.number().int().min(16).max(7680).refine((v) => v % 2 === 0, 'must be even'),
  height: z.number().int().min(16).max(4320).refine((v) => v % 2 === 0, 'must be even'),
  bitrateKbps: z.number().int().min(32).max(100_000),
  maxFrameRate: z.number().min(1).max(120).default(60),
  crf: z.number().min(0).max(63).optional(),
});

const ladderObjectSchema = z.strictObject({ rungs: z.array(rungSchema).min(1, 'needs at least one rung') });
const ladderArraySchema = z.array(rungSchema).min(1, 'needs at least one rung');
const example = '{"rungs": [{"width": 1280, "height": 720, "bitrateKbps": 3000, "maxFrameRate": 60}]}';

export function parseLadderFile(json: unknown): RungSpec[] {
  // Either shape, chosen by what the file is: a union would report "invalid input" at the root
  // instead of the field at fault.
  let rungs: z.infer<typeof rungSchema>[];
  if (Array.isArray(json)) rungs = check(ladderArraySchema, json);
  else if (json !== null && typeof json === 'object') rungs = check(ladderObjectSchema, json).rungs;
  else throw new Error(`invalid ladder file: expected an object with "rungs" (or a list of rungs), e.g. ${example}`);
  return rungs.map((r) => (r.crf === undefined ? { width: r.width, height: r.height, bitrateKbps: r.bitrateKbps, maxFrameRate: r.maxFrameRate } : { ...r, crf: r.crf }));
}

function check<T extends z.ZodType>(schema: T, json: unknown): z.infer<T> {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new Error(`invalid ladder file: ${issue ? `${fieldPath(issue.path)} ${issueText(issue)}` : 'unexpected shape'}; expected e.g. ${example}`);
}

/** `rungs[0].height`: the field as it is written in the file. */
function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the whole file)';
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i > 0 ? '.' : ''}${String(part)}`)).join('');
}
