// `live2vod transcode` with S3 sources and destinations, against a real S3 API (s3rver) on
// loopback. The CLI runs through main() in this process (cli-in-process.ts), or as a child process
// where nothing may be written after manifest.json, with the standard AWS environment pointing at
// a small recording HTTP proxy in front of s3rver, so the order of its requests can be checked too
// (manifest.json must be written after everything else). The test itself talks to s3rver directly.
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  GetObjectCommand, HeadObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type _Object,
} from '@aws-sdk/client-s3';
import type { AssetManifest } from '../../src/media/asset-manifest.ts';
import { assertCompleteAsset, assertMpdMatchesHls, exists, loadAsset } from '../helpers/asset-checks.ts';
import { cliInProcess } from '../helpers/cli-in-process.ts';
import { makeTempDir, makeTestPattern, runCli, writeLadder, type CliResult, type TempDir } from '../helpers/media.ts';
import { getBytes, listAll, s3rverCredentials, startS3, withS3rverEnv, type RunningS3 } from '../storage/s3-helpers.ts';

// Keys with a space, a plus, non-ASCII letters, an emoji and a literal `%2F` (which must stay those
// three characters: S3 URIs are not URLs).
const sourceKey = 'live/cam 1+2 ünï 🎬/%2F rec+1 é.mp4';
const weirdPrefix = 'out put+ä/%2F ü 🎬';

// --- a recording proxy -----------------------------------------------------------------------------

interface Recorded {
  method: string;
  /** Decoded path: `/bucket/key`. */
  path: string;
  query: string;
  /** Position in the proxy's event sequence when the request arrived and when its response ended. */
  start: number;
  end: number;
  status: number;
}

interface RecordingProxy {
  endpoint: string;
  log: Recorded[];
  close(): Promise<void>;
}

