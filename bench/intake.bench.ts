// Benchmark of webhook intake: `POST /hooks/generic` (Standard Webhooks, HMAC-signed JSON) against
// the service started in this process, once with the SQLite store and once with PostgreSQL, the
// load coming from autocannon in a second process (bench/intake-load.ts). Each request carries a
// unique webhook-id, so each 2xx is a new job stored before the answer. Afterwards every job id a
// 2xx named is looked up in the store, and the stored webhook jobs are counted.
// Targets (measured phase): ≥ 2,000 accepted webhooks/s and p99 < 25 ms, 0 non-2xx, stored == 2xx.
//
// Usage: node bench/intake.bench.ts [--backends sqlite,postgres] [--connections 16]
//          [--requests 30000] [--warmup 3000] [--runs 1] [--pg-url postgres://postgres@127.0.0.1:5432/] [--keep]
//
// Workers: one local worker slot, parked. Before the load starts, one API job is created; the
// scheduler hands it to a real `live2vod worker` process whose ffprobe (LIVE2VOD_FFPROBE, inherited
// by the worker) is a script that waits. The slot is then busy for the whole run, as when every
// worker is transcoding, so no worker starts or runs ffmpeg during the measurement, while the
// scheduler still does what it does under load (a tick per created job: lease renewal, expiry scan,
// queue depth). On close the parked job is requeued like any interrupted attempt. (The worker's
// probe times out after 120 s; a run longer than that sees the worker replaced once, which the
// verdict column then reports.) Exit status 1 when a target is missed or the counts disagree.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { startService } from '../src/cli/serve-command.ts';
import { loadConfig } from '../src/config/load.ts';
import type { LoadReport, LoadSpec } from './intake-load.ts';

type Backend = 'sqlite' | 'postgres';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'sqlite,postgres' },
    connections: { type: 'string', default: '16' },
    requests: { type: 'string', default: '30000' },
    warmup: { type: 'string', default: '3000' },
    runs: { type: 'string', default: '1' },
    'pg-url': { type: 'string', default: process.env.LIVE2VOD_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/' },
    keep: { type: 'boolean', default: false },
  },
});
const backends = values.backends.split(',').map((b) => b.trim()).filter((b): b is Backend => b === 'sqlite' || b === 'postgres');
const connections = Number(values.connections);
const requests = Number(values.requests);
const warmup = Number(values.warmup);
const runs = Number(values.runs);
const target = { acceptedPerSecond: 2000, p99Ms: 25 };
const loadScript = path.join(import.meta.dirname, 'intake-load.ts');

interface Outcome {
  backend: Backend;
  run: number;
  load: LoadReport;
  /** Distinct job ids named by 2xx answers (warm-up and measured). */
  acknowledged: number;
  /** Webhook (generic) jobs in the store after the service closed. */
  stored: number;
  /** Acknowledged ids not found in the store. */
  missing: number;
  /** Jobs ever handed to a worker: 1 when the parked worker held its slot for the whole run. */
  claimed: number;
  serverCpuSeconds: number;
  dbCpuSeconds: number | undefined;
  eventLoopUtilization: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  loadAverage: number;
}

function fail(message: string): never {
  throw new Error(message);
}

