// The generic intake: any system that can sign a request per Standard Webhooks (see
// standard-webhooks.ts) POSTs a JSON body naming the source to transcode:
//   {"source": "s3://rec/live/keynote.mp4", "priority": "high", "metadata": {"event": "keynote"},
//    "idempotencyKey": "cms-4711", "facts": {"durationSeconds": 3600, "bytes": 2700000000}}
// The sender is trusted once the signature holds: `source` is not confined to a directory here.
import { z } from 'zod';
import { InputError } from '../errors/index.ts';
import { priorities } from '../jobs/job.ts';
import { metadataSchemaLeaving } from '../jobs/metadata-limits.ts';
import { sourceFactsSchema } from '../jobs/source-facts.ts';
import { trimRequestSchema } from '../jobs/trim-request.ts';
import { parseSourceLocation, type SourceLocation } from '../jobs/source-location.ts';
import type { IngestAdapter, InboundRequest, IntakeOutcome } from './intake.ts';
import { parseJsonBody, parseWith, requestedPriority } from './request.ts';
import { decodeWebhookSecret } from '../webhooks/standard-webhooks.ts';
import { verifyStandardWebhook } from './standard-webhooks.ts';

export interface GenericConfig {
  /** `whsec_<base64>`; several while rotating (any one verifies). */
  secret: string | string[];
}

/** The source as the sender wrote it, read by the one location parser (the message says what to write). */
const sourceField = z.string().min(1).max(4096).transform((text, ctx): SourceLocation => {
  try {
    return parseSourceLocation(text);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    ctx.addIssue({ code: 'custom', message: error.message });
    return z.NEVER;
  }
});

export const genericBodySchema = z.strictObject({
  source: sourceField,
  priority: z.enum(priorities).optional(),
  // The webhook's id is kept beside the sender's entries.
  metadata: metadataSchemaLeaving(1).optional(),
  idempotencyKey: z.string().min(1).max(512).optional(),
  /** What the sender knows about the recording; executors size workers by it. */
  facts: sourceFactsSchema.optional(),
  /** Absent: the service's default (jobs.trim). */
  trim: trimRequestSchema.optional(),
});
export type GenericBody = z.output<typeof genericBodySchema>;

export function createGenericAdapter(config: GenericConfig): IngestAdapter {
  const secrets = typeof config.secret === 'string' ? [config.secret] : config.secret;
  if (secrets.length === 0) throw new Error('generic: at least one webhook secret is required');
  // Fail at start-up, not on the first request, when a secret is malformed.
  for (const secret of secrets) decodeWebhookSecret(secret);
  return {
    kind: 'generic',
    successBody: (jobIds) => ({ jobIds }),
    async handle(request: InboundRequest): Promise<IntakeOutcome> {
      const { id } = verifyStandardWebhook(secrets, request);
      const body = parseWith(genericBodySchema, parseJsonBody(request), 'generic webhook body');
      // Body priority, then ?priority=; neither: the intake applies the configured default.
      const priority = body.priority ?? requestedPriority(request);
      return {
        jobs: [
          {
            source: body.source,
            ...(body.facts ? { facts: body.facts } : {}),
            ...(body.trim !== undefined ? { trim: body.trim } : {}),
            idempotencyKey: body.idempotencyKey ?? `generic:${id}`,
            ...(priority !== undefined ? { priority } : {}),
            metadata: { webhookId: id, ...body.metadata },
          },
        ],
      };
    },
  };
}
