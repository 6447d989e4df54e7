// The fields live2vod reads from each shape of S3 object-created event (see s3-events.ts), as zod
// schemas. Every refusal names the field as the sender wrote it (`Records[1].s3.object.key must be
// a non-empty string`), so a broken bucket notification can be fixed from the 400 alone. Unknown
// fields are stripped: AWS and MinIO add fields over time.
import { z } from 'zod';
import { IntakeError } from './intake.ts';

const mustBeObject = { error: 'must be an object' };
const nonEmptyMessage = 'must be a non-empty string';
const sizeMessage = 'must be a non-negative integer';

const nonEmptyString = z.string({ error: nonEmptyMessage }).min(1, { error: nonEmptyMessage });
/** A string when there is one; anything else (absent, a number…) reads as absent. */
const optionalText = z.string().optional().catch(undefined);
/** Bytes, when the sender says; null as absent. */
const byteSize = z
  .number({ error: sizeMessage })
  .int({ error: sizeMessage })
  .min(0, { error: sizeMessage })
  .nullish()
  .transform((size) => size ?? undefined);

/** What decides whether a notification record is read at all. */
export const recordHeadSchema = z.object({ eventSource: optionalText, eventName: nonEmptyString }, mustBeObject);

/** The object of a notification record (S3, MinIO, SNS-wrapped); the key still URL-encoded. */
export const recordObjectSchema = z.object({
  s3: z.object(
    {
      bucket: z.object({ name: nonEmptyString }, mustBeObject),
      object: z.object({ key: nonEmptyString, size: byteSize, eTag: nonEmptyString, sequencer: optionalText, versionId: optionalText }, mustBeObject),
    },
    mustBeObject,
  ),
});

export const eventBridgeHeadSchema = z.object({ 'detail-type': nonEmptyString });

/** An EventBridge "Object Created" event's detail; the key as it is. */
export const eventBridgeDetailSchema = z.object(
  {
    bucket: z.object({ name: nonEmptyString }, mustBeObject),
    object: z.object({ key: nonEmptyString, size: byteSize, etag: nonEmptyString, sequencer: optionalText, 'version-id': optionalText }, mustBeObject),
    reason: optionalText,
  },
  mustBeObject,
);

export const snsNotificationSchema = z.object({ Message: nonEmptyString });

/** Parses `value` (found at `at`, '' for the top level) or refuses 400 naming the first bad field. */
export function parseEventPart<T extends z.ZodType>(schema: T, value: unknown, at: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new IntakeError(400, `${fieldPath(at, issue?.path ?? [])} ${issue?.message ?? 'is invalid'}`);
}

function fieldPath(at: string, path: readonly PropertyKey[]): string {
  let out = at;
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out = out === '' ? String(segment) : `${out}.${String(segment)}`;
  }
  return out === '' ? 'body' : out;
}
