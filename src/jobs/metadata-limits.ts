// Caps on a job's metadata, for every intake: it is stored with the job and sent in every API
// answer, SSE event and notification about it, so its size multiplies (a 900 KB map times twenty
// streams grew the heap to 2 GB).
import { z } from 'zod';

export const metadataLimits = { maxEntries: 64, maxKeyChars: 128, maxValueChars: 2048, maxTotalBytes: 16 * 1024 } as const;

/** Undefined when `metadata` is within the caps, else what is over. */
export function metadataProblem(metadata: Readonly<Record<string, string>>): string | undefined {
  const entries = Object.entries(metadata);
  if (entries.length > metadataLimits.maxEntries) return `metadata has ${entries.length} entries; at most ${metadataLimits.maxEntries} are kept`;
  // TextEncoder, not Buffer: the dashboard's type check (no Node types) sees this module too.
  const utf8 = new TextEncoder();
  let total = 0;
  for (const [key, value] of entries) {
    if (key.length > metadataLimits.maxKeyChars) return `metadata key ${JSON.stringify(key.slice(0, 32))}… is longer than ${metadataLimits.maxKeyChars} characters`;
    if (value.length > metadataLimits.maxValueChars) return `metadata value of ${JSON.stringify(key)} is longer than ${metadataLimits.maxValueChars} characters`;
    total += utf8.encode(key).length + utf8.encode(value).length;
  }
  if (total > metadataLimits.maxTotalBytes) return `metadata is ${total} bytes; at most ${metadataLimits.maxTotalBytes} bytes in keys and values together`;
  return undefined;
}

/**
 * A metadata field checked against the caps, leaving room for `reserved` entries the intake adds
 * itself (the generic webhook keeps its webhook id), so a body within the caps is never refused
 * later for what live2vod added.
 */
export function metadataSchemaLeaving(reserved: number) {
  const maxEntries = metadataLimits.maxEntries - reserved;
  return z.record(z.string(), z.string()).superRefine((metadata, ctx) => {
    const entries = Object.keys(metadata).length;
    const problem = entries > maxEntries
      ? `metadata has ${entries} entries; at most ${maxEntries} are kept${reserved > 0 ? ` (live2vod adds ${reserved} of its own)` : ''}`
      : metadataProblem(metadata);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/** The API's metadata field: strings only, within the caps. */
export const metadataSchema = metadataSchemaLeaving(0);
