// Starts the real control plane for tests: in-process through startService (the composition root
// `live2vod serve` uses), or as a real `bin/live2vod serve` child process for restart tests. Both
// use port 0 and a temp data dir; both come with a close that leaves no process behind.
//
// Also: small HTTP helpers for the API, polling helpers (wait for a job state), and process-tree
// helpers to check that workers and ffmpeg are really gone.

import type { SourceFacts } from '../../src/jobs/source-facts.ts';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningService } from '../../src/cli/serve-command.ts';
import type { Config } from '../../src/config/schema.ts';
import type { ApiJob } from '../../src/http/api-schemas.ts';
import { cliPath, repoRoot } from './media.ts';
import { stopWithThisProcess } from './stop-with-this-process.ts';

type Tree = { [key: string]: unknown };

/** One small rung, no thumbnails, no download, no instant remux, no quality sampling: the cheapest complete asset. */
export const tinyTranscode = {
  ladder: [{ width: 320, height: 180, bitrateKbps: 300, maxFrameRate: 30 }],
  thumbnails: false,
  download: false,
  instantRemux: false,
  loudness: false,
  quality: false,
} as const;

/** Test defaults on top of which a test's overrides are merged (deeply). */
export function testOverrides(dataDir: string, overrides: Tree = {}): Tree {
  return deepMerge({
    server: { port: 0, host: '127.0.0.1' },
    dataDir,
    logLevel: 'silent',
    executor: { concurrency: 1 },
    ingest: { watch: { intervalMs: 100 } },
    jobs: { retryBaseMs: 100, retryMaxMs: 1000 },
    transcode: tinyTranscode,
  }, overrides);
}

export interface TestService extends RunningService {
  dataDir: string;
  config: Config;
  /** Removes the data dir too (when this helper made it). */
  dispose(): Promise<void>;
}

/**
 * `startService(await loadConfig({ overrides }))` on port 0 with a temp data dir. The environment
 * is not read (an empty env), so LIVE2VOD_* variables of the machine do not leak in.
 */
export async function startTestService(options: { overrides?: Tree; dataDir?: string } = {}): Promise<TestService> {
  // Loaded here, not at the top: two thirds of the files using this helper only start `live2vod
  // serve` processes, and the service's modules cost each of them ~0.4 CPU-s to load.
  const [{ loadConfig }, { startService }] = await Promise.all([import('../../src/config/load.ts'), import('../../src/cli/serve-command.ts')]);
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? await makeTemp('live2vod-serve-');
  const config = await loadConfig({ env: {}, overrides: testOverrides(dataDir, options.overrides) });
  let service: RunningService;
  try {
    service = await startService(config);
  } catch (error) {
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= service.close());
  return {
    url: service.url,
    dataDir,
    config,
    close,
    async dispose() {
      await close();
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function makeTemp(prefix: string): Promise<string> {
  // Canonical: record paths are compared after realpath.
  return realpath(await mkdtemp(path.join(tmpdir(), prefix)));
}

// --- a real `live2vod serve` process ------------------------------------------------------------------

export interface ServeProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code and signal once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. Safe to call twice. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `bin/live2vod serve --port 0 --data <dataDir> --config <file>` and reads the URL from the
 * banner on stdout. `config` is written as JSON next to the data dir.
 */
export async function startServeProcess(options: { dataDir: string; config?: Tree; args?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ServeProcess> {
  await mkdir(options.dataDir, { recursive: true });
  const configFile = path.join(options.dataDir, `serve-config-${process.pid}-${Date.now()}.json`);
  const config = testOverrides(options.dataDir, options.config);
  // The flags carry port and data dir; the file everything else.
  delete config['dataDir'];
  delete (config['server'] as Tree)['port'];
  config['logLevel'] = (options.config?.['logLevel'] as string | undefined) ?? 'warn';
  await writeFile(configFile, JSON.stringify(config));
  const env = { ...cleanEnv(), ...options.env };
  const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--data', options.dataDir, '--config', configFile, ...(options.args ?? [])], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stopWithThisProcess(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { err += chunk; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const pid = child.pid;
  assert.ok(pid !== undefined, 'serve did not start');
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    }
    return exited;
  };
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let url: string | undefined;
  while (url === undefined) {
    url = /dashboard\s+(http:\/\/\S+?)\/?\s*$/m.exec(out)?.[1];
    if (url) break;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`live2vod serve exited (${child.exitCode ?? child.signalCode}) before listening\n--- stdout\n${out}\n--- stderr\n${err}`);
    }
    if (Date.now() > deadline) {
      await stop(2000);
      throw new Error(`live2vod serve printed no banner in time\n--- stdout\n${out}\n--- stderr\n${err}`);
    }
    await sleep(50);
  }
  return { child, pid, url, stdout: () => out, stderr: () => err, exited, stop };
}

/** process.env without LIVE2VOD_* (the machine's settings must not change a test's service). */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LIVE2VOD_')));
}

