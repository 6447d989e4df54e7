// What the control plane knows about a recording before any worker probed it, as the intake
// adapter that saw it reported it (S3 events carry the object size, MediaMTX the segment duration,
// record directories the file size, a generic webhook may send all of it). Stored with the job and
// handed to executors: Kubernetes sizes a Job's deadline and scratch space by them.
import { z } from 'zod';

export const sourceFactsSchema = z.strictObject({
  durationSeconds: z.number().positive().finite().optional(),
  bytes: z.number().int().positive().optional(),
  /** RFC 6381 or ffprobe codec names, as the sender knows them. */
  codecs: z.strictObject({ video: z.string().min(1).max(64).optional(), audio: z.string().min(1).max(64).optional() }).optional(),
});

export type SourceFacts = z.infer<typeof sourceFactsSchema>;

/** Facts read back from the store; anything unreadable is dropped rather than failing the job. */
export function sourceFactsFromStored(value: unknown): SourceFacts {
  const parsed = sourceFactsSchema.safeParse(value);
  return parsed.success ? parsed.data : {};
}

/** Only the facts that are known: drops undefined and non-positive values. */
export function knownFacts(facts: { durationSeconds?: number | undefined; bytes?: number | undefined }): SourceFacts {
  const out: SourceFacts = {};
  if (facts.durationSeconds !== undefined && Number.isFinite(facts.durationSeconds) && facts.durationSeconds > 0) out.durationSeconds = facts.durationSeconds;
  if (facts.bytes !== undefined && Number.isInteger(facts.bytes) && facts.bytes > 0) out.bytes = facts.bytes;
  return out;
}
