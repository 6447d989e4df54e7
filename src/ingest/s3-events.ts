// S3 object-created events, in the shapes that reach a webhook:
//
// 1. S3 event notifications (SQS/SNS/Lambda; also what MinIO puts in Records):
//      {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put",
//        "s3":{"bucket":{"name":"rec"},"object":{"key":"live/my+show%2Bx.mp4","size":123,"eTag":"…","sequencer":"…"}}}]}
//    The key is URL-encoded form-style, spaces as `+` (AWS: "The object key name value is URL
//    encoded. For example, 'red flower.jpg' becomes 'red+flower.jpg'", docs.aws.amazon.com/AmazonS3/
//    latest/userguide/notification-content-structure.html), hence
//    decodeURIComponent(key.replace(/\+/g, ' ')). An SNS HTTP(S) subscription wraps this in an SNS
//    envelope ({"Type":"Notification","Message":"<the JSON above>",…}), which is unwrapped here.
// 2. MinIO webhook target: {"EventName":"s3:ObjectCreated:Put","Key":"rec/live/x.mp4","Records":[…]}.
//    Records as above but eventName carries an `s3:` prefix, eventSource is `minio:s3`, and the key
//    is url.QueryEscape'd, so slashes arrive as %2F (minio/minio issue #15200; the top-level `Key`
//    is `bucket/` + the unescaped key, internal/event/target/webhook.go). MinIO's `auth_token` is
//    sent as `Authorization: Bearer <token>`, or verbatim when it already has two words
//    ("Bearer x", "Basic x") — webhook.go: strings.Fields(authToken) of length 2 → as is, 1 → "Bearer "+token.
// 3. EventBridge: {"detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"rec"},
//      "object":{"key":"…","size":…,"etag":"…","sequencer":"…"},"reason":"PutObject",…}}
//    The key is taken AS IS (not URL-decoded). The AWS page for this shape (userguide/ev-events.html)
//    does not describe the key as URL-encoded, unlike the notification page above, and users report
//    raw keys (e.g. aws-solutions-library-samples/guidance-for-medialake-on-aws PR #21: "Remove
//    encoding for key from EventBridge", tested with keys like `%2B%20%%%.png`). Note that
//    aws-lambda-powertools-python's S3EventBridgeNotificationObject.key does apply unquote_plus, so
//    sources disagree; keys with `%` or `+` through EventBridge are the case to re-check on a real bucket.
//
// Test events ({"Service":"Amazon S3","Event":"s3:TestEvent",…}), deletes and every other kind of
// event answer `ignored` with the reason (2xx, so senders with retry queues do not retry them).
// Filtered-out objects (bucket allowlist, suffixes, folder markers, empty objects) are ignored too.
import { knownFacts } from '../jobs/source-facts.ts';
import { formatS3Uri, isValidBucketName } from '../storage/uri.ts';
import type { JobRequest } from '../jobs/job-request.ts';
import { IntakeError, type IngestAdapter, type InboundRequest, type IntakeOutcome } from './intake.ts';
import { isRecord } from '../is-record.ts';
import { hasControlCharacters } from '../jobs/source-policy.ts';
import { compactMetadata, parseJsonBody, requestedPriority } from './request.ts';
import { assertTokenConfig, requestTokens, requireToken } from './secrets.ts';
import { eventBridgeDetailSchema, eventBridgeHeadSchema, parseEventPart, recordHeadSchema, recordObjectSchema, snsNotificationSchema } from './s3-event-schemas.ts';

export interface S3EventsConfig {
  /** Expected as `Authorization: Bearer …`, the raw Authorization value, or `?token=`. */
  token?: string;
  /** Only objects in these buckets become jobs (others are ignored). Absent: any bucket. */
  buckets?: string[];
  /** Only keys ending in one of these (case-insensitive, e.g. `.mp4`, `.flv`, `.ts`, `.mkv`) become jobs. Absent or empty: any key. */
  suffixes?: string[];
}

/** An object-created event, whatever shape it came in. */
export interface S3CreatedObject {
  bucket: string;
  /** Decoded: the object's real key. */
  key: string;
  /** Without quotes. */
  etag: string;
  size?: number;
  /** `ObjectCreated:Put` etc. (notifications) or the EventBridge `reason` (`PutObject`…). */
  eventName: string;
  sequencer?: string;
  versionId?: string;
}

