// Benchmark of instant playback: webhook → `playable` for a 10- and a 60-minute 1080p30 H.264/AAC
// recording, through a real `live2vod serve` (nginx-rtmp's on_record_done hook, the queue, a worker
// process, probe, the instant remux), against the plain ffmpeg baseline: the same stream copy into
// an HLS playlist, timed to its first listed segment. Target: at most 2 s at any length.
// With `--sources s3` (the default runs both) the recording is an object in s3rver on loopback,
// announced by an S3 event notification to /hooks/s3: the worker reads it by ranges while it
// downloads; beside it, how long the plain download of the object alone takes.
// The job is cancelled once playable (the ladder of an hour would take hours here).
// Usage: node bench/playable.bench.ts [--minutes 10,60] [--sources local,s3] [--keep]
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { s3rverCredentials, startS3, type RunningS3 } from '../test/storage/s3-helpers.ts';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs, promisify } from 'node:util';

const run = promisify(execFile);
const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10,60' }, sources: { type: 'string', default: 'local,s3' }, keep: { type: 'boolean', default: false } } });
const lengths = values.minutes.split(',').map(Number);
const kinds = values.sources.split(',');
const hookToken = 'bench-s3-hook-token';
const root = await mkdtemp(path.join(os.tmpdir(), 'live2vod-bench-playable-'));
const recordDir = path.join(root, 'rec');
await mkdir(recordDir);
const bin = path.resolve(import.meta.dirname, '..', 'bin', 'live2vod');
const ffmpeg = (args: string[]) => run('ffmpeg', ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', ...args], { maxBuffer: 64 * 1024 * 1024 });

console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`);
// Ten minutes made once, longer recordings joined from it without re-encoding (-c copy).
const tenMinutes = path.join(root, 'ten.mp4');
await ffmpeg([
  '-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30:duration=600', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=600',
  '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '6M', '-g', '60', '-c:a', 'aac', '-b:a', '128k', tenMinutes,
]);
const sources = new Map<number, string>();
for (const minutes of lengths) {
  const file = path.join(recordDir, `keynote-${minutes}min.mp4`);
  const list = path.join(root, `list-${minutes}.txt`);
  await writeFile(list, Array.from({ length: Math.ceil(minutes / 10) }, () => `file '${tenMinutes}'`).join('\n'));
  await ffmpeg(['-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-t', String(minutes * 60), '-movflags', '+faststart', file]);
  sources.set(minutes, file);
}

let s3: RunningS3 | undefined;
try {
  for (const kind of kinds) {
    if (kind === 'local') await measure('local', {}, async (minutes, file) => ({ source: file, hook: nginxHook(file) }));
    else if (kind === 's3') {
      s3 = await startS3(['rec']);
      const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: s3rverCredentials });
      for (const [minutes, file] of sources) {
        await new Upload({ client, params: { Bucket: 'rec', Key: path.basename(file), Body: createReadStream(file) }, partSize: 64 * 1024 * 1024, queueSize: 4 }).done();
        console.log(`uploaded ${minutes} min (${((await stat(file)).size / 2 ** 20).toFixed(0)} MiB); the plain download of it takes ${(await downloadSeconds(client, path.basename(file))).toFixed(2)} s`);
      }
      client.destroy();
      const env = { AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey, AWS_REGION: 'us-east-1' };
      await measure('s3', env, async (_minutes, file) => ({ source: `s3://rec/${path.basename(file)}`, hook: s3Hook(path.basename(file), (await stat(file)).size) }));
    } else throw new Error(`--sources takes local and s3, not ${kind}`);
  }
} finally {
  await s3?.dispose();
  if (!values.keep) await rm(root, { recursive: true, force: true });
}

interface Hook { route: string; init: RequestInit }

function nginxHook(file: string): Hook {
  return { route: `/hooks/nginx-rtmp?token=${hookToken}`, init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `call=record_done&app=live&name=keynote&path=${encodeURIComponent(file)}` } };
}

