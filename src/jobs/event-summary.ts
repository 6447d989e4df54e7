// What a job's view says of the event inside its recording: the suggested trim and how many
// chapters the asset has. The worker's `done` report carries it, the store keeps it, the API shows
// it; the full list stays in the asset's manifest.json and chapters.json.
import { z } from 'zod';

export const suggestedTrimSchema = z.object({
  start: z.number().min(0).describe('Seconds on the recording where the event starts'),
  end: z.number().min(0).describe('Seconds on the recording where the event ends'),
  why: z.array(z.string().max(500)).max(10).describe('Why, one line per end that was moved; empty when nothing is to be trimmed'),
});

export const eventSummarySchema = z.object({
  /** Absent for an asset whose recording was not looked at (a clip: it carries its parent's chapters only). */
  suggestedTrim: suggestedTrimSchema.optional(),
  chapterCount: z.number().int().min(0).max(100_000),
});

export type JobEventSummary = z.infer<typeof eventSummarySchema>;

/** The summary of an asset's manifest.json; undefined when it has neither a suggested trim nor chapters (the event was not looked for). */
export function eventSummaryOf(manifest: { suggestedTrim: JobEventSummary['suggestedTrim'] | null; chapters: { list: readonly unknown[] } | null }): JobEventSummary | undefined {
  if (!manifest.suggestedTrim && !manifest.chapters) return undefined;
  return { ...(manifest.suggestedTrim ? { suggestedTrim: manifest.suggestedTrim } : {}), chapterCount: manifest.chapters?.list.length ?? 0 };
}