// --- HTTP ---------------------------------------------------------------------------------------------

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** fetch + JSON; never throws on a status. */
export async function api<T = unknown>(base: string, route: string, init: { method?: string; body?: unknown; headers?: Record<string, string>; token?: string } = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.body !== undefined) headers['content-type'] ??= 'application/json';
  if (init.token) headers['authorization'] = `Bearer ${init.token}`;
  const response = await fetch(new URL(route, base), {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the text.
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

/** POST /v1/jobs; asserts 201 (or 200 for a duplicate) and returns the job. */
export async function submitJob(base: string, body: { source: string; priority?: string; metadata?: Record<string, string>; facts?: SourceFacts }, options: { token?: string; idempotencyKey?: string } = {}): Promise<ApiJob> {
  const response = await api<ApiJob>(base, '/v1/jobs', {
    body,
    ...(options.token ? { token: options.token } : {}),
    ...(options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {}),
  });
  assert.ok(response.status === 201 || response.status === 200, `POST /v1/jobs answered ${response.status}: ${response.text}`);
  return response.body;
}

export async function getJob(base: string, id: string, token?: string): Promise<ApiJob> {
  const response = await api<ApiJob>(base, `/v1/jobs/${id}`, token ? { token } : {});
  assert.equal(response.status, 200, `GET /v1/jobs/${id}: ${response.text}`);
  return response.body;
}

/**
 * Polls GET /v1/jobs/:id until `until` holds (a state, or a predicate). Fails early when the job
 * reaches a terminal state that is not the awaited one, with the job in the message.
 */
export async function waitForJob(base: string, id: string, until: ApiJob['state'] | ((job: ApiJob) => boolean), options: { timeoutMs?: number; intervalMs?: number; token?: string } = {}): Promise<ApiJob> {
  const predicate = typeof until === 'string' ? (job: ApiJob) => job.state === until : until;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let last: ApiJob | undefined;
  for (;;) {
    last = await getJob(base, id, options.token);
    if (predicate(last)) return last;
    if (typeof until === 'string' && ['succeeded', 'failed', 'cancelled'].includes(last.state)) {
      throw new Error(`job ${id} ended ${last.state} while waiting for ${until}: ${JSON.stringify(last)}`);
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for job ${id} (${typeof until === 'string' ? until : 'condition'}); last: ${JSON.stringify(last)}`);
    await sleep(options.intervalMs ?? 100);
  }
}

/** Polls `check` until it returns something other than undefined/false. */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(options.intervalMs ?? 100);
  }
}

// --- server-sent events -------------------------------------------------------------------------------

export interface SseEvent {
  event: string;
  data: unknown;
  id?: string;
  /** Date.now() when it arrived: for tests of how often events come. */
  receivedAt: number;
}

export interface SseStream {
  events: SseEvent[];
  /** Resolves with the first event (already received or later) for which `predicate` holds. */
  waitFor(predicate: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

/** Opens an SSE stream with fetch and parses it as it arrives. */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: controller.signal });
  assert.equal(response.status, 200, `SSE ${url} answered ${response.status}`);
  assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  const body = response.body;
  assert.ok(body, 'SSE response without a body');
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let id: string | undefined;
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
            else if (line.startsWith('id: ')) id = line.slice(4);
          }
          if (data.length === 0) continue;
          const text = data.join('\n');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // Keep the text.
          }
          events.push({ event, data: parsed, ...(id !== undefined ? { id } : {}), receivedAt: Date.now() });
          for (const wake of waiters) wake();
        }
      }
    } catch {
      // Aborted on close, or the server went away.
    }
  })();
  return {
    events,
    async waitFor(predicate, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find(predicate);
        if (found) return found;
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`SSE: awaited event did not come; got ${events.map((e) => e.event).join(', ')}`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, Math.min(remaining, 500));
          waiters.add(wake);
        });
      }
    },
    close: () => controller.abort(),
  };
}

// --- processes ----------------------------------------------------------------------------------------

/** A process as seen at one moment: its pid and start time, so a reused pid is never mistaken for it. */
export interface ProcessRef {
  pid: number;
  /** The parent's pid when this was read. */
  ppid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks after boot). */
  start: string;
  cmdline: string;
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the parenthesised command name: state, ppid, …, starttime at index 19.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The process with this pid now, if any. */
export function processRef(pid: number): ProcessRef | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return undefined;
  }
  return { pid, ppid: Number(fields[1]), start: fields[19] ?? '', cmdline };
}

/** Is this process still alive (zombies count as gone; a pid reused by another process too)? */
export function isAlive(ref: number | ProcessRef): boolean {
  const pid = typeof ref === 'number' ? ref : ref.pid;
  const fields = statFields(pid);
  if (!fields) return false;
  if (fields[0] === 'Z' || fields[0] === 'X') return false;
  return typeof ref === 'number' || fields[19] === ref.start;
}

/** Every descendant of `pid` (children, grandchildren…), from /proc. */
export function descendants(pid: number): ProcessRef[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const ppid = Number(statFields(Number(entry))?.[1]);
    if (!Number.isFinite(ppid)) continue;
    const list = parents.get(ppid) ?? [];
    list.push(Number(entry));
    parents.set(ppid, list);
  }
  const found: ProcessRef[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift();
    if (next === undefined) break;
    for (const child of parents.get(next) ?? []) {
      const ref = processRef(child);
      if (!ref) continue;
      found.push(ref);
      queue.push(child);
    }
  }
  return found;
}

/**
 * Every live process whose environment holds `name=value` (children inherit it, also once their
 * parent is gone and they were reparented): the processes a test started, however deep or late.
 */
export function processesWithEnv(name: string, value: string): ProcessRef[] {
  const needle = `${name}=${value}`;
  const found: ProcessRef[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (!environ.split('\0').includes(needle)) continue;
    const ref = processRef(Number(entry));
    if (ref && isAlive(ref)) found.push(ref);
  }
  return found;
}

/**
 * SIGKILLs those of the given processes that are still alive (same pid AND start time: never a
 * stranger that got a reused pid); returns the pids it had to kill. For after hooks.
 */
export function killLeftovers(refs: readonly ProcessRef[]): number[] {
  const killed: number[] = [];
  for (const ref of refs) {
    if (!isAlive(ref)) continue;
    try {
      process.kill(ref.pid, 'SIGKILL');
      killed.push(ref.pid);
    } catch {
      // Gone.
    }
  }
  return killed;
}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepMerge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isTree(current) && isTree(value) ? deepMerge(current, value) : value;
  }
  return out;
}