/** An HTTP proxy to s3rver that forwards requests unchanged (SigV4 signs the Host header) and logs them. */
async function startRecordingProxy(targetPort: number): Promise<RecordingProxy> {
  let counter = 0;
  const log: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const entry: Recorded = { method: req.method ?? '?', path: decodeURIComponent(url.pathname), query: url.search, start: ++counter, end: 0, status: 0 };
    log.push(entry);
    const upstream = httpRequest({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.rawHeaders }, (response) => {
      entry.status = response.statusCode ?? 0;
      res.writeHead(response.statusCode ?? 502, response.rawHeaders);
      response.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => { entry.end = ++counter; });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    log,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// --- S3 helpers ----------------------------------------------------------------------------------------

/** `live2vod <args>` in this process, its environment pointed at s3rver (withS3rverEnv). */
function cliWithS3Env(args: readonly string[], endpoint: string): Promise<CliResult> {
  return withS3rverEnv(endpoint, {}, () => cliInProcess(args));
}



type CachePolicy = 'immutable' | 'short' | 'none';

/** What each published file must carry, by name (independent of the table in src/). */
function expectedHeaders(name: string): { contentType: string; cache: CachePolicy } {
  if (name === 'manifest.json') return { contentType: 'application/json', cache: 'none' };
  const extension = path.posix.extname(name).toLowerCase();
  const table: Record<string, { contentType: string; cache: CachePolicy }> = {
    '.m3u8': { contentType: 'application/vnd.apple.mpegurl', cache: 'short' },
    '.mpd': { contentType: 'application/dash+xml', cache: 'short' },
    '.m4s': { contentType: 'video/iso.segment', cache: 'immutable' },
    '.mp4': { contentType: 'video/mp4', cache: 'immutable' },
    '.vtt': { contentType: 'text/vtt', cache: 'short' },
    '.jpg': { contentType: 'image/jpeg', cache: 'immutable' },
    // chapters.json (Apple's HLS chapters): editable after the encode, so never cached.
    '.json': { contentType: 'application/json', cache: 'none' },
  };
  const expected = table[extension];
  assert.ok(expected, `unexpected file in the asset: ${name}`);
  return expected;
}

function assertCacheControl(name: string, value: string | undefined, policy: CachePolicy): void {
  assert.ok(value, `${name} has no Cache-Control`);
  const maxAge = Number(/max-age=(\d+)/.exec(value)?.[1] ?? Number.NaN);
  if (policy === 'none') assert.equal(value, 'no-cache', `${name}: Cache-Control`);
  else if (policy === 'immutable') {
    assert.match(value, /\bimmutable\b/, `${name}: Cache-Control ${value} is not immutable`);
    assert.ok(maxAge >= 365 * 86400, `${name}: Cache-Control ${value}: max-age under a year`);
  } else {
    assert.doesNotMatch(value, /immutable/, `${name}: a playlist must not be immutable (${value})`);
    assert.ok(maxAge >= 1 && maxAge <= 300, `${name}: Cache-Control ${value}: a playlist's max-age must be short`);
  }
}

interface S3Asset {
  manifest: AssetManifest;
  /** Keys relative to the asset prefix, sorted. */
  names: string[];
  /** The asset mirrored to a local directory. */
  localDir: string;
}

/**
 * The asset under s3://bucket/prefix/ is complete: the three manifests exist, manifest.json lists
 * exactly the other objects (nothing stale, nothing missing) with their sizes, every object has the
 * right Content-Type and Cache-Control, manifest.json was modified last, and a local copy passes the
 * structural checks the local transcode tests use (playlists, MPD, segments, files[]).
 */
async function assertS3Asset(client: S3Client, bucket: string, prefix: string, mirrorDir: string): Promise<S3Asset> {
  const root = `${prefix}/`;
  const objects = await listAll(client, bucket, root);
  const names = objects.map((o) => (o.Key ?? '').slice(root.length)).sort();
  for (const name of ['master.m3u8', 'manifest.mpd', 'manifest.json']) assert.ok(names.includes(name), `${name} is missing from s3://${bucket}/${root}: ${names.join(', ')}`);
  const manifest = JSON.parse((await getBytes(client, bucket, `${root}manifest.json`)).toString('utf8')) as AssetManifest;
  assert.deepEqual(names, [...manifest.files.map((f) => f.path), 'manifest.json'].sort(), 'the prefix holds exactly the files manifest.json lists, and manifest.json');
  const sizes = new Map(objects.map((o) => [(o.Key ?? '').slice(root.length), o.Size]));
  for (const file of manifest.files) assert.equal(sizes.get(file.path), file.bytes, `${file.path}: size in the bucket vs manifest.json`);

  const manifestModified = objects.find((o) => o.Key === `${root}manifest.json`)?.LastModified;
  assert.ok(manifestModified);
  for (const object of objects) {
    const name = (object.Key ?? '').slice(root.length);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: object.Key }));
    const expected = expectedHeaders(name);
    assert.equal(head.ContentType, expected.contentType, `${name}: Content-Type`);
    assertCacheControl(name, head.CacheControl, expected.cache);
    assert.ok(object.LastModified && object.LastModified.getTime() <= manifestModified.getTime(), `${name} was modified after manifest.json`);
  }

  await mkdir(mirrorDir, { recursive: true });
  for (const name of names) {
    const file = path.join(mirrorDir, ...name.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, await getBytes(client, bucket, `${root}${name}`));
  }
  const asset = await loadAsset(mirrorDir);
  await assertCompleteAsset(asset);
  assertMpdMatchesHls(asset);
  return { manifest, names, localDir: mirrorDir };
}

/** The proxy saw manifest.json written after every other write under the prefix had completed. */
function assertManifestWrittenLast(log: readonly Recorded[], bucket: string, prefix: string): void {
  const root = `/${bucket}/${prefix}/`;
  const writes = log.filter((r) => (r.method === 'PUT' || r.method === 'POST') && r.path.startsWith(root));
  const manifestPuts = writes.filter((r) => r.method === 'PUT' && r.path === `${root}manifest.json`);
  assert.equal(manifestPuts.length, 1, 'manifest.json was written once');
  const manifestPut = manifestPuts[0];
  assert.ok(manifestPut && manifestPut.status === 200, 'manifest.json was written successfully');
  const others = writes.filter((r) => r !== manifestPut);
  assert.ok(others.length >= 5, `the asset's other files went through the proxy (${others.length} writes)`);
  for (const write of others) {
    assert.ok(write.end > 0 && write.end < manifestPut.start, `${write.method} ${write.path} had not completed when manifest.json was written`);
  }
}

function describeRun(result: CliResult): string {
  return `exit ${result.code ?? result.signal}\n--- stdout\n${result.stdout.slice(-3000)}\n--- stderr\n${result.stderr.slice(-3000)}`;
}

// --- the tests -----------------------------------------------------------------------------------------

