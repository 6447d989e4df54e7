import assert from 'node:assert/strict';
import { formatSourceLocation } from '../../src/jobs/source-location.ts';
import { describe, it } from 'node:test';
import { createS3EventsAdapter, decodeS3EventKey, type S3EventsConfig } from '../../src/ingest/s3-events.ts';
import { expectIntakeError, inbound, jsonRequest } from './helpers.ts';

const token = 'minio-hook-token';
const auth = { authorization: `Bearer ${token}` };

// One record as AWS S3 writes it into SQS/SNS/Lambda notifications (event version 2.1).
function awsRecord(key: string, overrides: { eventName?: string; bucket?: string; size?: number; eTag?: string } = {}) {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'eu-west-1',
    eventTime: '2026-03-01T11:59:58.123Z',
    eventName: overrides.eventName ?? 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
    requestParameters: { sourceIPAddress: '203.0.113.7' },
    responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'live2vod',
      bucket: { name: overrides.bucket ?? 'rec', ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${overrides.bucket ?? 'rec'}` },
      object: { key, size: overrides.size ?? 1048576, eTag: overrides.eTag ?? 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '0055AED6DCD90281E5' },
    },
  };
}

// A MinIO webhook delivery (internal/event/target/webhook.go): keys url.QueryEscape'd (slashes as %2F).
function minioEvent(escapedKey: string, decodedKey: string, eventName = 's3:ObjectCreated:Put') {
  return {
    EventName: eventName,
    Key: `rec/${decodedKey}`,
    Records: [
      {
        eventVersion: '2.0',
        eventSource: 'minio:s3',
        awsRegion: '',
        eventTime: '2026-03-01T11:59:58.123Z',
        eventName,
        userIdentity: { principalId: 'minioadmin' },
        requestParameters: { principalId: 'minioadmin', region: '', sourceIPAddress: '172.17.0.1' },
        responseElements: { 'x-amz-id-2': 'dd9025bab4ad464b0', 'x-amz-request-id': '17E8D2A1B4C3E0F1', 'x-minio-deployment-id': 'c4b7', 'x-minio-origin-endpoint': 'http://172.17.0.2:9000' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'Config',
          bucket: { name: 'rec', ownerIdentity: { principalId: 'minioadmin' }, arn: 'arn:aws:s3:::rec' },
          object: { key: escapedKey, size: 5242880, eTag: '"5fc7298143efe1276d39a3466d4e255f-1"', contentType: 'video/mp4', userMetadata: { 'content-type': 'video/mp4' }, sequencer: '17E8D2A1B5A6F2C4' },
        },
        source: { host: '172.17.0.1', port: '', userAgent: 'MinIO (linux; amd64) minio-go/v7.0.70' },
      },
    ],
  };
}

function eventBridgeEvent(key: string, detailType = 'Object Created') {
  return {
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': detailType,
    source: 'aws.s3',
    account: '111122223333',
    time: '2026-03-01T12:00:00Z',
    region: 'eu-west-1',
    resources: ['arn:aws:s3:::rec'],
    detail: {
      version: '0',
      bucket: { name: 'rec' },
      object: { key, size: 5576, etag: 'b1946ac92492d2347c6235b4d2611184', 'version-id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e', sequencer: '617f08299329d189' },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: '123456789012',
      'source-ip-address': '1.2.3.4',
      reason: 'PutObject',
    },
  };
}

function adapter(config: Partial<S3EventsConfig> = {}) {
  return createS3EventsAdapter({ token, ...config });
}

describe('decodeS3EventKey', () => {
  it('decodes form-style encoding: + is a space, %2B a plus, %2F a slash, UTF-8 escapes', () => {
    assert.equal(decodeS3EventKey('live/my+show%2Bx.mp4'), 'live/my show+x.mp4');
    assert.equal(decodeS3EventKey('live%2F2026%2Fkeynote.mp4'), 'live/2026/keynote.mp4');
    assert.equal(decodeS3EventKey('live/caf%C3%A9+%E2%80%94+%E6%BC%94%E8%AE%B2.mp4'), 'live/café — 演讲.mp4');
    assert.equal(decodeS3EventKey('a%25b.mp4'), 'a%b.mp4');
  });
});

describe('S3 events adapter', () => {
  it('turns an AWS notification into a job with the decoded key', async () => {
    const outcome = await adapter().handle(jsonRequest({ Records: [awsRecord('live/my+show%2Bx.mp4', { eTag: '"abc123"' })] }, { headers: auth }));
    assert.deepEqual(outcome, {
      jobs: [
        {
          source: { kind: 's3', bucket: 'rec', key: 'live/my show+x.mp4' },
          facts: { bytes: 1_048_576 },
          idempotencyKey: 's3:rec:live/my show+x.mp4:abc123',
          metadata: { bucket: 'rec', key: 'live/my show+x.mp4', etag: 'abc123', eventName: 'ObjectCreated:Put', size: '1048576', sequencer: '0055AED6DCD90281E5' },
        },
      ],
    });
  });

  it('decodes unicode keys and keys with encoded slashes', async () => {
    const outcome = await adapter().handle(
      jsonRequest({ Records: [awsRecord('live/caf%C3%A9+%E6%BC%94%E8%AE%B2.mp4'), awsRecord('live%2F2026%2Fkeynote.mp4')] }, { headers: auth }),
    );
    assert.deepEqual(outcome.jobs.map((j) => formatSourceLocation(j.source)), ['s3://rec/live/café 演讲.mp4', 's3://rec/live/2026/keynote.mp4']);
  });

  it('makes one job per created record, skipping other events and duplicates', async () => {
    const outcome = await adapter().handle(
      jsonRequest(
        {
          Records: [
            awsRecord('a.mp4'),
            awsRecord('b.mp4', { eventName: 'ObjectCreated:CompleteMultipartUpload', eTag: 'e-2' }),
            awsRecord('gone.mp4', { eventName: 'ObjectRemoved:Delete' }),
            awsRecord('a.mp4'),
            awsRecord('c.mp4', { eventName: 'ObjectCreated:Copy', eTag: 'e-3' }),
          ],
        },
        { headers: auth, query: { priority: 'urgent' } },
      ),
    );
    assert.deepEqual(outcome.jobs.map((j) => [formatSourceLocation(j.source), j.idempotencyKey, j.priority]), [
      ['s3://rec/a.mp4', 's3:rec:a.mp4:d41d8cd98f00b204e9800998ecf8427e', 'urgent'],
      ['s3://rec/b.mp4', 's3:rec:b.mp4:e-2', 'urgent'],
      ['s3://rec/c.mp4', 's3:rec:c.mp4:e-3', 'urgent'],
    ]);
    assert.equal(outcome.ignored, undefined);
  });

  it('ignores the S3 test event and deletes, with the reason', async () => {
    const test = await adapter().handle(
      jsonRequest({ Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2026-03-01T12:00:00.000Z', Bucket: 'rec', RequestId: '5582815E1AEA5ADF', HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE' }, { headers: auth }),
    );
    assert.deepEqual(test, { jobs: [], ignored: 'S3 test event (s3:TestEvent for bucket rec)' });
    const removed = await adapter().handle(jsonRequest({ Records: [awsRecord('x.mp4', { eventName: 'ObjectRemoved:Delete' })] }, { headers: auth }));
    assert.equal(removed.jobs.length, 0);
    assert.match(removed.ignored ?? '', /ObjectRemoved:Delete is not an object creation/);
  });

  it('reads the MinIO shape (s3: prefixed names, %2F slashes, quoted eTag) and accepts MinIO\'s Bearer auth_token', async () => {
    const outcome = await adapter().handle(jsonRequest(minioEvent('live%2Fmy+show+%C3%A9.mp4', 'live/my show é.mp4'), { headers: auth }));
    assert.deepEqual(outcome.jobs, [
      {
        source: { kind: 's3', bucket: 'rec', key: 'live/my show é.mp4' },
        facts: { bytes: 5_242_880 },
        idempotencyKey: 's3:rec:live/my show é.mp4:5fc7298143efe1276d39a3466d4e255f-1',
        metadata: { bucket: 'rec', key: 'live/my show é.mp4', etag: '5fc7298143efe1276d39a3466d4e255f-1', eventName: 'ObjectCreated:Put', size: '5242880', sequencer: '17E8D2A1B5A6F2C4' },
      },
    ]);
    const removed = await adapter().handle(jsonRequest(minioEvent('x.mp4', 'x.mp4', 's3:ObjectRemoved:Delete'), { headers: auth }));
    assert.match(removed.ignored ?? '', /ObjectRemoved:Delete/);
    const tagging = await adapter().handle(jsonRequest(minioEvent('x.mp4', 'x.mp4', 's3:ObjectCreated:PutTagging'), { headers: auth }));
    assert.match(tagging.ignored ?? '', /metadata only/);
  });

  it('reads EventBridge events, keeping the key as is (not URL-decoded)', async () => {
    const outcome = await adapter().handle(jsonRequest(eventBridgeEvent('live/my show+1 100%.mp4'), { headers: auth }));
    assert.deepEqual(outcome.jobs, [
      {
        source: { kind: 's3', bucket: 'rec', key: 'live/my show+1 100%.mp4' },
        facts: { bytes: 5576 },
        idempotencyKey: 's3:rec:live/my show+1 100%.mp4:b1946ac92492d2347c6235b4d2611184',
        metadata: {
          bucket: 'rec',
          key: 'live/my show+1 100%.mp4',
          etag: 'b1946ac92492d2347c6235b4d2611184',
          eventName: 'PutObject',
          size: '5576',
          sequencer: '617f08299329d189',
          versionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
        },
      },
    ]);
    const deleted = await adapter().handle(jsonRequest(eventBridgeEvent('x.mp4', 'Object Deleted'), { headers: auth }));
    assert.deepEqual(deleted, { jobs: [], ignored: 'EventBridge "Object Deleted" event is not an object creation' });
  });

  it('unwraps SNS HTTP deliveries and ignores subscription confirmations', async () => {
    const inner = JSON.stringify({ Records: [awsRecord('sns/x.mp4')] });
    const envelope = { Type: 'Notification', MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324', TopicArn: 'arn:aws:sns:eu-west-1:123456789012:rec', Subject: 'Amazon S3 Notification', Message: inner, Timestamp: '2026-03-01T12:00:00.000Z' };
    const outcome = await adapter().handle(jsonRequest(envelope, { query: { token } }));
    assert.deepEqual(outcome.jobs.map((j) => formatSourceLocation(j.source)), ['s3://rec/sns/x.mp4']);
    const confirm = await adapter().handle(
      jsonRequest({ Type: 'SubscriptionConfirmation', TopicArn: 'arn:aws:sns:eu-west-1:123456789012:rec', SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=x' }, { query: { token } }),
    );
    assert.match(confirm.ignored ?? '', /SubscribeURL \(https:\/\/sns/);
  });

  it('applies the bucket allowlist and suffixes, and skips folder markers and empty objects', async () => {
    const outcome = await adapter({ buckets: ['rec'], suffixes: ['.mp4', '.FLV'] }).handle(
      jsonRequest(
        {
          Records: [
            awsRecord('ok.mp4'),
            awsRecord('OK2.flv'),
            awsRecord('other.mp4', { bucket: 'private' }),
            awsRecord('thumb.jpg'),
            awsRecord('live/', { size: 0 }),
            awsRecord('empty.mp4', { size: 0 }),
          ],
        },
        { headers: auth },
      ),
    );
    assert.deepEqual(outcome.jobs.map((j) => formatSourceLocation(j.source)), ['s3://rec/ok.mp4', 's3://rec/OK2.flv']);
    const none = await adapter({ buckets: ['rec'] }).handle(jsonRequest({ Records: [awsRecord('x.mp4', { bucket: 'private' })] }, { headers: auth }));
    assert.equal(none.ignored, 's3://private/x.mp4: bucket private is not in the allowed buckets');
  });

  it('accepts the token as Bearer, as the raw Authorization value, or as ?token=', async () => {
    const body = { Records: [awsRecord('a.mp4')] };
    for (const overrides of [{ headers: auth }, { headers: { authorization: token } }, { query: { token } }]) {
      assert.equal((await adapter().handle(jsonRequest(body, overrides))).jobs.length, 1);
    }
  });

  it('refuses a missing or wrong token with 401', async () => {
    const body = { Records: [awsRecord('a.mp4')] };
    await expectIntakeError(adapter().handle(jsonRequest(body)), 401, /missing token/);
    await expectIntakeError(adapter().handle(jsonRequest(body, { headers: { authorization: 'Bearer wrong' } })), 401, /invalid token/);
    await expectIntakeError(adapter().handle(jsonRequest(body, { query: { token: 'wrong' } })), 401, /invalid token/);
  });

  it('refuses malformed events with 400 naming the field', async () => {
    const a = adapter();
    const req = (value: unknown) => jsonRequest(value, { headers: auth });
    await expectIntakeError(a.handle(inbound({ headers: auth, body: 'not json' })), 400, /not valid JSON/);
    await expectIntakeError(a.handle(req({ hello: 'world' })), 400, /not an S3 event/);
    await expectIntakeError(a.handle(req({ Records: {} })), 400, /Records must be an array/);
    await expectIntakeError(a.handle(req({ Records: ['x'] })), 400, /Records\[0\] must be an object/);
    await expectIntakeError(a.handle(req({ Records: [{ ...awsRecord('a.mp4'), eventName: 7 }] })), 400, /Records\[0\]\.eventName/);
    const noKey = awsRecord('a.mp4') as { s3: { object: Record<string, unknown> } };
    delete noKey.s3.object['key'];
    await expectIntakeError(a.handle(req({ Records: [awsRecord('ok.mp4'), noKey] })), 400, /Records\[1\]\.s3\.object\.key must be a non-empty string/);
    await expectIntakeError(a.handle(req({ Records: [awsRecord('live/100%.mp4')] })), 400, /not valid URL encoding/);
    await expectIntakeError(a.handle(req({ Records: [awsRecord('a.mp4', { size: -1 })] })), 400, /size must be a non-negative integer/);
    await expectIntakeError(a.handle(req({ Records: [awsRecord('a.mp4', { eTag: '' })] })), 400, /eTag/);
    const eb = eventBridgeEvent('x.mp4') as { detail: { object: Record<string, unknown> } };
    delete eb.detail.object['etag'];
    await expectIntakeError(a.handle(req(eb)), 400, /detail\.object\.etag/);
    await expectIntakeError(a.handle(req({ Type: 'Notification', TopicArn: 'arn:aws:sns:x', Message: '{' })), 400, /SNS Message is not valid JSON/);
  });

  it('answers ignored for an empty Records array', async () => {
    assert.deepEqual(await adapter().handle(jsonRequest({ Records: [] }, { headers: auth })), { jobs: [], ignored: 'no records in the event' });
  });
});