async function waitFor(file: string, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await access(file);
      return;
    } catch {
      if (Date.now() > deadline) fail(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: values['pg-url'] });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function databaseUrl(database: string): string {
  const url = new URL(values['pg-url']);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Read straight from the store after it closed: the ids of the jobs the webhooks created, and how
 * many jobs were ever handed to a worker (1 = only the parked one; more = the parked worker was
 * replaced during the run, e.g. its probe timed out after 120 s).
 */
async function storedJobs(backend: Backend, where: { sqliteFile: string; pgUrl: string }): Promise<{ ids: Set<string>; claimed: number }> {
  const idsSql = "SELECT id FROM jobs WHERE source_kind = 'generic'";
  const claimedSql = 'SELECT count(*) AS n FROM jobs WHERE attempts > 0';
  if (backend === 'sqlite') {
    const db = new DatabaseSync(where.sqliteFile, { readOnly: true });
    try {
      const ids = new Set(db.prepare(idsSql).all().map((row) => String(row.id)));
      return { ids, claimed: Number(db.prepare(claimedSql).get()?.n ?? 0) };
    } finally {
      db.close();
    }
  }
  const client = new Client({ connectionString: where.pgUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(idsSql);
    const claimed = await client.query<{ n: string }>(claimedSql);
    return { ids: new Set(rows.map((row) => row.id)), claimed: Number(claimed.rows[0]?.n ?? 0) };
  } finally {
    await client.end();
  }
}

/** CPU seconds so far of the PostgreSQL backends serving `database` (Linux /proc; same machine only). */
async function backendCpu(database: string): Promise<Map<number, number>> {
  const client = new Client({ connectionString: values['pg-url'] });
  await client.connect();
  let pids: number[];
  try {
    pids = (await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database])).rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    try {
      // Fields after the parenthesised command: state is field 3, utime 14, stime 15 (clock ticks).
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) / clockTicks);
    } catch {
      // Not on this machine, or gone.
    }
  }
  return cpu;
}
const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface LoadRun {
  report: LoadReport;
  cpuSeconds: number;
  elu: number;
  delayP99Ms: number;
  delayMaxMs: number;
  /** PostgreSQL backend CPU seconds over the measured phase; undefined for SQLite or when unreadable. */
  dbCpuSeconds: number | undefined;
}

