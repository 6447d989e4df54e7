// The control plane around the KubernetesExecutor: the real Scheduler and SQLite store, the FAKE
// Kubernetes API. A restarted control plane adopts the Job that kept running (one Job, same uid)
// and settles the job from it — also one that failed meanwhile, which a retry by hand then
// replaces; on start, Jobs whose job no longer runs are deleted; two control planes on one store
// never run a job twice, and one that loses a job's lease leaves its Job to the one that took it.
import { defaultSourceFetch } from '../../src/jobs/source-fetch.ts';
import { parseSourceLocation } from '../../src/jobs/source-location.ts';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { kubernetesStoreHooks } from '../../src/cli/build-executor.ts';
import type { WorkerExit } from '../../src/executors/executor.ts';
import { ClientNodeKubeApi } from '../../src/executors/kubernetes/client-node-kube-api.ts';
import { KubernetesExecutor } from '../../src/executors/kubernetes-executor.ts';
import { JobEvents } from '../../src/jobs/job-events.ts';
import { Scheduler } from '../../src/jobs/scheduler.ts';
import { transcodeProfileSchema } from '../../src/jobs/transcode-task.ts';
import { buildWorkerJob } from '../../src/k8s/worker-job.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/store.ts';
import { makeTemp, waitFor } from '../helpers/serve.ts';
import { FakeKubeApi } from '../k8s/fake-kube-api.ts';
import { complete, executorConfig, running, sampleTask } from './kubernetes-rig.ts';

let fake: FakeKubeApi;
let dir: string;
let stores = 0;
const profile = transcodeProfileSchema.parse({});

before(async () => {
  fake = await FakeKubeApi.start();
  dir = await makeTemp('live2vod-k8s-restart-');
});
after(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

interface ControlPlane {
  executor: KubernetesExecutor;
  scheduler: Scheduler;
  exits: WorkerExit[];
  stop(): Promise<void>;
}

/** One control plane: executor (started: listed and reconciled) then scheduler, as serve does. */
async function controlPlane(t: TestContext, store: Store, owner: string, namespace: string, recoverAll: boolean, now?: () => Date): Promise<ControlPlane> {
  const executor = new KubernetesExecutor({
    api: new ClientNodeKubeApi(fake.kubeConfig()),
    config: executorConfig({ namespace, concurrency: 2 }),
    ...kubernetesStoreHooks(store),
    watch: { backoff: { baseMs: 20, maxMs: 200 }, timeoutSeconds: 30 },
  });
  const exits: WorkerExit[] = [];
  executor.onExit((exit) => exits.push(exit));
  await executor.start();
  const scheduler = new Scheduler({
    store, executor, events: new JobEvents(), owner,
    leaseMs: 60_000,
    backoff: { baseMs: 50, maxMs: 100 },
    tickMs: 50,
    ...(now ? { now } : {}),
    buildTask: (job) => ({ version: 2, stage: 'full', jobId: job.id, attempt: job.attempts, source: parseSourceLocation(job.source), output: `s3://assets/${job.id}`, profile, sourceFetch: defaultSourceFetch, callback: { url: 'http://10.0.0.9:8080/cb', token: `token-${job.id}-0123456789` } }),
  });
  await scheduler.start({ recoverAll });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await scheduler.stop();
  };
  t.after(stop);
  return { executor, scheduler, exits, stop };
}

async function newStore(t: TestContext): Promise<Store> {
  const store = await openSqliteStore(path.join(dir, `store-${++stores}.db`));
  t.after(() => store.close());
  return store;
}

async function addJob(store: Store, name: string) {
  const { job } = await store.createJob({ idempotencyKey: `${name}-${Math.random()}`, source: `s3://recordings/${name}.flv`, sourceKind: 'api', priority: 'normal', metadata: { durationSeconds: '3600' }, maxAttempts: 3 }, new Date());
  return job;
}

const jobName = (id: string, attempt = 1) => `live2vod-${id}-a${attempt}`;
const creates = (namespace: string) => fake.requests.filter((r) => r.method === 'POST' && r.path === `/apis/batch/v1/namespaces/${namespace}/jobs`);

