// Benchmark: the same 1080p source transcoded S3 → S3 versus local → local, in one run on one
// machine. Target: S3/local wall time ≤ 1.10 (fetching the source and publishing while encoding
// should cost little next to the encode itself).
//
// The S3 side is s3rver on loopback (test/storage/s3-helpers.ts), in its own process on the same
// machine: no network latency or bandwidth limit, but its CPU competes with ffmpeg's. Both runs use
// the same flags (default ladder and preset). The order alternates across rounds.
//
// Usage: node bench/s3.bench.ts [--duration 60] [--rounds 2] [--keep]
import { execFile, spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { s3rverCredentials, startS3 } from '../test/storage/s3-helpers.ts';
import { procTimes } from './proc-times.ts';

const run = promisify(execFile);
const { values } = parseArgs({ options: { duration: { type: 'string', default: '60' }, rounds: { type: 'string', default: '2' }, keep: { type: 'boolean', default: false } } });
const duration = Number(values.duration);
const rounds = Number(values.rounds);
if (!(duration > 0) || !Number.isInteger(rounds) || rounds < 1) throw new Error('--duration must be > 0 and --rounds a whole number ≥ 1');

const bin = path.resolve(import.meta.dirname, '..', 'bin', 'live2vod');
const root = await mkdtemp(path.join(os.tmpdir(), 'live2vod-s3-bench-'));
const source = path.join(root, 'source.mp4');
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

// The CLI's whole tree (ffmpeg included) is in this process's children CPU once reaped; s3rver's
// own CPU is read from its /proc entry (it serves the S3 run's traffic, so it counts against it).
/** The s3rver child this process started. */
async function s3rverPid(): Promise<number | undefined> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if ((await readFile(`/proc/${entry}/cmdline`, 'utf8')).includes('s3rver-child')) return Number(entry);
    } catch {
      // Gone.
    }
  }
  return undefined;
}

interface Timed {
  kind: 'local' | 's3';
  round: number;
  wallS: number;
  /** CPU seconds of the CLI's process tree (ffmpeg included), and of s3rver meanwhile. */
  cpuS: number;
  s3rverCpuS: number;
  /** Step durations from the --json step events, ms. */
  steps: Record<string, number>;
}

/** Runs `live2vod transcode --json` and collects the step timings; rejects on a non-zero exit. */
function transcode(input: string, out: string, env: NodeJS.ProcessEnv): Promise<{ wallS: number; steps: Record<string, number>; renditions: string[] }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bin, 'transcode', input, '--out', out, '--scratch', path.join(root, 'scratch'), '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    let stderr = '';
    const steps: Record<string, number> = {};
    let renditions: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
        try {
          const event = JSON.parse(line) as { type?: string; step?: string; state?: string; ms?: number; renditions?: string[] };
          if (event.type === 'plan' && event.renditions) renditions = event.renditions;
          if (event.type === 'step' && event.state === 'end' && event.step && event.ms !== undefined) steps[event.step] = event.ms;
        } catch {
          // Not JSON.
        }
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-4000); });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallS = (performance.now() - started) / 1000;
      if (code === 0) resolve({ wallS, steps, renditions });
      else reject(new Error(`live2vod transcode ${input} → ${out} exited ${code}\n${stderr}\n${buffer}`));
    });
  });
}