// ObjectCreated events that mean new content. MinIO also sends ObjectCreated:PutRetention,
// :PutLegalHold and :PutTagging, which change metadata only.
const contentEvents = new Set(['ObjectCreated:Put', 'ObjectCreated:Post', 'ObjectCreated:Copy', 'ObjectCreated:CompleteMultipartUpload']);

/** Decodes a key from an S3 event notification (form-style URL encoding: `+` is a space). */
export function decodeS3EventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

type Parsed = { objects: S3CreatedObject[]; skipped: string[] } | { ignored: string };

/**
 * The bucket and (decoded) key of one event, refused (400) when they cannot name an object live2vod
 * should read: a bucket that is no bucket name (`rec/../other`), a key with NUL or other control
 * characters. Refused rather than ignored: such an event is forged or broken, and the sender
 * should hear so.
 */
function checkedObjectName(bucket: string, key: string, at: string): { bucket: string; key: string } {
  if (!isValidBucketName(bucket)) throw new IntakeError(400, `${at}: ${JSON.stringify(bucket)} is not a bucket name (letters, digits, dots, hyphens, underscores)`);
  if (hasControlCharacters(key)) throw new IntakeError(400, `${at}: the object key ${JSON.stringify(key)} contains NUL or control characters`);
  return { bucket, key };
}

