// Load run of the control plane: a real `live2vod serve` (SQLite, local executor with a few slots)
// receives 200 signed webhooks for 50 distinct recordings — each recording's first delivery, plus
// duplicates (a new delivery id for a recording already sent: the recorder fired twice) and
// retries (the same delivery again: the sender did not see the answer) — over 50 connections,
// while 500 clients follow /v1/events. The load comes from bench/control-plane-load-client.ts in a
// second process. Checked: exactly 50 jobs exist, all succeeded, every 2xx named one of them, and
// every SSE stream saw all 50 asset.ready events. Reported: the serve process's RSS (peak during
// the run, and at rest after it), its heap, and the event-loop delay p99 that prom-client's
// default metrics expose on /metrics (live2vod_process_nodejs_eventloop_lag_p99_seconds, reset at
// each scrape, so the maximum over 1 s scrapes is the worst second).
//
// Usage: node bench/control-plane-load.bench.ts [--recordings 50] [--webhooks 200] [--connections 50]
//          [--sse 500] [--slots 2] [--seed 1] [--keep]
// The recordings are 1 s of 160x90 (one hard link per recording), so transcoding is cheap and the
// control plane is what is measured. Exit status 1 when a check fails.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { link, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { makeTestPattern } from '../test/helpers/media.ts';
import { api, makeTemp, startServeProcess } from '../test/helpers/serve.ts';
import type { ClientReport, ClientSpec, PlannedWebhook } from './control-plane-load-client.ts';
import { seededRandom } from '../test/helpers/seeded-random.ts';

const { values } = parseArgs({
  options: {
    recordings: { type: 'string', default: '50' },
    webhooks: { type: 'string', default: '200' },
    connections: { type: 'string', default: '50' },
    sse: { type: 'string', default: '500' },
    slots: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
  },
});
const recordings = Number(values.recordings);
const webhookCount = Number(values.webhooks);
const seed = Number(values.seed);


/** Each recording's first delivery, then duplicates and retries alternating up to `total`, shuffled. */
function planWebhooks(sources: string[], total: number, rand: () => number): { hooks: PlannedWebhook[]; duplicates: number; retries: number } {
  const first = sources.map((source, i) => ({ webhookId: `msg_rec${i}_a`, body: JSON.stringify({ source, idempotencyKey: `rec-${i}`, metadata: { event: 'load', recording: String(i) } }) }));
  const hooks: PlannedWebhook[] = [...first];
  let duplicates = 0;
  let retries = 0;
  for (let n = 0; hooks.length < total; n += 1) {
    const i = Math.floor(rand() * sources.length);
    const original = first[i];
    if (!original) continue;
    if (n % 2 === 0) {
      hooks.push({ webhookId: `msg_rec${i}_dup${n}`, body: original.body });
      duplicates += 1;
    } else {
      hooks.push(original);
      retries += 1;
    }
  }
  for (let i = hooks.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rand() * (i + 1));
    [hooks[i], hooks[j]] = [hooks[j] as PlannedWebhook, hooks[i] as PlannedWebhook];
  }
  return { hooks, duplicates, retries };
}

function residentMb(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) / 1024;
}

function metric(text: string, name: string): number | undefined {
  const value = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1];
  return value === undefined ? undefined : Number(value);
}

const failures: string[] = [];
const check = (ok: boolean, message: string) => { if (!ok) failures.push(message); };

const dir = await makeTemp('live2vod-cp-load-');
const sourceDir = path.join(dir, 'recordings');
const secret = `whsec_${randomBytes(24).toString('base64')}`;
const pattern = await makeTestPattern(dir, { seconds: 1, width: 160, height: 90, rate: 25, audio: 'sine', name: 'pattern.mp4' });
await import('node:fs/promises').then(({ mkdir }) => mkdir(sourceDir, { recursive: true }));
const sources = await Promise.all(Array.from({ length: recordings }, async (_, i) => {
  const file = path.join(sourceDir, `rec-${i}.mp4`);
  await link(pattern, file);
  return file;
}));
const plan = planWebhooks(sources, webhookCount, seededRandom(seed));

const service = await startServeProcess({
  dataDir: path.join(dir, 'data'),
  config: {
    sourceRoots: [sourceDir],
    executor: { concurrency: Number(values.slots) },
    ingest: { generic: { secret } },
    server: { eventStreams: { max: Number(values.sse) + 50 } },
    transcode: { ladder: [{ width: 160, height: 90, bitrateKbps: 150, maxFrameRate: 25 }] },
  },
});
process.stderr.write(`serve pid ${service.pid} at ${service.url}; seed ${seed}: ${plan.hooks.length} webhooks (${recordings} first deliveries, ${plan.duplicates} duplicates, ${plan.retries} retries)\n`);