describe('live2vod transcode with S3 sources and destinations (s3rver)', { timeout: 300_000 }, () => {
  let s3: RunningS3;
  let proxy: RecordingProxy;
  let client: S3Client;
  let tmp: TempDir;
  let source: string;
  let twoRungs: string;
  let otherRung: string;
  let mirrors = 0;
  const mirror = () => path.join(tmp.dir, `mirror-${mirrors++}`);
  // No quality sampling: no test here reads it.
  const fast = ['--preset', 'ultrafast', '--no-loudnorm', '--no-quality', '--json'];

  const transcode = (input: string, out: string, flags: readonly string[]): Promise<CliResult> =>
    cliWithS3Env(['transcode', input, '--out', out, '--scratch', path.join(tmp.dir, 'scratch'), ...flags], proxy.endpoint);
  // A child process where "manifest.json written last" is checked: its exit waits for every request
  // the run started, so one sent after the manifest cannot land after the log is read.
  const transcodeInChild = (input: string, out: string, flags: readonly string[]): Promise<CliResult> =>
    withS3rverEnv(proxy.endpoint, {}, () => runCli(['transcode', input, '--out', out, '--scratch', path.join(tmp.dir, 'scratch'), ...flags]));

  before(async () => {
    [s3, tmp] = await Promise.all([startS3(['rec', 'vod']), makeTempDir('live2vod-s3-transcode-')]);
    proxy = await startRecordingProxy(s3.port);
    client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: s3rverCredentials });
    source = await makeTestPattern(tmp.dir, { seconds: 2, width: 480, height: 270, rate: 30, audio: 'sine', name: 'source.mp4' });
    twoRungs = await writeLadder(tmp.dir, 'two', [{ width: 320, height: 180, bitrateKbps: 300 }, { width: 256, height: 144, bitrateKbps: 200 }]);
    otherRung = await writeLadder(tmp.dir, 'other', [{ width: 384, height: 216, bitrateKbps: 350 }]);
    await client.send(new PutObjectCommand({ Bucket: 'rec', Key: sourceKey, Body: await readFile(source), ContentType: 'video/mp4' }));
  });

  after(async () => {
    client?.destroy();
    await proxy?.close();
    await s3?.dispose();
    await tmp?.cleanup();
  });

  it('S3 → S3 with unusual keys: a complete asset with the right headers, manifest.json written last', async () => {
    proxy.log.length = 0;
    const result = await transcodeInChild(`s3://rec/${sourceKey}`, `s3://vod/${weirdPrefix}`, ['--ladder', twoRungs, ...fast]);
    assert.equal(result.code, 0, describeRun(result));
    const done = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { type?: string; outDir?: string; renditions?: string[] };
    assert.equal(done.type, 'done');
    assert.equal(done.outDir, `s3://vod/${weirdPrefix}`);
    assert.deepEqual(done.renditions?.sort(), ['144p-200k', '180p-300k']);

    // The source was read by its literal key (no decoding of %2F, no + → space).
    assert.ok(proxy.log.some((r) => r.method === 'GET' && r.path === `/rec/${sourceKey}` && (r.status === 206 || r.status === 200)), 'the source was fetched by its literal key');
    const asset = await assertS3Asset(client, 'vod', weirdPrefix, mirror());
    assert.deepEqual(asset.manifest.renditions.map((r) => r.id).sort(), ['144p-200k', '180p-300k']);
    // Thumbnails and the download are on: every kind of file was published.
    for (const extension of ['.m3u8', '.mpd', '.m4s', '.mp4', '.vtt', '.jpg']) assert.ok(asset.names.some((n) => n.endsWith(extension)), `no ${extension} file published`);
    assertManifestWrittenLast(proxy.log, 'vod', weirdPrefix);
    // Nothing landed under a decoded or normalised variant of the prefix.
    const all = (await listAll(client, 'vod')).map((o) => o.Key ?? '');
    assert.deepEqual(all.filter((k) => !k.startsWith(`${weirdPrefix}/`)), [], 'objects outside the literal destination prefix');
  });

  it('a rerun into the same prefix with another ladder leaves no stale objects', async () => {
    const before = (await listAll(client, 'vod', `${weirdPrefix}/`)).map((o) => o.Key ?? '');
    assert.ok(before.some((k) => k.includes('/video/144p-200k/')), 'the first run left its 144p rendition (run the first test too)');
    proxy.log.length = 0;
    const result = await transcodeInChild(`s3://rec/${sourceKey}`, `s3://vod/${weirdPrefix}`, ['--ladder', otherRung, '--no-thumbnails', '--no-download', ...fast]);
    assert.equal(result.code, 0, describeRun(result));
    const asset = await assertS3Asset(client, 'vod', weirdPrefix, mirror());
    assert.deepEqual(asset.manifest.renditions.map((r) => r.id), ['216p-350k']);
    for (const gone of ['video/144p-200k/', 'video/180p-300k/', 'thumbnails/', 'download/']) {
      assert.ok(!asset.names.some((n) => n.startsWith(gone)), `stale ${gone} objects were left: ${asset.names.join(', ')}`);
    }
    // The previous manifest stopped claiming completeness before anything new was written.
    const root = `/vod/${weirdPrefix}/`;
    const firstWrite = proxy.log.find((r) => (r.method === 'PUT' || r.method === 'POST') && r.path.startsWith(root));
    const firstDelete = proxy.log.find((r) => r.method === 'POST' && r.query.includes('delete') && r.path.replace(/\/$/, '') === '/vod');
    assert.ok(firstDelete, 'a DeleteObjects request was made');
    assert.ok(!firstWrite || firstDelete.end < firstWrite.start, 'the old manifest.json was deleted before the first upload');
    assertManifestWrittenLast(proxy.log, 'vod', weirdPrefix);
  });

  it('local → S3', async () => {
    const result = await transcode(source, 's3://vod/from-local/asset 1', ['--ladder', twoRungs, '--no-download', '--no-thumbnails', ...fast]);
    assert.equal(result.code, 0, describeRun(result));
    const asset = await assertS3Asset(client, 'vod', 'from-local/asset 1', mirror());
    assert.deepEqual(asset.manifest.renditions.map((r) => r.id).sort(), ['144p-200k', '180p-300k']);
  });

  it('S3 → local', async () => {
    const out = path.join(tmp.dir, 'local out+ü %2F');
    const result = await transcode(`s3://rec/${sourceKey}`, out, ['--ladder', twoRungs, '--no-download', ...fast]);
    assert.equal(result.code, 0, describeRun(result));
    const asset = await loadAsset(out);
    await assertCompleteAsset(asset);
    assertMpdMatchesHls(asset);
    assert.deepEqual(asset.manifest.renditions.map((r) => r.id).sort(), ['144p-200k', '180p-300k']);
    assert.ok(Math.abs(asset.manifest.duration - 2) < 0.2, `duration ${asset.manifest.duration}`);
    // The fetched source went to a job directory in scratch, which is gone again.
    const scratch = await readdir(path.join(tmp.dir, 'scratch'));
    assert.deepEqual(scratch.filter((name) => name.startsWith('live2vod-job-')), [], 'job scratch directories were left behind');
  });

  it('a source key that does not exist: exit 3, a message naming it, nothing published', async () => {
    const missing = 'live/no such+key %2F.mp4';
    const out = 's3://vod/missing-source';
    const result = await transcode(`s3://rec/${missing}`, out, ['--ladder', twoRungs, '--preset', 'ultrafast']);
    assert.equal(result.code, 3, describeRun(result));
    assert.ok(result.stderr.includes(`s3://rec/${missing}`), `the message names the source: ${result.stderr}`);
    assert.match(result.stderr, /does not exist/);
    assert.deepEqual(await listAll(client, 'vod', 'missing-source'), [], 'nothing was published');
  });

  it('a destination bucket that does not exist: non-zero exit naming the bucket, no manifest.json anywhere', async () => {
    const bucketsBefore = (await client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name).sort();
    const manifestsBefore = await countManifests(client);
    const result = await transcode(source, 's3://no-such-bucket-l2v/assets/x', ['--ladder', twoRungs, ...fast]);
    assert.notEqual(result.code, 0, describeRun(result));
    assert.equal(result.code, 4, 'an output error');
    const error = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { type?: string; message?: string };
    assert.equal(error.type, 'error', describeRun(result));
    assert.match(error.message ?? '', /no-such-bucket-l2v/, 'the message names the bucket');
    assert.match(error.message ?? '', /does not exist/);
    // It failed before spending time on the encode.
    assert.ok(!result.stdout.includes('"step":"encode"'), 'the encode did not start');
    const bucketsAfter = (await client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name).sort();
    assert.deepEqual(bucketsAfter, bucketsBefore, 'no bucket was created');
    assert.equal(await countManifests(client), manifestsBefore, 'no manifest.json appeared anywhere');
    assert.ok(!(await exists(path.join(s3.dir, 'no-such-bucket-l2v'))), 's3rver holds nothing for the bucket');
  });
});

/** manifest.json objects in every bucket of the server. */
async function countManifests(client: S3Client): Promise<number> {
  let n = 0;
  for (const bucket of (await client.send(new ListBucketsCommand({}))).Buckets ?? []) {
    n += (await listAll(client, bucket.Name ?? '')).filter((o) => (o.Key ?? '').endsWith('manifest.json')).length;
  }
  return n;
}
