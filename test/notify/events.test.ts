// Payloads, endpoint config, and the Standard Webhooks signer the delivery worker uses. Pure.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { parseEndpoints } from '../../src/notify/endpoints.ts';
import { summarizeAsset } from '../../src/notify/asset-summary.ts';
import { buildPayload, eventTypes, isEventType } from '../../src/notify/events.ts';
import { signStandardWebhook } from '../../src/webhooks/standard-webhooks.ts';
import { makeJob, testSecret, verifySignature } from './helpers.ts';

describe('buildPayload', () => {
  const now = new Date('2025-06-01T12:34:56.789Z');

  test('carries the job facts and the timestamp, nothing optional when absent', () => {
    const payload = buildPayload('job.progress', makeJob({ progress: 0.5 }), { now });
    assert.deepEqual(payload, {
      type: 'job.progress',
      timestamp: '2025-06-01T12:34:56.789Z',
      data: { jobId: 'job_01', state: 'running', priority: 'normal', source: '/recordings/live/cam1-1717243200.flv', progress: 0.5, attempts: 1, ingest: { kind: 'nginx-rtmp' } },
    });
    assert.deepEqual(Object.keys(payload.data), ['jobId', 'state', 'priority', 'source', 'progress', 'attempts', 'ingest']);
  });

  test('carries the intake\'s own identifiers and the duration it knew', () => {
    const job = makeJob({ sourceKind: 's3', metadata: { bucket: 'rec', key: 'live/keynote.mp4', etag: 'abc' }, sourceFacts: { durationSeconds: 3600 } });
    const payload = buildPayload('asset.playable', job, { now });
    assert.deepEqual(payload.data.ingest, { kind: 's3', bucket: 'rec', key: 'live/keynote.mp4', etag: 'abc' });
    assert.equal(payload.data.sourceDurationSeconds, 3600);
  });

  test('asset.ready carries what was made: duration, renditions, poster, thumbnails track, download', () => {
    const dir = 'https://cdn.example/assets/job_01';
    const summary = summarizeAsset({
      duration: 20.032,
      renditions: [{ id: '360p-365k', width: 640, height: 360, averageBitrate: 301000, targetBitrate: 365000 }, { id: '720p-3000k', width: 1280, height: 720, targetBitrate: 3000000 }],
      thumbnails: { poster: 'thumbnails/poster.jpg', vtt: 'thumbnails/thumbnails.vtt', sprites: [] },
      download: { file: 'download/720p-3000k.mp4', bytes: 1 },
    }, dir);
    assert.ok(summary);
    const asset = { master: `${dir}/master.m3u8`, dash: `${dir}/manifest.mpd`, manifest: `${dir}/manifest.json` };
    const ready = buildPayload('asset.ready', makeJob({ state: 'succeeded', progress: 1 }), { now, asset, summary });
    assert.deepEqual(ready.data.asset, {
      ...asset,
      duration: 20.032,
      renditions: [{ id: '360p-365k', width: 640, height: 360, bitrate: 301000 }, { id: '720p-3000k', width: 1280, height: 720, bitrate: 3000000 }],
      poster: `${dir}/thumbnails/poster.jpg`,
      thumbnails: `${dir}/thumbnails/thumbnails.vtt`,
      download: `${dir}/download/720p-3000k.mp4`,
    });
    assert.equal(summarizeAsset({ not: 'a manifest' }, dir), undefined);
  });

  test('adds playableUrl, asset URLs and the error (without the stderr tail)', () => {
    const asset = { master: 'https://cdn.example/assets/job_01/master.m3u8', dash: 'https://cdn.example/assets/job_01/manifest.mpd', manifest: 'https://cdn.example/assets/job_01/manifest.json' };
    const ready = buildPayload('asset.ready', makeJob({ state: 'succeeded', progress: 1 }), { now, playableUrl: asset.master, asset });
    assert.equal(ready.data.playableUrl, asset.master);
    assert.deepEqual(ready.data.asset, asset);

    const failed = buildPayload('job.failed', makeJob({ state: 'failed', error: { message: 'no video stream', code: '3', retryable: false, stderrTail: '/secret/path: …' } }), { now });
    assert.deepEqual(failed.data.error, { message: 'no video stream', code: '3', retryable: false });
    assert.equal(JSON.stringify(failed).includes('stderr'), false);
  });

  test('timestamp defaults to the current time', () => {
    const before = Date.now();
    const payload = buildPayload('job.queued', makeJob({ state: 'queued' }));
    const at = Date.parse(payload.timestamp);
    assert.ok(at >= before && at <= Date.now());
  });

  test('event type list', () => {
    assert.deepEqual([...eventTypes], ['job.queued', 'job.started', 'job.progress', 'asset.playable', 'asset.ready', 'job.failed', 'job.cancelled']);
    assert.equal(isEventType('asset.ready'), true);
    assert.equal(isEventType('asset.deleted'), false);
  });
});

