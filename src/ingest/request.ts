// Small helpers the adapters share for reading untrusted requests: JSON bodies, zod issues turned
// into one readable 400 message, the `?priority=` override.
import type { z } from 'zod';
import { describeZodError } from '../zod-errors.ts';
import { priorities, type Priority } from '../jobs/job.ts';
import { IntakeError, type InboundRequest } from './intake.ts';
import { queryValue } from './secrets.ts';

/** Parses the raw body as JSON, or throws IntakeError(400). */
export function parseJsonBody(request: Pick<InboundRequest, 'rawBody'>): unknown {
  const text = request.rawBody.toString('utf8');
  if (text.trim() === '') throw new IntakeError(400, 'empty body: expected a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new IntakeError(400, `body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Validates `value` against `schema`, or throws IntakeError(400) naming the fields. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new IntakeError(400, `invalid ${what}: ${describeZodError(result.error)}`);
  return result.data;
}

export function isPriority(value: string): value is Priority {
  return (priorities as readonly string[]).includes(value);
}

/**
 * The job priority a request asks for with `?priority=` on the hook URL; undefined when it asks
 * none. The source kind's configured default is applied by the intake (IntakeService), not here.
 */
export function requestedPriority(request: Pick<InboundRequest, 'query'>): Priority | undefined {
  const override = queryValue(request.query, 'priority');
  if (override === undefined || override === '') return undefined;
  if (!isPriority(override)) throw new IntakeError(400, `query parameter priority must be one of ${priorities.join(', ')}; got ${JSON.stringify(override)}`);
  return override;
}

/** Drops undefined and empty values, so metadata carries only facts that were reported. */
export function compactMetadata(entries: Record<string, string | number | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(entries)) {
    if (value === undefined || value === '') continue;
    out[key] = String(value);
  }
  return out;
}
