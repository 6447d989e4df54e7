// Faults between `live2vod transcode` and its S3 destination, injected with a TCP relay in front of a
// real S3 API (s3rver). The CLI runs through main() in this process (cli-in-process.ts; the faults
// are the point, not the process), or as a child where nothing may be written after it ends, with
// the AWS environment set in process.env for each run: a short outage during the encode (the SDK
// retries, the asset completes), the server going away for good (non-zero exit, no manifest.json
// at the destination; a rerun then completes cleanly), and slow responses (still complete).
//
// The relay can stall client→server traffic, reset every connection and refuse new ones for a
// while, and delay every chunk. It reads the request lines going through it, so a fault can be
// triggered exactly when a given upload starts, without racing the encoder.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type _Object } from '@aws-sdk/client-s3';
import type { AssetManifest } from '../../src/media/asset-manifest.ts';
import { assertCompleteAsset, loadAsset } from '../helpers/asset-checks.ts';
import { cliInProcess } from '../helpers/cli-in-process.ts';
import { makeTempDir, makeTestPattern, runCli, writeLadder, type CliResult, type TempDir } from '../helpers/media.ts';
import { getBytes, listAll, s3rverCredentials, startS3, withS3rverEnv, type RunningS3 } from '../storage/s3-helpers.ts';

// --- a relay with faults ---------------------------------------------------------------------------

interface FaultRelay {
  port: number;
  endpoint: string;
  /** Request lines (`PUT /vod/a/seg-00001.m4s`) seen so far, in order. */
  requests: string[];
  /** Called synchronously for each request line before it is forwarded (it may stall the relay). */
  onRequest: ((line: string) => void) | undefined;
  /** Buffers client→server bytes instead of forwarding them. */
  stall(): void;
  /** Forwards what was buffered and goes on forwarding. */
  resume(): void;
  /** Resets every connection (buffered bytes are lost) and refuses new ones for `ms`. */
  outage(ms: number): Promise<void>;
  /** Delay for every chunk, each way. */
  latencyMs: number;
  stats: { connections: number; refused: number; reset: number; droppedBytes: number; delayedChunks: number };
  close(): Promise<void>;
}

