// The load side of bench/intake.bench.ts, run as its own process so the load generator does not
// share an event loop with the service it measures. Sends `warmup` then `requests` validly signed
// Standard Webhooks POSTs to /hooks/generic with autocannon, each with a unique webhook-id (so each
// one is a new job), and records the job id every 2xx answer names.
//
//   node bench/intake-load.ts '<json LoadSpec>'
//
// Prints JSON lines on stdout: marks around the measured phase, then the LoadReport; writes the accepted job ids, one a line, to idsFile.
// A fixed request count (autocannon `amount`) rather than a duration: the run ends only when every
// request has been answered, so no request is cut off in flight and "2xx answers = stored jobs"
// can be checked exactly afterwards.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import { signStandardWebhook } from '../src/webhooks/standard-webhooks.ts';

export interface LoadSpec {
  /** Base URL of the service, e.g. http://127.0.0.1:41234 */
  url: string;
  /** whsec_… secret the generic intake is configured with. */
  secret: string;
  /** The `source` every webhook names (a file under a configured source root). */
  source: string;
  connections: number;
  warmup: number;
  requests: number;
  idsFile: string;
}

export interface Histogram {
  average: number;
  stddev: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p97_5: number;
  p99: number;
  p99_9: number;
}

export interface PhaseReport {
  requests: number;
  ok2xx: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Seconds from first request to last answer. */
  seconds: number;
  /** ok2xx / seconds. */
  acceptedPerSecond: number;
  /** Milliseconds. */
  latency: Histogram;
  /** Job ids named by 2xx answers that did not parse or named no job. */
  unparsed: number;
}

export interface LoadReport {
  warmup: PhaseReport;
  measured: PhaseReport;
  /** CPU seconds this load process used (user + system), measured phase only. */
  loadCpuSeconds: number;
}

// autocannon ships no type declarations: the part used here, typed once.
interface AutocannonRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}
interface AutocannonResult {
  start: Date;
  finish: Date;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
  latency: Histogram;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  amount: number;
  timeout: number;
  requests: {
    method: string;
    path: string;
    setupRequest: (request: AutocannonRequest) => AutocannonRequest;
    onResponse: (status: number, body: string) => void;
  }[];
}
type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

async function phase(spec: LoadSpec, amount: number, label: string, ids: string[]): Promise<PhaseReport> {
  const run = `${label}_${randomBytes(4).toString('hex')}`;
  let counter = 0;
  let unparsed = 0;
  const body = (n: number) => JSON.stringify({ source: spec.source, priority: 'normal', metadata: { event: 'intake-bench', n: String(n) } });
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    amount,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/hooks/generic',
        setupRequest(request) {
          counter += 1;
          const id = `msg_${run}_${counter}`;
          const text = body(counter);
          const timestamp = Math.floor(Date.now() / 1000);
          return {
            ...request,
            headers: {
              'content-type': 'application/json',
              'webhook-id': id,
              'webhook-timestamp': String(timestamp),
              'webhook-signature': signStandardWebhook(spec.secret, id, timestamp, text),
            },
            body: text,
          };
        },
        onResponse(status, responseBody) {
          if (status < 200 || status > 299) return;
          try {
            const parsed = JSON.parse(responseBody) as { jobIds?: unknown };
            const jobIds = Array.isArray(parsed.jobIds) ? parsed.jobIds.filter((x): x is string => typeof x === 'string') : [];
            if (jobIds.length === 0) unparsed += 1;
            ids.push(...jobIds);
          } catch {
            unparsed += 1;
          }
        },
      },
    ],
  });
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, Number(count)]));
  const ok2xx = Object.entries(statusCodes).filter(([code]) => code.startsWith('2')).reduce((sum, [, count]) => sum + count, 0);
  return {
    requests: counter,
    ok2xx,
    non2xx: result.non2xx,
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds,
    acceptedPerSecond: ok2xx / seconds,
    latency: result.latency,
    unparsed,
  };
}

const arg = process.argv[2];
if (!arg) throw new Error('usage: node bench/intake-load.ts <json LoadSpec>');
const spec = JSON.parse(arg) as LoadSpec;
const ids: string[] = [];
const warmup = await phase(spec, spec.warmup, 'warmup', ids);
// Marks for the service side, which samples its own CPU and event loop over the measured phase.
process.stdout.write(`${JSON.stringify({ mark: 'measured-start' })}\n`);
const cpuBefore = process.cpuUsage();
const measured = await phase(spec, spec.requests, 'measured', ids);
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(`${JSON.stringify({ mark: 'measured-end' })}\n`);
await writeFile(spec.idsFile, ids.join('\n') + '\n');
const report: LoadReport = { warmup, measured, loadCpuSeconds: (cpu.user + cpu.system) / 1e6 };
process.stdout.write(`${JSON.stringify(report)}\n`);