const s3 = await startS3(['rec', 'vod']);
try {
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${load()}`);
  console.log(`source: ${duration} s 1920x1080 30 fps H.264 (x264 veryfast, 8 Mb/s) + AAC (testsrc2 + sine), in ${root}`);
  await run('ffmpeg', [
    '-hide_banner', '-nostdin', '-y', '-loglevel', 'error',
    '-f', 'lavfi', '-i', `testsrc2=size=1920x1080:rate=30:duration=${duration}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${duration}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '8M', '-maxrate', '8M', '-bufsize', '16M', '-g', '60', '-c:a', 'aac', '-b:a', '160k', source,
  ], { maxBuffer: 64 * 1024 * 1024 });
  const { size } = await stat(source);

  const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: s3rverCredentials });
  await new Upload({ client, params: { Bucket: 'rec', Key: 'bench/source.mp4', Body: createReadStream(source), ContentType: 'video/mp4' } }).done();
  client.destroy();
  console.log(`uploaded to s3://rec/bench/source.mp4 (${(size / 2 ** 20).toFixed(1)} MiB) on s3rver at ${s3.endpoint}\n`);

  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('LIVE2VOD_')));
  const s3Env = { ...cleanEnv, AWS_ENDPOINT_URL_S3: s3.endpoint, AWS_ACCESS_KEY_ID: s3rverCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3rverCredentials.secretAccessKey, AWS_REGION: 'us-east-1' };

  const results: Timed[] = [];
  const serverPid = await s3rverPid();
  const serverCpu = async () => (serverPid !== undefined ? (await procTimes(serverPid)).own : 0);
  const show = (t: Timed): void => {
    const s = (name: string) => (t.steps[name] !== undefined ? `${(t.steps[name] / 1000).toFixed(1)} s` : '—');
    console.log(`round ${t.round} ${t.kind === 's3' ? 'S3 → S3      ' : 'local → local'} ${t.wallS.toFixed(2).padStart(8)} s   fetch ${s('fetch').padStart(7)}  encode ${s('encode').padStart(7)}  publish ${s('publish').padStart(7)}   CPU ${t.cpuS.toFixed(1)} s + s3rver ${t.s3rverCpuS.toFixed(1)} s   (load ${load()})`);
  };
  for (let round = 1; round <= rounds; round += 1) {
    const order: Timed['kind'][] = round % 2 === 1 ? ['local', 's3'] : ['s3', 'local'];
    for (const kind of order) {
      const [cpuBefore, serverBefore] = [(await procTimes('self')).children, await serverCpu()];
      const timed = kind === 'local'
        ? await transcode(source, path.join(root, `local-${round}`), cleanEnv)
        : await transcode('s3://rec/bench/source.mp4', `s3://vod/bench/round-${round}`, s3Env);
      const [cpuAfter, serverAfter] = [(await procTimes('self')).children, await serverCpu()];
      const entry: Timed = { kind, round, wallS: timed.wallS, cpuS: cpuAfter - cpuBefore, s3rverCpuS: serverAfter - serverBefore, steps: timed.steps };
      if (results.length === 0) console.log(`ladder: ${timed.renditions.join(', ')} (default ladder and preset)`);
      results.push(entry);
      show(entry);
      if (kind === 'local' && !values.keep) await rm(path.join(root, `local-${round}`), { recursive: true, force: true });
    }
  }

  const sum = (kind: Timed['kind']) => results.filter((r) => r.kind === kind).reduce((n, r) => n + r.wallS, 0);
  const best = (kind: Timed['kind']) => Math.min(...results.filter((r) => r.kind === kind).map((r) => r.wallS));
  console.log('');
  for (let round = 1; round <= rounds; round += 1) {
    const l = results.find((r) => r.round === round && r.kind === 'local');
    const x = results.find((r) => r.round === round && r.kind === 's3');
    if (l && x) console.log(`round ${round}: S3/local = ${(x.wallS / l.wallS).toFixed(3)}`);
  }
  const ratio = sum('s3') / sum('local');
  console.log(`S3/local over all rounds = ${ratio.toFixed(3)} (total ${sum('s3').toFixed(1)} s vs ${sum('local').toFixed(1)} s; best ${best('s3').toFixed(1)} s vs ${best('local').toFixed(1)} s: ${(best('s3') / best('local')).toFixed(3)})  target ≤ 1.10 → ${ratio <= 1.1 ? 'met' : 'NOT met'}`);
  const cpu = (kind: Timed['kind']) => results.filter((r) => r.kind === kind).reduce((n, r) => n + r.cpuS + r.s3rverCpuS, 0);
  console.log(`CPU S3/local = ${(cpu('s3') / cpu('local')).toFixed(3)} (${cpu('s3').toFixed(1)} s with s3rver vs ${cpu('local').toFixed(1)} s${serverPid === undefined ? '; s3rver not found, its CPU not counted' : ''})`);
  const s3Runs = results.filter((r) => r.kind === 's3');
  const mean = (name: string) => s3Runs.reduce((n, r) => n + (r.steps[name] ?? 0), 0) / s3Runs.length / 1000;
  console.log(`S3 → S3 breakdown (mean): fetch ${mean('fetch').toFixed(2)} s, encode ${mean('encode').toFixed(2)} s (uploads overlap it), publish after the encode ${mean('publish').toFixed(2)} s`);
} finally {
  await s3.dispose();
  if (!values.keep) await rm(root, { recursive: true, force: true });
}