const samples = { rssMb: [] as number[], heapMb: [] as number[], lagP99Ms: [] as number[] };
let sampling = true;
const sampler = (async () => {
  let tick = 0;
  while (sampling) {
    samples.rssMb.push(residentMb(service.pid));
    if (tick % 4 === 0) {
      const text = (await api(service.url, '/metrics')).text;
      const lag = metric(text, 'live2vod_process_nodejs_eventloop_lag_p99_seconds');
      const heap = metric(text, 'live2vod_process_nodejs_heap_size_used_bytes');
      if (lag !== undefined) samples.lagP99Ms.push(lag * 1000);
      if (heap !== undefined) samples.heapMb.push(heap / 1048576);
    }
    tick += 1;
    await sleep(250);
  }
})();
await sleep(3000);
const idleBeforeMb = residentMb(service.pid);

const spec: ClientSpec = {
  url: service.url, secret, connections: Number(values.connections), sseClients: Number(values.sse),
  webhooks: plan.hooks, expectReady: recordings, deadlineMs: 900_000,
};
const started = Date.now();
const client = spawn(process.execPath, [path.join(import.meta.dirname, 'control-plane-load-client.ts'), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
let clientOut = '';
client.stdout.setEncoding('utf8').on('data', (chunk: string) => { clientOut += chunk; });
const clientExit = await new Promise<number | null>((resolve) => client.once('exit', resolve));
const runSeconds = (Date.now() - started) / 1000;
check(clientExit === 0, `the load client exited with ${clientExit}`);
const report = JSON.parse(clientOut.trim().split('\n').at(-1) ?? '{}') as ClientReport;
const peakDuringMb = Math.max(...samples.rssMb);
const lagDuring = [...samples.lagP99Ms];
const heapPeakMb = Math.max(...samples.heapMb);

// The jobs, as the API lists them.
const list = await api<{ items: { id: string; state: string; attempts: number }[] }>(service.url, '/v1/jobs?limit=500');
const jobs = list.body.items;
check(jobs.length === recordings, `${jobs.length} jobs exist, not ${recordings}`);
check(jobs.every((job) => job.state === 'succeeded'), `not all succeeded: ${JSON.stringify(Object.groupBy(jobs, (job) => job.state), (key, value: unknown) => (Array.isArray(value) ? value.length : value))}`);
check(new Set(report.jobIds).size === recordings && report.jobIds.every((id) => jobs.some((job) => job.id === id)), `the 2xx answers named ${report.jobIds.length} distinct jobs`);
const non2xx = Object.entries(report.statusCodes).filter(([code]) => !code.startsWith('2'));
check(non2xx.length === 0, `non-2xx answers: ${JSON.stringify(report.statusCodes)}`);
check(report.sse.complete === report.sse.opened && report.sse.opened === spec.sseClients, `${report.sse.complete} of ${report.sse.opened} SSE streams saw all ${recordings} asset.ready (${report.sse.endedEarly} ended early)`);

// At rest again: the streams are gone, the workers exited.
await sleep(5000);
const idleAfterMb = residentMb(service.pid);
sampling = false;
await sampler;
const heapAfterMb = samples.heapMb.at(-1) ?? Number.NaN;
await service.stop();
if (!values.keep) await rm(dir, { recursive: true, force: true });

const sorted = [...lagDuring].sort((a, b) => a - b);
const summary = {
  machine: `${os.cpus().length} vCPU ${os.cpus()[0]?.model ?? ''}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  node: process.version,
  seed,
  webhooks: { sent: plan.hooks.length, duplicates: plan.duplicates, retries: plan.retries, statusCodes: report.statusCodes, seconds: Number(report.webhookSeconds.toFixed(2)) },
  jobs: { count: jobs.length, succeeded: jobs.filter((job) => job.state === 'succeeded').length, attempts: jobs.reduce((sum, job) => sum + job.attempts, 0) },
  sse: report.sse,
  runSeconds: Number(runSeconds.toFixed(1)),
  rssMb: { idleBefore: Number(idleBeforeMb.toFixed(1)), peak: Number(peakDuringMb.toFixed(1)), idleAfter: Number(idleAfterMb.toFixed(1)) },
  heapUsedMb: { peak: Number(heapPeakMb.toFixed(1)), after: Number(heapAfterMb.toFixed(1)) },
  eventLoopLagP99Ms: { worstSecond: Number((sorted.at(-1) ?? Number.NaN).toFixed(1)), medianSecond: Number((sorted[Math.floor(sorted.length / 2)] ?? Number.NaN).toFixed(1)) },
};
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
if (failures.length > 0) {
  process.stderr.write(`FAILED:\n- ${failures.join('\n- ')}\n`);
  process.exitCode = 1;
}
