// The service with S3 on both ends: a recording is uploaded to bucket `rec` of a real S3 API
// (s3rver), a MinIO-style event notification for it is POSTed to /hooks/s3, a real worker process
// fetches it, transcodes it and publishes the asset to `storage.output: s3://vod/assets`; the API
// then links the asset under `storage.publicBaseUrl`, and those links work. Without a public base
// URL the bucket stays private and the same asset plays through signed /media/s/ links.
//
// The workers are child processes that inherit process.env, so the AWS_* settings for s3rver are
// set in process.env for this file (and restored after).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type _Object } from '@aws-sdk/client-s3';
import type { ApiJob } from '../../src/http/api-schemas.ts';
import type { AssetManifest } from '../../src/media/asset-manifest.ts';
import { exists, parseMaster, parseMediaPlaylist } from '../helpers/asset-checks.ts';
import { makeTempDir, makeTestPattern, type TempDir } from '../helpers/media.ts';
import { api, startTestService, waitForJob, type TestService } from '../helpers/serve.ts';
import { getBytes, listAll, s3rverCredentials, startS3, useS3rverEnv, type RunningS3 } from '../storage/s3-helpers.ts';

const token = 'minio-webhook-token-1234';
// A key that needs decoding in the event: a space, a plus and a non-ASCII letter.
const recordingKey = 'live/cam 1/show+1 ü.mp4';

/** Go's url.QueryEscape, which MinIO applies to the key in its event records (`/` → %2F, space → +). */
function queryEscape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, '+');
}

/** What MinIO's webhook target POSTs for one PutObject. */
function minioEvent(bucket: string, key: string, size: number, etag: string): unknown {
  return {
    EventName: 's3:ObjectCreated:Put',
    Key: `${bucket}/${key}`,
    Records: [{
      eventVersion: '2.0',
      eventSource: 'minio:s3',
      awsRegion: '',
      eventTime: new Date().toISOString(),
      eventName: 's3:ObjectCreated:Put',
      userIdentity: { principalId: 'minioadmin' },
      requestParameters: { principalId: 'minioadmin', region: '', sourceIPAddress: '127.0.0.1' },
      responseElements: { 'x-amz-id-2': 'dd9025bab4ad464b049177c95eb6ebf374d3b3fd1af9251148b658df7ac2e3e8', 'x-amz-request-id': '17F1A0C4D5E6B7A8', 'x-minio-deployment-id': 'b1c2', 'x-minio-origin-endpoint': 'http://127.0.0.1:9000' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'Config',
        bucket: { name: bucket, ownerIdentity: { principalId: 'minioadmin' }, arn: `arn:aws:s3:::${bucket}` },
        object: { key: queryEscape(key), size, eTag: etag, contentType: 'video/mp4', userMetadata: { 'content-type': 'video/mp4' }, sequencer: '17F1A0C4D5E6B7A9' },
      },
      source: { host: '127.0.0.1', port: '', userAgent: 'MinIO (linux; amd64) minio-go/v7.0.70' },
    }],
  };
}