async function startFaultRelay(targetPort: number): Promise<FaultRelay> {
  const sockets = new Set<Socket>();
  const stalled = new Map<Socket, Buffer[]>();
  const forwarders = new Map<Socket, () => void>();
  let stalling = false;
  let refusingUntil = 0;
  const stats = { connections: 0, refused: 0, reset: 0, droppedBytes: 0, delayedChunks: 0 };
  const relay: FaultRelay = {
    port: 0,
    endpoint: '',
    requests: [],
    onRequest: undefined,
    latencyMs: 0,
    stats,
    stall() {
      stalling = true;
    },
    resume() {
      stalling = false;
      for (const flush of forwarders.values()) flush();
    },
    async outage(ms) {
      refusingUntil = Date.now() + ms;
      for (const [, chunks] of stalled) stats.droppedBytes += chunks.reduce((n, c) => n + c.length, 0);
      stalled.clear();
      for (const socket of sockets) {
        stats.reset += 1;
        socket.resetAndDestroy();
      }
      sockets.clear();
      stalling = false;
      await sleep(ms);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const send = (to: Socket, chunk: Buffer): void => {
    if (relay.latencyMs <= 0) {
      to.write(chunk);
      return;
    }
    stats.delayedChunks += 1;
    // Same delay for every chunk: timers fire in order, so the byte order is kept.
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, relay.latencyMs);
  };
  const server: Server = createServer((client) => {
    if (Date.now() < refusingUntil) {
      stats.refused += 1;
      client.resetAndDestroy();
      return;
    }
    stats.connections += 1;
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const pending: Buffer[] = [];
    stalled.set(client, pending);
    const flush = (): void => {
      while (pending.length > 0 && !stalling) {
        const chunk = pending.shift();
        if (chunk) send(upstream, chunk);
      }
    };
    forwarders.set(client, flush);
    client.on('data', (chunk: Buffer) => {
      for (const match of chunk.toString('latin1').matchAll(/^(GET|PUT|POST|DELETE|HEAD) (\S+) HTTP\/1\.1\r$/gm)) {
        const line = `${match[1]} ${decodeURIComponent((match[2] ?? '').split('?')[0] ?? '')}`;
        relay.requests.push(line);
        relay.onRequest?.(line);
      }
      pending.push(chunk);
      flush();
    });
    upstream.on('data', (chunk: Buffer) => send(client, chunk));
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      stalled.delete(client);
      forwarders.delete(client);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('relay has no port');
  relay.port = address.port;
  relay.endpoint = `http://127.0.0.1:${address.port}`;
  return relay;
}

// --- s3rver on an existing directory (after a stop) --------------------------------------------------

const s3rverChild = fileURLToPath(new URL('../storage/s3rver-child.ts', import.meta.url));

/** s3rver again on `dir` (what startS3 made), so the state a stopped server left can be inspected. */
async function restartS3(dir: string, buckets: string[]): Promise<{ endpoint: string; port: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--openssl-legacy-provider', s3rverChild, dir, ...buckets], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-4000); });
  const exited = once(child, 'exit');
  const first = await Promise.race([once(createInterface({ input: child.stdout }), 'line').then(([line]) => String(line)), exited.then(() => undefined)]);
  if (first === undefined) throw new Error(`s3rver did not restart: ${stderr}`);
  const { port } = JSON.parse(first) as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

// --- S3 helpers ----------------------------------------------------------------------------------------

/** `live2vod <args>` in this process, its environment pointed at s3rver (withS3rverEnv). */
function cliWithS3Env(args: readonly string[], endpoint: string, extra: Record<string, string> = {}): Promise<CliResult> {
  return withS3rverEnv(endpoint, extra, () => cliInProcess(args));
}

/** The same as a child process, whose exit waits for every request the run started: for "nothing was written". */
function cliInChildWithS3Env(args: readonly string[], endpoint: string, extra: Record<string, string> = {}): Promise<CliResult> {
  return withS3rverEnv(endpoint, extra, () => runCli(args));
}

function clientFor(endpoint: string): S3Client {
  return new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: s3rverCredentials, maxAttempts: 2 });
}


/**
 * Holds the upload of `<prefix>/manifest.json` at the relay when it starts, lists the prefix on
 * the server directly meanwhile, then lets it through: what a player could see just before the
 * manifest exists. Chains with the relay's own onRequest. checkAfter() asserts, once the run is
 * over, that every file the final manifest lists (with its size) was already there: no asset is
 * visible before its manifest.json is, and the manifest never names a file still uploading.
 */
function watchManifestOrder(relay: FaultRelay, direct: S3Client, bucket: string, prefix: string): { checkAfter(manifest: AssetManifest): Promise<void> } {
  const previous = relay.onRequest;
  let snapshot: Promise<Map<string, number>> | undefined;
  relay.onRequest = (line) => {
    previous?.(line);
    if (snapshot !== undefined || line !== `PUT /${bucket}/${prefix}/manifest.json`) return;
    relay.stall();
    snapshot = (async () => {
      try {
        const objects = await listAll(direct, bucket, `${prefix}/`);
        return new Map(objects.map((o) => [(o.Key ?? '').slice(prefix.length + 1), o.Size ?? -1]));
      } finally {
        relay.resume();
      }
    })();
  };
  return {
    async checkAfter(manifest) {
      assert.ok(snapshot !== undefined, 'the manifest.json upload was seen at the relay');
      const seen = await snapshot;
      assert.ok(!seen.has('manifest.json'), 'manifest.json was not there before its upload');
      const missing = manifest.files.filter((f) => seen.get(f.path) !== f.bytes).map((f) => `${f.path} (${seen.get(f.path) ?? 'absent'} of ${f.bytes} bytes)`);
      assert.deepEqual(missing, [], 'every file manifest.json lists was complete before manifest.json was written');
    },
  };
}

/**
 * The asset under s3://bucket/prefix/ is complete: manifest.json lists exactly the other objects
 * with their sizes, and a local copy passes the structural checks (every playlist, init and
 * segment present, VOD playlists with ENDLIST, files[] = the files). Returns manifest.json.
 */
async function assertCompleteS3Asset(client: S3Client, bucket: string, prefix: string, mirrorDir: string): Promise<AssetManifest> {
  const root = `${prefix}/`;
  const objects = await listAll(client, bucket, root);
  const names = objects.map((o) => (o.Key ?? '').slice(root.length)).sort();
  assert.ok(names.includes('manifest.json'), `no manifest.json under s3://${bucket}/${root}: ${names.join(', ')}`);
  const manifest = JSON.parse((await getBytes(client, bucket, `${root}manifest.json`)).toString('utf8')) as AssetManifest;
  assert.deepEqual(names, [...manifest.files.map((f) => f.path), 'manifest.json'].sort(), 'the prefix holds exactly the files manifest.json lists');
  for (const name of names) {
    const file = path.join(mirrorDir, ...name.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, await getBytes(client, bucket, `${root}${name}`));
  }
  await assertCompleteAsset(await loadAsset(mirrorDir));
  return manifest;
}

function describeRun(result: CliResult): string {
  return `exit ${result.code ?? result.signal}\n--- stdout\n${result.stdout.slice(-3000)}\n--- stderr\n${result.stderr.slice(-3000)}`;
}

const isSegmentPut = (line: string): boolean => /^PUT \S+\/seg-\d+\.m4s$/.test(line);

// --- the tests -----------------------------------------------------------------------------------------

describe('S3 faults during live2vod transcode (s3rver behind a relay)', { timeout: 300_000 }, () => {
  let tmp: TempDir;
  let source: string;
  let ladder: string;
  let mirrors = 0;
  const cleanups: (() => Promise<void>)[] = [];
  // 12 s in 2 s segments: six segments per track, so there is an upload to interrupt mid-encode.
  const flags = () => ['--ladder', ladder, '--preset', 'ultrafast', '--no-loudnorm', '--no-quality', '--no-download', '--no-thumbnails', '--segment', '2', '--gop', '1', '--scratch', path.join(tmp.dir, 'scratch'), '--json'];
  const mirror = () => path.join(tmp.dir, `mirror-${mirrors++}`);

  before(async () => {
    tmp = await makeTempDir('live2vod-s3-faults-');
    source = await makeTestPattern(tmp.dir, { seconds: 12, width: 480, height: 270, rate: 30, audio: 'sine', name: 'source.mp4' });
    ladder = await writeLadder(tmp.dir, 'small', [{ width: 320, height: 180, bitrateKbps: 300 }]);
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await tmp?.cleanup();
  });

  async function setUp(): Promise<{ s3: RunningS3; relay: FaultRelay; client: S3Client }> {
    const s3 = await startS3(['rec', 'vod']);
    const relay = await startFaultRelay(s3.port);
    const client = clientFor(s3.endpoint);
    cleanups.push(() => s3.dispose(), () => relay.close(), async () => client.destroy());
    return { s3, relay, client };
  }

  it('a 2 s outage while segments upload: the uploads are retried and the asset completes', async () => {
    const { relay, client } = await setUp();
    let outage: Promise<void> | undefined;
    relay.onRequest = () => {
      // At the second segment upload: hold everything for a moment (uploads pile up), then reset
      // every connection and refuse new ones for 2 s. (The S3 client's own retries alone give up
      // after 0.2–3 s, randomly: the publisher retries with a backoff of seconds on top.)
      if (outage === undefined && relay.requests.filter(isSegmentPut).length === 2) {
        relay.stall();
        outage = sleep(300).then(() => relay.outage(2000));
      }
    };
    const order = watchManifestOrder(relay, client, 'vod', 'outage');
    const started = performance.now();
    const result = await cliWithS3Env(['transcode', source, '--out', 's3://vod/outage', ...flags()], relay.endpoint);
    await outage;
    assert.equal(result.code, 0, describeRun(result));
    assert.ok(outage !== undefined, 'the outage was triggered');
    assert.ok(relay.stats.reset > 0, 'connections were reset');
    assert.ok(relay.stats.droppedBytes > 0, 'requests in flight were cut (their bytes never reached the server)');
    assert.ok(relay.stats.refused > 0, 'requests were refused during the outage');
    const manifest = await assertCompleteS3Asset(client, 'vod', 'outage', mirror());
    await order.checkAfter(manifest);
    assert.equal(manifest.renditions.length, 1);
    assert.ok(manifest.files.filter((f) => f.path.endsWith('.m4s')).length >= 12, 'six video and six audio segments');
    // The cut upload was sent again.
    const segmentPuts = relay.requests.filter(isSegmentPut);
    assert.ok(segmentPuts.length > new Set(segmentPuts).size, `some segment PUT was retried: ${segmentPuts.join(', ')}`);
    assert.ok(performance.now() - started < 100_000);
  });

  it('the server stops mid-run: non-zero exit, no manifest.json at the destination; a rerun completes cleanly', async () => {
    const { s3, relay, client: direct } = await setUp();
    let stopped: Promise<void> | undefined;
    relay.onRequest = () => {
      if (stopped === undefined && relay.requests.filter(isSegmentPut).length === 3) {
        // Nothing more reaches the server from here on. Once an earlier segment upload has landed
        // (it may still be in flight now), the server goes away for good.
        relay.stall();
        stopped = (async () => {
          const deadline = Date.now() + 10_000;
          // s3rver answers a listing with 500 while it is rewriting an object's metadata file (an
          // upload landing now): that is "not yet", asked again.
          const landed = async () => (await listAll(direct, 'vod', 'server-gone/').catch(() => [])).some((o) => o.Key?.endsWith('.m4s'));
          while (Date.now() < deadline && !(await landed())) await sleep(50);
          await s3.stop();
          relay.resume();
        })();
      }
    };
    // One SDK attempt per request: the publisher's own retries (7.5 s of backoff) still run before
    // it gives up; the SDK's four more attempts on each would only add seconds of waiting.
    const result = await cliInChildWithS3Env(['transcode', source, '--out', 's3://vod/server-gone', ...flags()], relay.endpoint, { AWS_MAX_ATTEMPTS: '1' });
    await stopped;
    assert.ok(stopped !== undefined, 'the server was stopped mid-run');
    assert.notEqual(result.code, 0, describeRun(result));
    assert.equal(result.code, 4, `an output error: ${describeRun(result)}`);
    const error = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { type?: string; message?: string };
    assert.equal(error.type, 'error');
    assert.match(error.message ?? '', /s3:\/\/vod\/server-gone\//, 'the message names the destination');

    // The same directory served again: some uploads made it, manifest.json did not.
    const again = await restartS3(s3.dir, ['rec', 'vod']);
    cleanups.push(() => again.stop());
    const client = clientFor(again.endpoint);
    cleanups.push(async () => client.destroy());
    const left = (await listAll(client, 'vod', 'server-gone/')).map((o) => o.Key ?? '');
    assert.ok(left.some((k) => k.endsWith('.m4s')), `segments uploaded before the stop are there: ${left.join(', ')}`);
    assert.ok(!left.some((k) => k.endsWith('manifest.json')), 'no manifest.json at the destination');
    const everywhere = [...await listAll(client, 'vod', ''), ...await listAll(client, 'rec', '')].map((o) => o.Key ?? '');
    assert.deepEqual(everywhere.filter((k) => k.endsWith('manifest.json')), [], 'no manifest.json anywhere');

    // A rerun into the same prefix completes, and leaves nothing of the failed run behind.
    const rerun = await cliWithS3Env(['transcode', source, '--out', 's3://vod/server-gone', ...flags()], again.endpoint);
    assert.equal(rerun.code, 0, describeRun(rerun));
    const manifest = await assertCompleteS3Asset(client, 'vod', 'server-gone', mirror());
    assert.ok(Math.abs(manifest.duration - 12) < 0.2, `duration ${manifest.duration}`);
  });

  it('slow responses (latency on every chunk, both ways) still complete, S3 source included', async () => {
    const { relay, client } = await setUp();
    await client.send(new PutObjectCommand({ Bucket: 'rec', Key: 'slow/source.mp4', Body: await readFile(source) }));
    relay.latencyMs = 60;
    const order = watchManifestOrder(relay, client, 'vod', 'slow');
    const result = await cliWithS3Env(['transcode', 's3://rec/slow/source.mp4', '--out', 's3://vod/slow', ...flags()], relay.endpoint);
    assert.equal(result.code, 0, describeRun(result));
    assert.ok(relay.stats.delayedChunks > 20, `the traffic went through the slow relay (${relay.stats.delayedChunks} chunks)`);
    assert.ok(relay.requests.some((l) => l === 'GET /rec/slow/source.mp4'), 'the source was read through the relay');
    await order.checkAfter(await assertCompleteS3Asset(client, 'vod', 'slow', mirror()));
  });
});
