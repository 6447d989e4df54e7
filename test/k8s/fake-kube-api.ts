// A FAKE Kubernetes API server for tests (no cluster can run here): real HTTP on loopback, so the
// real @kubernetes/client-node talks to it through a KubeConfig. It implements what the executor
// uses — create/get/list/watch/delete of batch/v1 Jobs with resourceVersions, create/get/delete of
// Secrets, list of Pods — with equality label selectors, an event log for watches from a
// resourceVersion, 410 Gone for compacted versions, and owner-based garbage collection on delete
// (at once, or when the test says, as the real collector runs later). There is no Job controller:
// tests set Job status and pods themselves (for Indexed Jobs, fake-indexed-job-controller.ts
// does it step by step from the Job's own spec). Faults on demand: failing watch requests, ERROR events,
// connections cut mid-stream, and a Job create held until the test lets it through.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import type { IJob } from 'kubernetes-models/batch/v1/Job';

type Obj = {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { uid: string; kind: string; name: string }[]; creationTimestamp?: string; deletionTimestamp?: string; [key: string]: unknown };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
};

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
}

interface WatchEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  namespace: string;
  object: Obj;
}

interface OpenWatch {
  res: ServerResponse;
  namespace: string;
  selector: string;
}

const clone = <T>(value: T): T => structuredClone(value);

/** `a=b,c==d,e!=f,g,!h` against labels. */
export function matchesSelector(labels: Record<string, string> | undefined, selector: string): boolean {
  const have = labels ?? {};
  return selector.split(',').map((s) => s.trim()).filter(Boolean).every((term) => {
    const neq = /^([^!=]+)!=(.*)$/.exec(term);
    if (neq) return have[neq[1]!.trim()] !== neq[2]!.trim();
    const eq = /^([^!=]+)==?(.*)$/.exec(term);
    if (eq) return have[eq[1]!.trim()] === eq[2]!.trim();
    if (term.startsWith('!')) return !(term.slice(1) in have);
    return term in have;
  });
}

export class FakeKubeApi {
  readonly requests: RecordedRequest[] = [];
  readonly #server: Server;
  readonly #jobs = new Map<string, Obj>();
  readonly #secrets = new Map<string, Obj>();
  readonly #pods = new Map<string, Obj>();
  readonly #log: WatchEvent[] = [];
  readonly #watches = new Set<OpenWatch>();
  #rv = 100;
  /** Watches from a resourceVersion below this answer 410 Gone. */
  #compactedBelow = 0;
  #failWatches: number[] = [];
  #deferGc = false;
  /** Owners deleted while garbage collection was deferred. */
  #deletedOwners: string[] = [];
  #holdCreate: { arrived: () => void; released: Promise<void> } | undefined;
  #url = '';