/** Runs the load process; samples this (the service's) process, and the database backends, over the measured phase. */
async function runLoad(spec: LoadSpec, database: string | undefined): Promise<LoadRun> {
  const child = spawn(process.execPath, [loadScript, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let cpuStart: NodeJS.CpuUsage | undefined;
  let eluStart: ReturnType<typeof performance.eventLoopUtilization> | undefined;
  let dbStart: Promise<Map<number, number>> | undefined;
  let dbEnd: Promise<Map<number, number>> | undefined;
  let sample: Omit<LoadRun, 'report' | 'dbCpuSeconds'> | undefined;
  let report: LoadReport | undefined;
  for await (const line of createInterface({ input: child.stdout })) {
    const message = JSON.parse(line) as { mark?: string } & Partial<LoadReport>;
    if (message.mark === 'measured-start') {
      cpuStart = process.cpuUsage();
      eluStart = performance.eventLoopUtilization();
      delay.enable();
      if (database) dbStart = backendCpu(database).catch(() => new Map<number, number>());
    } else if (message.mark === 'measured-end') {
      delay.disable();
      const cpu = process.cpuUsage(cpuStart);
      sample = {
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        elu: performance.eventLoopUtilization(eluStart).utilization,
        delayP99Ms: delay.percentile(99) / 1e6,
        delayMaxMs: delay.max / 1e6,
      };
      if (database) dbEnd = backendCpu(database).catch(() => new Map<number, number>());
    } else if (message.measured) {
      report = message as LoadReport;
    }
  }
  const code = await exited;
  if (code !== 0 || !report || !sample) throw new Error(`the load process exited with ${code}${report ? '' : ' without a report'}`);
  let dbCpuSeconds: number | undefined;
  if (dbStart && dbEnd) {
    const [before, after] = await Promise.all([dbStart, dbEnd]);
    dbCpuSeconds = after.size === 0 ? undefined : [...after].reduce((sum, [pid, seconds]) => sum + seconds - (before.get(pid) ?? 0), 0);
  }
  return { report, ...sample, dbCpuSeconds };
}

async function runOnce(backend: Backend, run: number): Promise<Outcome> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'live2vod-intake-bench-'));
  const dataDir = path.join(root, 'data');
  const sources = path.join(root, 'sources');
  await mkdir(sources, { recursive: true });
  // Real, non-empty files: the worker checks the source before it probes.
  const recording = path.join(sources, 'recording.mp4');
  await writeFile(recording, randomBytes(4096));
  const parked = path.join(root, 'worker-parked');
  const fakeProbe = path.join(root, 'ffprobe-waits');
  await writeFile(fakeProbe, `#!/bin/sh\n# intake bench: the one worker slot waits here for the whole run\n: > '${parked}'\nexec sleep 600\n`);
  await chmod(fakeProbe, 0o755);
  process.env.LIVE2VOD_FFPROBE = fakeProbe;

  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const database = `live2vod_bench_${randomBytes(6).toString('hex')}`;
  const pgUrl = databaseUrl(database);
  if (backend === 'postgres') await adminQuery(`CREATE DATABASE ${database}`);
  try {
    const config = await loadConfig({
      env: {},
      overrides: {
        server: { host: '127.0.0.1', port: 0 },
        dataDir,
        sourceRoots: [sources],
        store: backend === 'sqlite' ? { kind: 'sqlite' } : { kind: 'postgres', url: pgUrl },
        executor: { concurrency: 1 },
        ingest: { generic: { secret } },
        logLevel: 'warn',
      },
    });
    const loadAverage = os.loadavg()[0] ?? 0;
    const service = await startService(config);
    let result;
    try {
      // Occupy the only worker slot before the load starts (see the header).
      const parkJob = await fetch(`${service.url}/v1/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ source: recording, priority: 'high' }),
      });
      if (parkJob.status !== 201) fail(`could not create the job that parks the worker: ${parkJob.status} ${await parkJob.text()}`);
      await waitFor(parked, 30_000, 'the worker to reach ffprobe');

      result = await runLoad({ url: service.url, secret, source: recording, connections, warmup, requests, idsFile: path.join(root, 'accepted-ids.txt') }, backend === 'postgres' ? database : undefined);
    } finally {
      // Waits for writes still being batched, stops the parked worker (its job is requeued).
      await service.close();
    }

    const acknowledgedIds = (await readFile(path.join(root, 'accepted-ids.txt'), 'utf8')).split('\n').filter(Boolean);
    const acknowledged = new Set(acknowledgedIds);
    const { ids: stored, claimed } = await storedJobs(backend, { sqliteFile: path.join(dataDir, 'live2vod.db'), pgUrl });
    let missing = 0;
    for (const id of acknowledged) if (!stored.has(id)) missing += 1;
    return {
      backend,
      run,
      load: result.report,
      acknowledged: acknowledged.size,
      stored: stored.size,
      missing,
      claimed,
      serverCpuSeconds: result.cpuSeconds,
      dbCpuSeconds: result.dbCpuSeconds,
      eventLoopUtilization: result.elu,
      eventLoopDelayP99Ms: result.delayP99Ms,
      eventLoopDelayMaxMs: result.delayMaxMs,
      loadAverage,
    };
  } finally {
    if (backend === 'postgres') await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch((error: unknown) => console.error(`could not drop ${database}: ${String(error)}`));
    if (values.keep) console.log(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
}

function integrityOk(o: Outcome): boolean {
  const accepted = o.load.warmup.ok2xx + o.load.measured.ok2xx;
  return o.missing === 0 && o.acknowledged === accepted && o.stored === accepted && o.load.warmup.unparsed === 0 && o.load.measured.unparsed === 0;
}

function targetsMet(o: Outcome): boolean {
  const m = o.load.measured;
  return m.acceptedPerSecond >= target.acceptedPerSecond && m.latency.p99 < target.p99Ms && m.non2xx === 0 && m.errors === 0;
}

/** Service (+ PostgreSQL backend) CPU milliseconds per accepted webhook, measured phase. */
function cpuPerWebhookMs(o: Outcome): number {
  return ((o.serverCpuSeconds + (o.dbCpuSeconds ?? 0)) * 1000) / Math.max(1, o.load.measured.ok2xx);
}

const pad = (value: string | number, width: number) => String(value).padStart(width);

function printRow(o: Outcome): void {
  const m = o.load.measured;
  const accepted = o.load.warmup.ok2xx + o.load.measured.ok2xx;
  console.log([
    o.backend.padEnd(8), pad(o.run, 3), pad(m.requests, 7), pad(m.ok2xx, 7), pad(m.non2xx + m.errors, 6),
    pad(m.acceptedPerSecond.toFixed(0), 7), pad(m.latency.p50, 5), pad(m.latency.p97_5, 6), pad(m.latency.p99, 5), pad(m.latency.max, 6),
    pad(`${o.stored}/${accepted}`, 13), pad(o.missing, 7),
    pad(`${(o.serverCpuSeconds / m.seconds * 100).toFixed(0)}%`, 6), pad(o.dbCpuSeconds === undefined ? '-' : `${(o.dbCpuSeconds / m.seconds * 100).toFixed(0)}%`, 5),
    pad(`${(o.load.loadCpuSeconds / m.seconds * 100).toFixed(0)}%`, 5),
    pad(cpuPerWebhookMs(o).toFixed(2), 7),
    pad(o.eventLoopUtilization.toFixed(2), 5), pad(o.eventLoopDelayP99Ms.toFixed(1), 7), pad(o.loadAverage.toFixed(1), 5),
    `  ${targetsMet(o) ? 'PASS' : 'MISS'}${integrityOk(o) ? '' : ' COUNT-MISMATCH'}${o.claimed > 1 ? ` (${o.claimed - 1} extra worker start(s) during the run)` : ''}`,
  ].join(' '));
}

const cpus = os.cpus();
console.log(`machine: ${os.availableParallelism()} × ${cpus[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`load: autocannon in a second process, ${connections} connections, ${warmup} warm-up + ${requests} measured POST /hooks/generic per run, each a new signed webhook`);
console.log(`targets (measured phase): ≥ ${target.acceptedPerSecond} accepted/s, p99 < ${target.p99Ms} ms, no non-2xx; afterwards stored jobs == 2xx answers\n`);
const header = ['backend ', 'run', 'requests', '    2xx', 'non2xx', '  acc/s', '  p50', ' p97.5', '  p99', '   max', 'stored/2xx   ', 'missing', 'srvCPU', 'dbCPU', 'ldCPU', 'cpu/req', '  ELU', 'lagp99', 'load1', '  verdict'];
console.log(header.join(' '));
console.log('(latencies in ms; srvCPU/dbCPU/ldCPU: CPU of the service process / its PostgreSQL backends / the load process, % of one core; cpu/req: service + PostgreSQL backend CPU ms per accepted webhook, which other load on the machine barely moves; ELU: service event-loop utilisation; lagp99: its event-loop delay p99, ms; load1: 1-min load average at start)');

const outcomes: Outcome[] = [];
for (let run = 1; run <= runs; run++) {
  for (const backend of backends) {
    const outcome = await runOnce(backend, run);
    outcomes.push(outcome);
    printRow(outcome);
  }
}

if (runs > 1) {
  console.log('\nper backend over all runs (measured phase):');
  for (const backend of backends) {
    const mine = outcomes.filter((o) => o.backend === backend);
    const rates = mine.map((o) => o.load.measured.acceptedPerSecond);
    const p99s = mine.map((o) => o.load.measured.latency.p99);
    const costs = mine.map(cpuPerWebhookMs);
    const best = mine.reduce((a, b) => (b.load.measured.acceptedPerSecond > a.load.measured.acceptedPerSecond ? b : a));
    console.log(`  ${backend.padEnd(8)} accepted/s best ${Math.max(...rates).toFixed(0)} (range ${Math.min(...rates).toFixed(0)}–${Math.max(...rates).toFixed(0)}), p99 best ${Math.min(...p99s)} ms (range ${Math.min(...p99s)}–${Math.max(...p99s)} ms); best run: ${best.load.measured.acceptedPerSecond.toFixed(0)}/s at p99 ${best.load.measured.latency.p99} ms; cpu/req ${Math.min(...costs).toFixed(2)}–${Math.max(...costs).toFixed(2)} ms`);
  }
}

const integrity = outcomes.every(integrityOk);
const met = backends.map((backend) => ({ backend, met: outcomes.some((o) => o.backend === backend && targetsMet(o)) }));
console.log(`\nintegrity (every 2xx is a stored job, and nothing else was stored): ${integrity ? 'OK' : 'FAILED'}`);
for (const { backend, met: ok } of met) console.log(`targets ${backend}: ${ok ? `met${runs > 1 ? ' in at least one run' : ''}` : `not met${runs > 1 ? ' in any run' : ''}`}`);
process.exitCode = integrity && met.every((m) => m.met) ? 0 : 1;