function stripQuotes(etag: string): string {
  return etag.replace(/"/g, '');
}

function parseRecords(records: unknown): Parsed {
  if (!Array.isArray(records)) throw new IntakeError(400, 'Records must be an array');
  if (records.length === 0) return { ignored: 'no records in the event' };
  const objects: S3CreatedObject[] = [];
  const skipped: string[] = [];
  records.forEach((record: unknown, i) => {
    const at = `Records[${i}]`;
    // The head first: a record that is not an S3 content creation is skipped whatever else it holds.
    const head = parseEventPart(recordHeadSchema, record, at);
    if (head.eventSource !== undefined && head.eventSource !== 'aws:s3' && head.eventSource !== 'minio:s3') {
      skipped.push(`${at}: eventSource ${head.eventSource} is not S3`);
      return;
    }
    const eventName = head.eventName.startsWith('s3:') ? head.eventName.slice(3) : head.eventName;
    if (!eventName.startsWith('ObjectCreated:')) {
      skipped.push(`${at}: ${eventName} is not an object creation`);
      return;
    }
    if (!contentEvents.has(eventName)) {
      skipped.push(`${at}: ${eventName} changes metadata only`);
      return;
    }
    const { bucket, object } = parseEventPart(recordObjectSchema, record, at).s3;
    let key: string;
    try {
      key = decodeS3EventKey(object.key);
    } catch {
      throw new IntakeError(400, `${at}.s3.object.key ${JSON.stringify(object.key)} is not valid URL encoding`);
    }
    objects.push({
      ...checkedObjectName(bucket.name, key, at),
      etag: stripQuotes(object.eTag),
      eventName,
      ...(object.size !== undefined ? { size: object.size } : {}),
      ...(object.sequencer ? { sequencer: object.sequencer } : {}),
      ...(object.versionId ? { versionId: object.versionId } : {}),
    });
  });
  return { objects, skipped };
}

function parseEventBridge(event: Record<string, unknown>): Parsed {
  const detailType = parseEventPart(eventBridgeHeadSchema, event, '')['detail-type'];
  if (detailType !== 'Object Created') return { ignored: `EventBridge "${detailType}" event is not an object creation` };
  const { bucket, object, reason } = parseEventPart(eventBridgeDetailSchema, event['detail'], 'detail');
  return {
    objects: [
      {
        // Not URL-decoded: see the note at the top of this file.
        ...checkedObjectName(bucket.name, object.key, 'detail'),
        etag: stripQuotes(object.etag),
        eventName: reason ?? 'Object Created',
        ...(object.size !== undefined ? { size: object.size } : {}),
        ...(object.sequencer ? { sequencer: object.sequencer } : {}),
        ...(object['version-id'] ? { versionId: object['version-id'] } : {}),
      },
    ],
    skipped: [],
  };
}

/** Unwraps an SNS HTTP(S) delivery; returns the inner event, or a reason to ignore the message. */
function unwrapSns(body: Record<string, unknown>): { event: Record<string, unknown> } | { ignored: string } {
  const type = body['Type'];
  if (type === 'Notification') {
    const message = parseEventPart(snsNotificationSchema, body, '').Message;
    let inner: unknown;
    try {
      inner = JSON.parse(message) as unknown;
    } catch {
      throw new IntakeError(400, 'SNS Message is not valid JSON');
    }
    if (!isRecord(inner)) throw new IntakeError(400, 'SNS Message must be a JSON object');
    return { event: inner };
  }
  if (type === 'SubscriptionConfirmation') {
    const subscribeUrl = body['SubscribeURL'];
    return { ignored: `SNS subscription confirmation: confirm the subscription by opening its SubscribeURL (${typeof subscribeUrl === 'string' ? subscribeUrl : 'missing'})` };
  }
  return { ignored: `SNS ${String(type)} message` };
}

/** Reads every object-created event of an S3/MinIO/EventBridge/SNS payload. Exported for tests and tools. */
export function parseS3Event(body: unknown): Parsed {
  if (!isRecord(body)) throw new IntakeError(400, 'body must be a JSON object (an S3 event)');
  let event = body;
  if (typeof body['Type'] === 'string' && typeof body['TopicArn'] === 'string') {
    const unwrapped = unwrapSns(body);
    if ('ignored' in unwrapped) return unwrapped;
    event = unwrapped.event;
  }
  if (event['Event'] === 's3:TestEvent') {
    return { ignored: `S3 test event (s3:TestEvent${typeof event['Bucket'] === 'string' ? ` for bucket ${event['Bucket']}` : ''})` };
  }
  if (event['source'] === 'aws.s3' && 'detail-type' in event) return parseEventBridge(event);
  if ('Records' in event) return parseRecords(event['Records']);
  if (typeof event['source'] === 'string' && 'detail-type' in event) return { ignored: `EventBridge event from ${event['source']}, not aws.s3` };
  throw new IntakeError(400, 'not an S3 event: expected Records[] (S3 notification, SNS, MinIO), an EventBridge event with source aws.s3, or an s3:TestEvent');
}

export function createS3EventsAdapter(config: S3EventsConfig): IngestAdapter {
  assertTokenConfig(config.token, 's3');
  const buckets = config.buckets !== undefined ? new Set(config.buckets) : undefined;
  const suffixes = (config.suffixes ?? []).map((s) => s.toLowerCase());
  return {
    kind: 's3',
    // Senders read only the status; an operator trying the hook by hand sees what became of it.
    successBody: (jobIds, ignored) => ({ ok: true, jobIds, ...(ignored !== undefined ? { ignored } : {}) }),
    async handle(request: InboundRequest): Promise<IntakeOutcome> {
      requireToken(config.token, requestTokens(request, { rawAuthorization: true }), 'send Authorization: Bearer <token> (MinIO: auth_token) or add ?token=… to the webhook URL');
      const parsed = parseS3Event(parseJsonBody(request));
      if ('ignored' in parsed) return { jobs: [], ignored: parsed.ignored };

      const priority = requestedPriority(request);
      const skipped = [...parsed.skipped];
      const jobs = new Map<string, JobRequest>();
      for (const object of parsed.objects) {
        const name = formatS3Uri(object.bucket, object.key);
        if (buckets !== undefined && !buckets.has(object.bucket)) {
          skipped.push(`${name}: bucket ${object.bucket} is not in the allowed buckets`);
          continue;
        }
        if (object.key.endsWith('/')) {
          skipped.push(`${name}: a folder marker, not a recording`);
          continue;
        }
        if (object.size === 0) {
          skipped.push(`${name}: empty object (0 bytes)`);
          continue;
        }
        if (suffixes.length > 0 && !suffixes.some((s) => object.key.toLowerCase().endsWith(s))) {
          skipped.push(`${name}: key does not end with ${suffixes.join(', ')}`);
          continue;
        }
        const idempotencyKey = `s3:${object.bucket}:${object.key}:${object.etag}`;
        jobs.set(idempotencyKey, {
          source: { kind: 's3', bucket: object.bucket, key: object.key },
          facts: knownFacts({ bytes: object.size }),
          idempotencyKey,
          ...(priority !== undefined ? { priority } : {}),
          metadata: compactMetadata({
            bucket: object.bucket,
            key: object.key,
            etag: object.etag,
            eventName: object.eventName,
            size: object.size,
            sequencer: object.sequencer,
            versionId: object.versionId,
          }),
        });
      }
      if (jobs.size === 0) return { jobs: [], ignored: skipped.join('; ') || 'no object-created records' };
      return { jobs: [...jobs.values()] };
    },
  };
}