/** An S3 event notification, as AWS (SQS/SNS/Lambda) sends it. */
function s3Hook(key: string, size: number): Hook {
  const body = { Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', eventTime: new Date().toISOString(), s3: { s3SchemaVersion: '1.0', bucket: { name: 'rec' }, object: { key, size, eTag: `bench-${size}` } } }] };
  return { route: '/hooks/s3', init: { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${hookToken}` }, body: JSON.stringify(body) } };
}

/** The whole object through the SDK, as a worker's download would get it, timed. */
async function downloadSeconds(client: S3Client, key: string): Promise<number> {
  const started = performance.now();
  const response = await client.send(new GetObjectCommand({ Bucket: 'rec', Key: key }));
  for await (const _ of response.Body as AsyncIterable<Uint8Array>) { /* drained */ }
  return (performance.now() - started) / 1000;
}

/** A fresh `serve` (with `env` for its workers), each recording announced once and timed to playable. */
async function measure(kind: string, env: Record<string, string>, announce: (minutes: number, file: string) => Promise<{ source: string; hook: Hook }>): Promise<void> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = path.join(root, `config-${kind}.json`);
  await writeFile(config, JSON.stringify({
    server: { port }, dataDir: path.join(root, `data-${kind}`), recordDir, logLevel: 'warn', executor: { concurrency: 2 }, transcode: { instantRemux: true },
    ingest: { s3: { token: hookToken, buckets: ['rec'] }, nginxRtmp: { token: hookToken } },
  }));
  const serve = spawn(process.execPath, [bin, 'serve', '--config', config], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
  try {
    for (let i = 0; ; i++) {
      if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
      if (i > 200) throw new Error('serve did not start');
      await sleep(50);
    }
    console.log(`\n${kind} source: recording   webhook → playable   plain ffmpeg copy → first segment   ratio`);
    for (const [minutes, file] of sources) {
      const { source, hook } = await announce(minutes, file);
      const started = performance.now();
      const answer = await fetch(`${base}${hook.route}`, hook.init);
      if (!answer.ok) throw new Error(`hook answered ${answer.status}: ${await answer.text()}`);
      const id = await firstJobId(base, source);
      for (;;) {
        const job = await (await fetch(`${base}/v1/jobs/${id}`)).json() as { playableUrl: string | null; state: string; error: { message: string } | null };
        if (job.playableUrl) break;
        if (job.state === 'failed') throw new Error(`the job failed: ${job.error?.message}`);
        await sleep(20);
      }
      const playable = (performance.now() - started) / 1000;
      await fetch(`${base}/v1/jobs/${id}/cancel`, { method: 'POST' });
      const baseline = await baselineFirstSegment(file, path.join(root, `baseline-${kind}-${minutes}`));
      console.log(`${''.padEnd(kind.length + 8)} ${`${minutes} min`.padEnd(10)}  ${`${playable.toFixed(2)} s`.padStart(18)}   ${`${baseline.toFixed(2)} s`.padStart(33)}   ${(playable / baseline).toFixed(2).padStart(5)}`);
      // Let the cancelled job's processes go before the next measurement.
      await sleep(2000);
    }
  } finally {
    serve.kill('SIGTERM');
    await new Promise((resolve) => serve.once('exit', resolve));
  }
}

async function firstJobId(base: string, source: string): Promise<string> {
  for (;;) {
    const list = await (await fetch(`${base}/v1/jobs?limit=500`)).json() as { items: { id: string; source: string }[] };
    const job = list.items.find((j) => j.source === source);
    if (job) return job.id;
    await sleep(10);
  }
}

/** Plain ffmpeg: the same copy into an HLS playlist, until the playlist lists a segment. */
async function baselineFirstSegment(file: string, dir: string): Promise<number> {
  await mkdir(dir, { recursive: true });
  const playlist = path.join(dir, 'index.m3u8');
  const started = performance.now();
  const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', file, '-c', 'copy', '-f', 'hls', '-hls_time', '6', '-hls_playlist_type', 'event', '-hls_flags', 'temp_file', '-hls_segment_type', 'fmp4', '-hls_segment_filename', path.join(dir, 'seg-%05d.m4s'), playlist], { stdio: 'ignore' });
  try {
    for (;;) {
      if ((await readFile(playlist, 'utf8').catch(() => '')).includes('#EXTINF')) return (performance.now() - started) / 1000;
      if (child.exitCode !== null) throw new Error('the baseline remux ended without a segment');
      await sleep(20);
    }
  } finally {
    child.kill('SIGKILL');
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