describe('parseEndpoints', () => {
  test('defaults: every event, 10 s timeout', () => {
    const [endpoint] = parseEndpoints([{ url: 'https://library.example/hooks', secret: testSecret }]);
    assert.deepEqual(endpoint, { url: 'https://library.example/hooks', secret: testSecret, events: [...eventTypes], timeoutMs: 10_000 });
  });

  test('keeps a subset of events (deduplicated) and a timeout', () => {
    const [endpoint] = parseEndpoints([{ url: 'http://10.0.0.5:8080/x', secret: testSecret, events: ['asset.ready', 'job.failed', 'asset.ready'], timeoutMs: 2500 }]);
    assert.deepEqual(endpoint?.events, ['asset.ready', 'job.failed']);
    assert.equal(endpoint?.timeoutMs, 2500);
  });

  const refused: [string, unknown, RegExp][] = [
    ['ftp URL', [{ url: 'ftp://library.example/hooks', secret: testSecret }], /0\.url: must be an absolute http/],
    ['relative URL', [{ url: '/hooks', secret: testSecret }], /0\.url/],
    ['secret without prefix', [{ url: 'https://a.example', secret: Buffer.alloc(32).toString('base64') }], /0\.secret: webhook secret must start with "whsec_"/],
    ['secret not base64', [{ url: 'https://a.example', secret: 'whsec_not*base64!' }], /0\.secret: .*base64/],
    ['secret too short', [{ url: 'https://a.example', secret: `whsec_${Buffer.alloc(8).toString('base64')}` }], /24–64 bytes, got 8/],
    ['unknown event', [{ url: 'https://a.example', secret: testSecret, events: ['asset.deleted'] }], /0\.events\.0/],
    ['empty events', [{ url: 'https://a.example', secret: testSecret, events: [] }], /0\.events/],
    ['zero timeout', [{ url: 'https://a.example', secret: testSecret, timeoutMs: 0 }], /0\.timeoutMs/],
    ['unknown key', [{ url: 'https://a.example', secret: testSecret, retries: 3 }], /retries/],
    ['duplicate URL', [{ url: 'https://a.example', secret: testSecret }, { url: 'https://a.example', secret: testSecret }], /1\.url: duplicate endpoint URL/],
  ];
  for (const [name, input, message] of refused) {
    test(`refuses ${name}`, () => {
      assert.throws(() => parseEndpoints(input), message);
    });
  }

  test('never echoes the secret in errors', () => {
    const secret = 'whsec_c2hvcnQ=';
    assert.throws(() => parseEndpoints([{ url: 'https://a.example', secret }]), (err: Error) => !err.message.includes(secret) && !err.message.includes('c2hvcnQ'));
  });
});

describe('signStandardWebhook (src/ingest, used by the delivery worker)', () => {
  test('matches the Standard Webhooks reference vector', () => {
    // From the spec's reference libraries' tests.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    assert.equal(signStandardWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body), 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  test('verifies with an independent implementation; string and Buffer bodies agree', () => {
    const body = JSON.stringify({ type: 'asset.ready', data: { note: 'ünïcode ✓' } });
    const signature = signStandardWebhook(testSecret, 'msg_abc', 1_717_243_200, body);
    assert.equal(signature, signStandardWebhook(testSecret, 'msg_abc', 1_717_243_200, Buffer.from(body)));
    const headers = { 'webhook-id': 'msg_abc', 'webhook-timestamp': '1717243200', 'webhook-signature': signature };
    assert.equal(verifySignature(testSecret, headers, body), true);
    assert.equal(verifySignature(testSecret, { ...headers, 'webhook-id': 'msg_abd' }, body), false);
    assert.equal(verifySignature(testSecret, headers, `${body} `), false);
    const expected = createHmac('sha256', Buffer.alloc(32, 7)).update(`msg_abc.1717243200.${body}`).digest('base64');
    assert.equal(signature, `v1,${expected}`);
  });
});
