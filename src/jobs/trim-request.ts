// What a job request may ask of the event inside its recording: "none" (suggest only, the default),
// "auto" (cut to the suggested trim once the asset is made) or an explicit {start, end}. One zod
// schema for the API body, the generic webhook and the store.
import { z } from 'zod';

export const trimRangeSchema = z.strictObject({
  start: z.number().min(0, 'trim.start must be ≥ 0 (seconds on the recording)').describe('Seconds on the recording where the trimmed asset starts'),
  end: z.number().positive('trim.end must be > 0 (seconds on the recording)').describe('Seconds on the recording where the trimmed asset ends (clamped to the asset\'s duration)'),
}).refine((r) => r.end > r.start, { message: 'trim.end must be after trim.start' });

export const trimRequestSchema = z.union([z.enum(['auto', 'none']), trimRangeSchema], {
  error: 'trim must be "auto", "none" or {start, end} (seconds on the recording, 0 ≤ start < end)',
}).describe(
  'none (default): only suggest a trim; auto: when the job succeeds, make a trimmed asset (a clip job of it) of the suggested trim; {start, end}: make one of that range',
);

export type TrimRequest = z.infer<typeof trimRequestSchema>;

/** The trim a service applies to every intake that does not ask (config `jobs.trim`). */
export const defaultTrimSchema = z.enum(['auto', 'none']);

/** "none" is the absence of a trim: only "auto" and ranges are kept on the job. */
export function appliedTrim(trim: TrimRequest | undefined): Exclude<TrimRequest, 'none'> | undefined {
  return trim === undefined || trim === 'none' ? undefined : trim;
}