  private constructor() {
    this.#server = createServer((req, res) => {
      void this.#handle(req, res).catch((error: unknown) => this.#send(res, 500, status(500, 'InternalError', String(error))));
    });
  }

  static async start(): Promise<FakeKubeApi> {
    const fake = new FakeKubeApi();
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.#url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  get url(): string {
    return this.#url;
  }

  /** A KubeConfig for the real client-node, pointing at this fake (another token: refused with 401). */
  kubeConfig(token = 'fake-token'): KubeConfig {
    const config = new KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'fake', server: this.#url, skipTLSVerify: true }],
      users: [{ name: 'fake', token }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake', namespace: 'default' }],
      currentContext: 'fake',
    });
    return config;
  }

  async close(): Promise<void> {
    for (const watch of this.#watches) watch.res.destroy();
    this.#watches.clear();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // --- what tests look at and change ---------------------------------------------------------

  job(namespace: string, name: string): Obj | undefined {
    const job = this.#jobs.get(`${namespace}/${name}`);
    return job ? clone(job) : undefined;
  }

  jobs(namespace: string): Obj[] {
    return [...this.#jobs.values()].filter((j) => j.metadata.namespace === namespace).map(clone);
  }

  secret(namespace: string, name: string): Obj | undefined {
    const secret = this.#secrets.get(`${namespace}/${name}`);
    return secret ? clone(secret) : undefined;
  }

  /** Puts a Job in as if someone else had created it (e.g. a control plane before a restart). */
  seedJob(namespace: string, job: IJob): Obj {
    return clone(this.#store(namespace, JSON.parse(JSON.stringify(job)) as Obj));
  }

  /** What a Job controller would write: replaces the status and emits MODIFIED. */
  setJobStatus(namespace: string, name: string, jobStatus: Record<string, unknown>): void {
    const job = this.#jobs.get(`${namespace}/${name}`);
    if (!job) throw new Error(`fake: no Job ${namespace}/${name}`);
    job.status = clone(jobStatus);
    this.#bump(job, 'MODIFIED', namespace);
  }

  /** Deletes a Job as someone other than the executor would (kubectl, TTL controller). */
  deleteJobBehindTheBack(namespace: string, name: string): void {
    this.#removeJob(namespace, name);
  }

  /** A pod of a Job, labelled as the Job controller labels its pods (plus `labels`, e.g. an Indexed Job's completion index). */
  addPod(namespace: string, job: Obj, pod: { name: string; status: Record<string, unknown>; labels?: Record<string, string> }): void {
    const uid = job.metadata.uid ?? '';
    this.#pods.set(`${namespace}/${pod.name}`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: pod.name, namespace, uid: randomUUID(), resourceVersion: String(++this.#rv),
        labels: { ...(job.metadata.labels ?? {}), 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': job.metadata.name, ...(pod.labels ?? {}) },
        ownerReferences: [{ uid, kind: 'Job', name: job.metadata.name }],
      },
      spec: { containers: [{ name: 'worker', image: 'fake' }] },
      status: clone(pod.status),
    });
  }

  /** Replaces a pod's status (the kubelet's part). */
  setPodStatus(namespace: string, name: string, podStatus: Record<string, unknown>): void {
    const pod = this.#pods.get(`${namespace}/${name}`);
    if (!pod) throw new Error(`fake: no Pod ${namespace}/${name}`);
    pod.status = clone(podStatus);
    pod.metadata.resourceVersion = String(++this.#rv);
  }

  pods(namespace: string): Obj[] {
    return [...this.#pods.values()].filter((p) => p.metadata.namespace === namespace).map(clone);
  }

  /**
   * While on, deleting a Job leaves what it owns (Secret, pods) until collectGarbage(): the real
   * garbage collector runs after the delete, so a new object of the same name can meet the old one.
   */
  deferGarbageCollection(on: boolean): void {
    this.#deferGc = on;
  }

  /** Deletes what deleted Jobs owned (with deferGarbageCollection). */
  collectGarbage(): void {
    for (const uid of this.#deletedOwners.splice(0)) this.#collect(uid);
  }

  /** The next Job create waits until release(); `arrived` resolves when it has come in. */
  holdNextJobCreate(): { arrived: Promise<void>; release: () => void } {
    let arrived!: () => void;
    let release!: () => void;
    const arrivedPromise = new Promise<void>((resolve) => { arrived = resolve; });
    this.#holdCreate = { arrived, released: new Promise<void>((resolve) => { release = resolve; }) };
    return { arrived: arrivedPromise, release };
  }

  /** The next `count` watch requests answer with this HTTP status instead of a stream. */
  failNextWatches(count: number, httpStatus = 500): void {
    for (let i = 0; i < count; i++) this.#failWatches.push(httpStatus);
  }

  /** Sends an ERROR event (a Status with `code`) on every open watch and ends it. */
  sendWatchError(code: number): void {
    for (const watch of this.#watches) {
      watch.res.end(`${JSON.stringify({ type: 'ERROR', object: status(code, code === 410 ? 'Expired' : 'InternalError', `fake watch error ${code}`) })}\n`);
    }
    this.#watches.clear();
  }

  /** Cuts every open watch connection without a clean end. */
  breakWatches(): void {
    for (const watch of this.#watches) watch.res.destroy();
    this.#watches.clear();
  }

  /** Forgets the event history: watches from an older resourceVersion get 410 Gone. */
  compact(): void {
    this.#compactedBelow = this.#rv;
  }

  get openWatches(): number {
    return this.#watches.size;
  }

  watchRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'GET' && r.query['watch'] === 'true');
  }

  // --- HTTP ----------------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const text = await readBody(req);
    const body: unknown = text ? JSON.parse(text) : undefined;
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query, ...(body !== undefined ? { body } : {}) });
    if (req.headers.authorization !== 'Bearer fake-token') return this.#send(res, 401, status(401, 'Unauthorized', 'no token'));

    const jobs = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs(?:\/([^/]+))?$/.exec(url.pathname);
    const secrets = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/.exec(url.pathname);
    const pods = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
    if (jobs) {
      const [, namespace = '', name] = jobs;
      if (name === undefined && req.method === 'POST') {
        const hold = this.#holdCreate;
        this.#holdCreate = undefined;
        if (hold) {
          hold.arrived();
          await hold.released;
        }
        return this.#createJob(res, namespace, body as Obj);
      }
      if (name === undefined && req.method === 'GET' && query['watch'] === 'true') return this.#watch(res, namespace, query);
      if (name === undefined && req.method === 'GET') return this.#list(res, 'JobList', 'batch/v1', this.#jobs, namespace, query['labelSelector'] ?? '');
      if (name !== undefined && req.method === 'GET') {
        const job = this.#jobs.get(`${namespace}/${name}`);
        return job ? this.#send(res, 200, job) : this.#send(res, 404, status(404, 'NotFound', `jobs.batch "${name}" not found`));
      }
      if (name !== undefined && req.method === 'DELETE') {
        if (!this.#jobs.has(`${namespace}/${name}`)) return this.#send(res, 404, status(404, 'NotFound', `jobs.batch "${name}" not found`));
        this.#removeJob(namespace, name);
        return this.#send(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name, group: 'batch', kind: 'jobs' } });
      }
    }
    if (secrets && secrets[2] !== undefined) {
      const key = `${secrets[1]}/${secrets[2]}`;
      const found = this.#secrets.get(key);
      if (!found) return this.#send(res, 404, status(404, 'NotFound', `secrets "${secrets[2]}" not found`));
      if (req.method === 'GET') return this.#send(res, 200, found);
      if (req.method === 'DELETE') {
        this.#secrets.delete(key);
        return this.#send(res, 200, { kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name: secrets[2], kind: 'secrets' } });
      }
    }
    if (secrets && req.method === 'POST') {
      const secret = body as Obj;
      const key = `${secrets[1]}/${secret.metadata.name}`;
      if (this.#secrets.has(key)) return this.#send(res, 409, status(409, 'AlreadyExists', `secrets "${secret.metadata.name}" already exists`));
      secret.metadata = { ...secret.metadata, namespace: secrets[1]!, uid: randomUUID(), resourceVersion: String(++this.#rv) };
      this.#secrets.set(key, secret);
      return this.#send(res, 201, secret);
    }
    if (pods && req.method === 'GET') return this.#list(res, 'PodList', 'v1', this.#pods, pods[1]!, query['labelSelector'] ?? '');
    return this.#send(res, 404, status(404, 'NotFound', `fake: no route for ${req.method} ${url.pathname}`));
  }

  #createJob(res: ServerResponse, namespace: string, job: Obj): void {
    if (this.#jobs.has(`${namespace}/${job.metadata.name}`)) {
      return this.#send(res, 409, status(409, 'AlreadyExists', `jobs.batch "${job.metadata.name}" already exists`));
    }
    this.#send(res, 201, this.#store(namespace, job));
  }

  #store(namespace: string, job: Obj): Obj {
    job.apiVersion = 'batch/v1';
    job.kind = 'Job';
    job.metadata = { ...job.metadata, namespace, uid: job.metadata.uid ?? randomUUID(), creationTimestamp: new Date().toISOString(), generation: 1 };
    job.status ??= {};
    this.#jobs.set(`${namespace}/${job.metadata.name}`, job);
    this.#bump(job, 'ADDED', namespace);
    return job;
  }

  #removeJob(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const job = this.#jobs.get(key);
    if (!job) return;
    this.#jobs.delete(key);
    job.metadata.deletionTimestamp = new Date().toISOString();
    this.#bump(job, 'DELETED', namespace);
    const uid = job.metadata.uid ?? '';
    if (this.#deferGc) this.#deletedOwners.push(uid);
    else this.#collect(uid);
  }

  /** Garbage collection of what a Job owned (its token Secret, its pods). */
  #collect(ownerUid: string): void {
    for (const objects of [this.#secrets, this.#pods]) {
      for (const [k, o] of objects) if (o.metadata.ownerReferences?.some((r) => r.uid === ownerUid)) objects.delete(k);
    }
  }

  #bump(job: Obj, type: WatchEvent['type'], namespace: string): void {
    job.metadata.resourceVersion = String(++this.#rv);
    const event: WatchEvent = { rv: this.#rv, type, namespace, object: clone(job) };
    this.#log.push(event);
    for (const watch of this.#watches) {
      if (watch.namespace === namespace && matchesSelector(job.metadata.labels, watch.selector)) writeEvent(watch.res, event);
    }
  }

  #list(res: ServerResponse, kind: string, apiVersion: string, objects: Map<string, Obj>, namespace: string, selector: string): void {
    const items = [...objects.values()].filter((o) => o.metadata.namespace === namespace && matchesSelector(o.metadata.labels, selector));
    this.#send(res, 200, { kind, apiVersion, metadata: { resourceVersion: String(this.#rv) }, items });
  }

  #watch(res: ServerResponse, namespace: string, query: Record<string, string>): void {
    const failure = this.#failWatches.shift();
    if (failure !== undefined) return this.#send(res, failure, status(failure, 'InternalError', 'fake: watch refused'));
    const from = Number(query['resourceVersion'] ?? '0');
    const selector = query['labelSelector'] ?? '';
    res.writeHead(200, { 'content-type': 'application/json' });
    // The API server answers a watch at once, before any event.
    res.flushHeaders();
    if (from > 0 && from < this.#compactedBelow) {
      res.end(`${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${from} (${this.#compactedBelow})`) })}\n`);
      return;
    }
    for (const event of this.#log) {
      if (event.rv > from && event.namespace === namespace && matchesSelector(event.object.metadata.labels, selector)) writeEvent(res, event);
    }
    const watch: OpenWatch = { res, namespace, selector };
    this.#watches.add(watch);
    const timeout = Number(query['timeoutSeconds'] ?? '0');
    const timer = timeout > 0 ? setTimeout(() => { this.#watches.delete(watch); res.end(); }, timeout * 1000) : undefined;
    res.on('close', () => {
      if (timer) clearTimeout(timer);
      this.#watches.delete(watch);
    });
  }

  #send(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

function writeEvent(res: ServerResponse, event: WatchEvent): void {
  res.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
}

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