describe('KubernetesExecutor with the scheduler and store', () => {
  it('after a control-plane restart, adopts the Job that kept running and settles the job from it', async (t) => {
    const ns = 'restart';
    const store = await newStore(t);
    const first = await controlPlane(t, store, 'first', ns, true);
    const job = await addJob(store, 'keynote');
    first.scheduler.kick();
    await waitFor('the Job', () => fake.job(ns, jobName(job.id)), { timeoutMs: 5000, intervalMs: 10 });
    fake.setJobStatus(ns, jobName(job.id), running);
    const uid = fake.job(ns, jobName(job.id))?.metadata.uid;

    await first.stop();
    assert.equal(first.exits[0]?.stopReason, 'shutdown', 'the stopped control plane let go of the Job');
    assert.ok(fake.job(ns, jobName(job.id)), 'the Job kept running in the cluster');
    assert.equal((await store.getJob(job.id))?.state, 'queued');

    const second = await controlPlane(t, store, 'second', ns, true);
    // The second create (answered 409) is what adopts; running() already counts the launch before it.
    await waitFor('adoption', () => (creates(ns).length === 2 && second.executor.running().includes(job.id) ? true : undefined), { timeoutMs: 5000, intervalMs: 10 });
    assert.equal(fake.jobs(ns).length, 1, 'still one Job');
    assert.equal(fake.job(ns, jobName(job.id))?.metadata.uid, uid, 'the same Job');
    assert.equal(creates(ns).length, 2, 'the second create was answered 409 and adopted');

    fake.setJobStatus(ns, jobName(job.id), complete);
    const done = await waitFor('success', async () => { const j = await store.getJob(job.id); return j?.state === 'succeeded' ? j : undefined; }, { timeoutMs: 5000, intervalMs: 20 });
    assert.equal(done.attempts, 1, 'the interrupted attempt did not count');
    const attempts = await store.listAttempts(job.id);
    assert.deepEqual(attempts.map((a) => [a.outcome, a.counts]), [['interrupted', false], ['succeeded', true]]);
  });

  it('reports a Job that failed while no control plane watched, and replaces it only after a retry by hand', async (t) => {
    const ns = 'failed-unwatched';
    const store = await newStore(t);
    const first = await controlPlane(t, store, 'first', ns, true);
    const job = await addJob(store, 'broken');
    first.scheduler.kick();
    const created = await waitFor('the Job', () => fake.job(ns, jobName(job.id)), { timeoutMs: 5000, intervalMs: 10 });
    fake.setJobStatus(ns, jobName(job.id), running);
    await first.stop();

    // While nobody watches, the worker finds the source is not media (exit 3: FailJob).
    fake.addPod(ns, created, { name: `${jobName(job.id)}-p1`, status: { phase: 'Failed', containerStatuses: [{ name: 'worker', ready: false, restartCount: 0, image: 'x', imageID: '', state: { terminated: { exitCode: 3, reason: 'Error', message: 'exit 3: the source is not a media file' } } }] } });
    fake.setJobStatus(ns, jobName(job.id), { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'PodFailurePolicy', message: `Container worker for pod ${ns}/${jobName(job.id)}-p1 failed with exit code 3 matching FailJob rule at index 1` }] });

    await controlPlane(t, store, 'second', ns, true);
    const failed = await waitFor('the failure', async () => { const j = await store.getJob(job.id); return j?.state === 'failed' ? j : undefined; }, { timeoutMs: 5000, intervalMs: 20 });
    assert.equal(failed.error?.code, 'exit-3');
    assert.match(failed.error?.stderrTail ?? '', /not a media file/, 'the pod\'s termination message');
    assert.equal(fake.job(ns, jobName(job.id))?.metadata.uid, created.metadata.uid, 'adopted and reported, not re-run');
    assert.equal(creates(ns).length, 2, 'the second create was answered 409');

    // Retried by hand: attempt 1 again, in a new retry generation: a new Job replaces the old one.
    await store.retry(job.id, new Date());
    const replaced = await waitFor('the new Job', () => { const j = fake.job(ns, jobName(job.id)); return j && j.metadata.uid !== created.metadata.uid ? j : undefined; }, { timeoutMs: 5000, intervalMs: 10 });
    assert.equal(replaced.metadata.annotations?.['live2vod.io/retry-generation'], '1');
    fake.setJobStatus(ns, jobName(job.id), complete);
    const done = await waitFor('success', async () => { const j = await store.getJob(job.id); return j?.state === 'succeeded' ? j : undefined; }, { timeoutMs: 5000, intervalMs: 20 });
    assert.equal(done.attempts, 1);
  });

  it('on start deletes unfinished Jobs whose job no longer runs, and keeps the rest', async (t) => {
    const ns = 'reconcile';
    const store = await newStore(t);
    const config = executorConfig({ namespace: ns });
    const seed = (jobId: string, status: Record<string, unknown>) => {
      fake.seedJob(ns, buildWorkerJob({ task: sampleTask(jobId), priority: 'normal', facts: {}, config }).job);
      fake.setJobStatus(ns, jobName(jobId), status);
    };
    const cancelled = await addJob(store, 'cancelled');
    await store.requestCancel(cancelled.id, new Date());
    const orphaned = await addJob(store, 'orphaned'); // running under a control plane that died
    await store.claimNext({ owner: 'dead', now: new Date(), leaseMs: 60_000 });
    seed(cancelled.id, running);
    seed(orphaned.id, running);
    seed('unknown-job', running);
    seed('finished-job', complete);

    const plane = await controlPlane(t, store, 'reconciler', ns, false);
    await waitFor('the sweep', () => (fake.jobs(ns).length === 2 ? true : undefined), { timeoutMs: 5000, intervalMs: 10 });
    assert.deepEqual(fake.jobs(ns).map((j) => j.metadata.name).sort(), [jobName('finished-job'), jobName(orphaned.id)].sort());
    const deletes = fake.requests.filter((r) => r.method === 'DELETE' && r.path.startsWith(`/apis/batch/v1/namespaces/${ns}/`));
    assert.ok(deletes.every((d) => d.query['propagationPolicy'] === 'Background'));
    assert.deepEqual(plane.exits, []);
  });

  it('two control planes on one store create each Job once and settle only their own', async (t) => {
    const ns = 'replicas';
    const store = await newStore(t);
    const other = await openSqliteStore(path.join(dir, `store-${stores}.db`));
    t.after(() => other.close());
    const a = await controlPlane(t, store, 'replica-a', ns, false);
    const b = await controlPlane(t, other, 'replica-b', ns, false);
    const jobs = await Promise.all(['one', 'two', 'three', 'four'].map((n) => addJob(store, n)));
    a.scheduler.kick();
    b.scheduler.kick();
    await waitFor('four Jobs', () => (fake.jobs(ns).length === 4 ? true : undefined), { timeoutMs: 5000, intervalMs: 10 });
    for (const job of jobs) fake.setJobStatus(ns, jobName(job.id), complete);
    await waitFor('all succeeded', async () => ((await Promise.all(jobs.map((j) => store.getJob(j.id)))).every((j) => j?.state === 'succeeded') ? true : undefined), { timeoutMs: 5000, intervalMs: 20 });
    assert.equal(creates(ns).length, 4, 'no Job was created twice');
    const settled = [...a.exits, ...b.exits].map((e) => e.jobId).sort();
    assert.deepEqual(settled, jobs.map((j) => j.id).sort(), 'each job settled once, by the replica that ran it');
    assert.deepEqual([a.exits.length, b.exits.length], [2, 2], 'both replicas ran jobs (capacity 2 each)');
    for (const job of jobs) assert.equal((await store.listAttempts(job.id)).length, 1);
  });

  it('a control plane that loses a job\'s lease leaves the Job to the one that took the job over', async (t) => {
    const ns = 'handover';
    const store = await newStore(t);
    const other = await openSqliteStore(path.join(dir, `store-${stores}.db`));
    t.after(() => other.close());
    // Replica A's clock can fall behind: its renewals then write leases that have already run
    // out for B, as when A stalls (a long GC pause, a partition) and its lease lapses.
    let lagMs = 0;
    const a = await controlPlane(t, store, 'replica-a', ns, false, () => new Date(Date.now() - lagMs));
    const job = await addJob(store, 'handed-over');
    a.scheduler.kick();
    await waitFor('the Job', () => fake.job(ns, jobName(job.id)), { timeoutMs: 5000, intervalMs: 10 });
    fake.setJobStatus(ns, jobName(job.id), running);
    const uid = fake.job(ns, jobName(job.id))?.metadata.uid;

    const b = await controlPlane(t, other, 'replica-b', ns, false);
    lagMs = 10 * 60_000;
    await waitFor('B adopts', () => (b.executor.running().includes(job.id) && creates(ns).length === 2 ? true : undefined), { timeoutMs: 5000, intervalMs: 10 });
    const lost = await waitFor('A lets go', () => a.exits.find((e) => e.jobId === job.id), { timeoutMs: 5000, intervalMs: 10 });
    assert.equal(lost.stopReason, 'lease-lost');
    assert.deepEqual(a.executor.running(), []);
    assert.equal(fake.job(ns, jobName(job.id))?.metadata.uid, uid, 'the Job B adopted is still there');
    assert.equal(fake.requests.filter((r) => r.method === 'DELETE' && r.path.startsWith(`/apis/batch/v1/namespaces/${ns}/`)).length, 0, 'nobody deleted it');

    fake.setJobStatus(ns, jobName(job.id), complete);
    const done = await waitFor('success', async () => { const j = await store.getJob(job.id); return j?.state === 'succeeded' ? j : undefined; }, { timeoutMs: 5000, intervalMs: 20 });
    assert.equal(done.attempts, 1, 'the lapsed lease did not cost an attempt');
    assert.deepEqual(b.exits.map((e) => [e.jobId, e.exitCode]), [[job.id, 0]]);
  });
});