describe('serve with an S3 source (MinIO event) and an S3 storage output', { timeout: 240_000 }, () => {
  let s3: RunningS3;
  let tmp: TempDir;
  let client: S3Client;
  let service: TestService;
  let publicBaseUrl: string;
  let restoreEnv: (() => void) | undefined;
  let recording: string;

  before(async () => {
    [s3, tmp] = await Promise.all([startS3(['rec', 'vod']), makeTempDir('live2vod-s3-service-')]);
    // One short recording at the rendition's size, uploaded under a key of each test.
    recording = await makeTestPattern(tmp.dir, { seconds: 2, width: 320, height: 180, rate: 30, audio: 'sine', name: 'rec.mp4' });
    restoreEnv = useS3rverEnv(s3.endpoint);
    client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: s3rverCredentials });
    publicBaseUrl = `${s3.endpoint}/vod/assets`;
    service = await startTestService({
      overrides: {
        storage: { output: 's3://vod/assets', publicBaseUrl },
        ingest: { s3: { token, buckets: ['rec'] } },
      },
    });
  });

  after(async () => {
    await service?.dispose();
    client?.destroy();
    restoreEnv?.();
    await s3?.dispose();
    await tmp?.cleanup();
  });

  it('an uploaded recording becomes an asset in the bucket, linked under publicBaseUrl', async () => {
    const body = await readFile(recording);
    const put = await client.send(new PutObjectCommand({ Bucket: 'rec', Key: recordingKey, Body: body, ContentType: 'video/mp4' }));
    assert.ok(put.ETag);

    // Without the token: refused, and no job.
    const event = minioEvent('rec', recordingKey, body.length, put.ETag.replace(/"/g, ''));
    const refused = await api(service.url, '/hooks/s3', { body: event });
    assert.equal(refused.status, 401, refused.text);
    const accepted = await api(service.url, '/hooks/s3', { body: event, token });
    assert.equal(accepted.status, 200, accepted.text);

    const listed = await api<{ items: ApiJob[] }>(service.url, '/v1/jobs?source=s3');
    assert.equal(listed.status, 200, listed.text);
    assert.equal(listed.body.items.length, 1, `one job from the event: ${listed.text}`);
    const created = listed.body.items[0];
    assert.ok(created);
    assert.equal(created.source, `s3://rec/${recordingKey}`, 'the key was decoded from the event');
    assert.equal(created.metadata['bucket'], 'rec');
    assert.equal(created.metadata['key'], recordingKey);

    const job = await waitForJob(service.url, created.id, 'succeeded', { timeoutMs: 180_000, intervalMs: 250 });
    const { id } = job;

    // Where the asset is: storage.output is the counterpart of the local media root, so the job's
    // directory (`assets/<id>`, as under /media/ locally) lies under it: s3://vod/assets/assets/<id>/,
    // linked as <publicBaseUrl>/assets/<id>/. The API's links must point exactly there.
    assert.ok(job.asset, `a succeeded job links its asset: ${JSON.stringify(job)}`);
    const jobDir = `assets/${id}`;
    const assetPrefix = `assets/${jobDir}`;
    const masterUrl = job.asset.master;
    assert.equal(masterUrl, `${publicBaseUrl}/${jobDir}/master.m3u8`);
    assert.equal(job.asset.dash, `${publicBaseUrl}/${jobDir}/manifest.mpd`);
    assert.equal(job.asset.manifest, `${publicBaseUrl}/${jobDir}/manifest.json`);
    assert.equal(job.playableUrl, masterUrl);

    const objects = await listAll(client, 'vod', `${assetPrefix}/`);
    const names = objects.map((o) => (o.Key ?? '').slice(assetPrefix.length + 1)).sort();
    for (const name of ['master.m3u8', 'manifest.mpd', 'manifest.json']) assert.ok(names.includes(name), `${name} missing from s3://vod/${assetPrefix}/: ${names.join(', ')}`);
    assert.ok(names.some((n) => n.endsWith('.m4s')) && names.some((n) => n.endsWith('/init.mp4')), 'segments and init files were published');
    const expectedTypes: [RegExp, string, RegExp][] = [
      [/\.m3u8$/, 'application/vnd.apple.mpegurl', /max-age=60/],
      [/\.mpd$/, 'application/dash+xml', /max-age=60/],
      [/\.m4s$/, 'video/iso.segment', /immutable/],
      [/\.mp4$/, 'video/mp4', /immutable/],
      [/^manifest\.json$/, 'application/json', /^no-cache$/],
      // Apple's chapter document: editable after the encode, so never cached.
      [/^chapters\.json$/, 'application/json', /^no-cache$/],
      [/^chapters\.vtt$/, 'text/vtt', /max-age/],
    ];
    for (const name of names) {
      const rule = expectedTypes.find(([pattern]) => pattern.test(name));
      assert.ok(rule, `unexpected object ${name}`);
      const head = await client.send(new HeadObjectCommand({ Bucket: 'vod', Key: `${assetPrefix}/${name}` }));
      assert.equal(head.ContentType, rule[1], `${name}: Content-Type`);
      assert.match(head.CacheControl ?? '', rule[2], `${name}: Cache-Control`);
    }

    // The public URL serves the playlist (s3rver, path-style), and the variants it names.
    const master = await fetch(masterUrl);
    assert.equal(master.status, 200);
    assert.equal(master.headers.get('content-type'), 'application/vnd.apple.mpegurl');
    const masterText = await master.text();
    assert.match(masterText, /^#EXTM3U/);
    const variants = parseMaster(masterText).variants;
    assert.ok(variants.length >= 1);
    for (const variant of variants) {
      const playlist = await fetch(new URL(variant.uri, masterUrl));
      assert.equal(playlist.status, 200, `${variant.uri} through the public URL`);
      assert.match(await playlist.text(), /#EXT-X-ENDLIST/);
    }

    // GET /v1/assets/:id: the manifest read back from the bucket.
    const asset = await api<{ id: string; urls: { master: string }; manifest: AssetManifest }>(service.url, `/v1/assets/${id}`);
    assert.equal(asset.status, 200, asset.text);
    assert.equal(asset.body.id, id);
    assert.equal(asset.body.urls.master, masterUrl);
    assert.equal(asset.body.manifest.hls, 'master.m3u8');
    assert.ok(Math.abs(asset.body.manifest.duration - 2) < 0.2, `duration ${asset.body.manifest.duration}`);
    assert.deepEqual([...asset.body.manifest.files.map((f) => f.path), 'manifest.json'].sort(), names, 'the manifest lists exactly the published objects');

    // Nothing was written to the local media directory.
    assert.ok(!(await exists(path.join(service.dataDir, 'media', 'assets', id))), 'the asset is not (also) in the local media directory');
  });

  it('without a public base URL the bucket stays private and signed /media/s/ links play the asset', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'rec', Key: 'private/talk.mp4', Body: await readFile(recording), ContentType: 'video/mp4' }));
    const privateService = await startTestService({ overrides: { storage: { output: 's3://vod/private', presignSeconds: 600 } } });
    try {
      const created = await api<ApiJob>(privateService.url, '/v1/jobs', { body: { source: 's3://rec/private/talk.mp4' } });
      assert.equal(created.status, 201, created.text);
      const job = await waitForJob(privateService.url, created.body.id, 'succeeded', { timeoutMs: 180_000, intervalMs: 250 });
      const jobDir = `assets/${job.id}`;
      assert.ok(job.asset);
      const signed = new RegExp(`^${privateService.url}/media/s/(\\d+\\.[A-Za-z0-9_-]{43})/${jobDir}/master\\.m3u8$`);
      const token = signed.exec(job.asset.master)?.[1];
      assert.ok(token, `a signed link to the master playlist: ${job.asset.master}`);
      const expiresAt = Number(token.split('.')[0]);
      const lifetime = expiresAt - Date.now() / 1000;
      assert.ok(lifetime > 590 && lifetime <= 900, `the link lives presignSeconds (600) rounded up to 5 minutes, not ${lifetime.toFixed(0)} s`);

      // Playlists come from the control plane; their relative URIs keep the token in the path.
      const master = await fetch(job.asset.master);
      assert.equal(master.status, 200);
      assert.equal(master.headers.get('content-type'), 'application/vnd.apple.mpegurl');
      const variant = parseMaster(await master.text()).variants[0];
      assert.ok(variant);
      const playlistUrl = new URL(variant.uri, job.asset.master);
      const playlist = parseMediaPlaylist(await (await fetch(playlistUrl)).text());
      assert.ok(playlist.mapUri && playlist.entries.length > 0);

      // Media is a redirect to a presigned URL of the private bucket, and the bytes are the object's.
      const segmentUrl = new URL(playlist.entries[0]?.uri ?? '', playlistUrl);
      const redirect = await fetch(segmentUrl, { redirect: 'manual' });
      assert.equal(redirect.status, 302);
      const location = redirect.headers.get('location') ?? '';
      assert.match(location, /X-Amz-Signature=/, 'a presigned S3 URL');
      const key = `private/${decodeURIComponent(segmentUrl.pathname.slice(segmentUrl.pathname.indexOf(jobDir)))}`;
      const viaLink = Buffer.from(await (await fetch(segmentUrl)).arrayBuffer());
      assert.ok(viaLink.length > 0);
      assert.deepEqual(viaLink, await getBytes(client, 'vod', key), 'the redirect serves the published segment');
      const init = await fetch(new URL(playlist.mapUri, playlistUrl));
      assert.equal(init.status, 200, 'the init segment through the link');
      const mpd = await fetch(job.asset.dash);
      assert.equal(mpd.status, 200);
      assert.match(await mpd.text(), /<MPD/);

      // Anything else is refused: another asset's directory, a changed signature, a path escape.
      const other = job.asset.master.replace(jobDir, 'assets/0190f0a0-0000-7000-8000-000000000000');
      assert.equal((await fetch(other)).status, 403, 'the token is bound to its asset');
      const [stamp, mac] = token.split('.');
      const forged = job.asset.master.replace(token, `${Number(stamp) + 300}.${mac}`);
      assert.equal((await fetch(forged)).status, 403, 'the expiry is signed');
      assert.equal((await fetch(`${privateService.url}/media/s/${token}/${jobDir}/%2e%2e/%2e%2e/x.m3u8`)).status, 404);
    } finally {
      await privateService.dispose();
    }
  });

  it('the same event again does not make a second job', async () => {
    const before = await api<{ items: ApiJob[] }>(service.url, '/v1/jobs?source=s3');
    const head = await client.send(new HeadObjectCommand({ Bucket: 'rec', Key: recordingKey }));
    const again = await api(service.url, '/hooks/s3', { body: minioEvent('rec', recordingKey, head.ContentLength ?? 0, (head.ETag ?? '').replace(/"/g, '')), token });
    assert.equal(again.status, 200, again.text);
    const after = await api<{ items: ApiJob[] }>(service.url, '/v1/jobs?source=s3');
    assert.equal(after.body.items.length, before.body.items.length, 'a redelivered event is idempotent');
  });
});
