// Configured receivers of outbound notifications. Validated strictly: http(s) URLs only, secrets
// in the Standard Webhooks `whsec_<base64>` form, event names from the known list.
import { z } from 'zod';
import { eventTypes, type EventType } from './events.ts';

export const defaultEndpointTimeoutMs = 10_000;

const urlSchema = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an absolute http:// or https:// URL');

const secretPrefix = 'whsec_';
const strictBase64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// Messages never include the secret itself.
const secretSchema = z.string().superRefine((value, ctx) => {
  if (!value.startsWith(secretPrefix)) {
    ctx.addIssue({ code: 'custom', message: `webhook secret must start with "${secretPrefix}"` });
    return;
  }
  const encoded = value.slice(secretPrefix.length);
  if (encoded.length === 0 || !strictBase64.test(encoded)) {
    ctx.addIssue({ code: 'custom', message: `webhook secret must be "${secretPrefix}" followed by base64` });
    return;
  }
  // The Standard Webhooks spec asks for 24–64 byte keys.
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < 24 || bytes > 64) ctx.addIssue({ code: 'custom', message: `webhook secret key must be 24–64 bytes, got ${bytes}` });
});

export const endpointSchema = z.strictObject({
  url: urlSchema,
  secret: secretSchema,
  /** Absent: every event type. */
  events: z.array(z.enum(eventTypes)).min(1).optional().transform((events): EventType[] => (events ? [...new Set(events)] : [...eventTypes])),
  timeoutMs: z.number().int().min(1).max(5 * 60 * 1000).default(defaultEndpointTimeoutMs),
});

export type EndpointInput = z.input<typeof endpointSchema>;
export type EndpointConfig = z.output<typeof endpointSchema>;

export const endpointsSchema = z.array(endpointSchema).superRefine((endpoints, ctx) => {
  // Deliveries name their endpoint by URL, so a URL may appear once.
  const seen = new Set<string>();
  endpoints.forEach((endpoint, index) => {
    if (seen.has(endpoint.url)) ctx.addIssue({ code: 'custom', path: [index, 'url'], message: `duplicate endpoint URL ${endpoint.url}` });
    seen.add(endpoint.url);
  });
});

/** Parses the endpoint list; throws with the path of the first problem. */
export function parseEndpoints(json: unknown): EndpointConfig[] {
  const parsed = endpointsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid notification endpoints: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unexpected shape'} — expected [{"url": "https://…", "secret": "whsec_…", "events": ["asset.ready"], "timeoutMs": 10000}]`);
  }
  return parsed.data;
}

export function isSubscribed(endpoint: Pick<EndpointConfig, 'events'>, type: EventType): boolean {
  return endpoint.events.includes(type);
}
