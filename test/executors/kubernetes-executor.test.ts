// The KubernetesExecutor against a FAKE Kubernetes API server (real HTTP, real client-node): it
// creates validated Jobs with their token Secret, adopts on 409, maps Job conditions and pod
// status to the WorkerExit the scheduler settles, deletes with background propagation on stop,
// and keeps watching through watch failures.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode } from '../../src/errors/index.ts';
import { attemptResult } from '../../src/jobs/retry-policy.ts';
import type { Job } from '../../src/jobs/job.ts';
import { workerSelector } from '../../src/k8s/labels.ts';
import { buildWorkerJob } from '../../src/k8s/worker-job.ts';
import { waitFor } from '../helpers/serve.ts';
import { ClientNodeKubeApi } from '../../src/executors/kubernetes/client-node-kube-api.ts';
import { KubernetesExecutor } from '../../src/executors/kubernetes-executor.ts';
import { FakeKubeApi } from '../k8s/fake-kube-api.ts';
import { complete, executorConfig, namespace, running, sampleTask, startExecutor } from './kubernetes-rig.ts';

let fake: FakeKubeApi;
let seq = 0;
let jobId = '';

before(async () => {
  fake = await FakeKubeApi.start();
});
after(() => fake.close());
beforeEach(() => {
  jobId = `job-${++seq}`;
});

const nameOf = (id: string, attempt = 1) => `live2vod-${id}-a${attempt}`;

/** A job as the store would hold it, for running a WorkerExit through the real retry policy. */
function storedJob(id: string): Job {
  const now = new Date().toISOString();
  return { id, seq: 1, idempotencyKey: id, source: 's3://x', sourceKind: 'api', priority: 'normal', state: 'running', progress: 0, attempts: 1, maxAttempts: 3, outputPrefix: `assets/${id}`, metadata: {}, cancelRequested: false, createdAt: now, updatedAt: now };
}

function failedPod(name: string, exitCode: number, extra: { reason?: string; message?: string; disruption?: string } = {}) {
  return {
    name,
    status: {
      phase: 'Failed',
      ...(extra.disruption ? { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: extra.disruption, message: 'the node is being reclaimed' }] } : {}),
      containerStatuses: [{ name: 'worker', ready: false, restartCount: 0, image: 'live2vod:test', imageID: '', state: { terminated: { exitCode, reason: extra.reason ?? 'Error', message: extra.message, finishedAt: new Date().toISOString() } } }],
    },
  };
}

describe('KubernetesExecutor against a fake API server', () => {
  it('creates the Job the builder makes, with its token Secret owned by the Job', async (t) => {
    const rig = await startExecutor(t, fake);
    await rig.executor.launch(sampleTask(jobId), { priority: 'high', metadata: { durationSeconds: '600', size: '500000000' } });
    const job = fake.job(namespace, nameOf(jobId));
    assert.ok(job, 'the Job exists');
    assert.deepEqual(rig.executor.running(), [jobId]);
    const expected = buildWorkerJob({ task: sampleTask(jobId), priority: 'high', facts: { durationSeconds: 600, bytes: 500_000_000 }, config: executorConfig() }).job;
    assert.deepEqual(job.spec, JSON.parse(JSON.stringify(expected.spec)), 'what arrived is what the builder made (nothing lost by the client)');
    assert.equal((job.spec?.['template'] as { spec: { priorityClassName: string } }).spec.priorityClassName, 'live2vod-high');
    assert.equal(job.spec?.['activeDeadlineSeconds'], 600 + 2 * 600 < 1800 ? 1800 : 600 + 2 * 600);
    const secret = fake.secret(namespace, nameOf(jobId));
    assert.ok(secret, 'the token Secret exists');
    assert.deepEqual(secret.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.uid]), [['Job', nameOf(jobId), job.metadata.uid]]);
    assert.equal((secret['stringData'] as Record<string, string>)['callback-token'], sampleTask(jobId).callback?.token);
  });

  it('adopts a Job that already exists (409) instead of creating a second one, and reports its completion', async (t) => {
    const existing = buildWorkerJob({ task: sampleTask(jobId), priority: 'normal', facts: {}, config: executorConfig() }).job;
    const seeded = fake.seedJob(namespace, existing);
    fake.setJobStatus(namespace, nameOf(jobId), running);
    const rig = await startExecutor(t, fake);
    const posts = () => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/jobs') && r.path.includes(namespace)).length;
    const before = posts();
    await rig.executor.launch(sampleTask(jobId), { priority: 'normal', metadata: {} });
    assert.equal(posts() - before, 1, 'one create, answered 409');
    assert.equal(fake.jobs(namespace).filter((j) => j.metadata.name === nameOf(jobId)).length, 1);
    assert.equal(fake.job(namespace, nameOf(jobId))?.metadata.uid, seeded.metadata.uid, 'the same Job, not a replacement');
    assert.ok(rig.logs.some((l) => l.message === 'adopted existing worker Job'));
    assert.deepEqual(rig.exits, [], 'still running');
    fake.setJobStatus(namespace, nameOf(jobId), complete);
    const exit = await rig.waitForExit(jobId);
    assert.equal(exit.exitCode, 0);
  });

  it('replaces a failed Job of the same name (a job retried by hand starts at attempt 1 again)', async (t) => {
    const old = buildWorkerJob({ task: sampleTask(jobId), priority: 'normal', facts: {}, config: executorConfig() }).job;
    const seeded = fake.seedJob(namespace, old);
    fake.setJobStatus(namespace, nameOf(jobId), { failed: 2, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] });
    const rig = await startExecutor(t, fake);
    await rig.executor.launch(sampleTask(jobId));
    const now = fake.job(namespace, nameOf(jobId));
    assert.notEqual(now?.metadata.uid, seeded.metadata.uid, 'a new Job');
    assert.deepEqual(rig.exits, [], 'the old failure is not reported as this attempt\'s');
  });

  it('reports SuccessCriteriaMet as success once, not again on Complete', async (t) => {
    const rig = await startExecutor(t, fake);
    await rig.executor.launch(sampleTask(jobId));
    fake.setJobStatus(namespace, nameOf(jobId), running);
    fake.setJobStatus(namespace, nameOf(jobId), { succeeded: 1, conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }] });
    const exit = await rig.waitForExit(jobId);
    assert.deepEqual({ exitCode: exit.exitCode, signal: exit.signal, attempt: exit.attempt }, { exitCode: 0, signal: null, attempt: 1 });
    fake.setJobStatus(namespace, nameOf(jobId), complete);
    await sleep(200);
    assert.equal(rig.exits.filter((e) => e.jobId === jobId).length, 1);
    assert.deepEqual(rig.executor.running(), []);
  });

  it('maps a FailJob (bad input, exit 3) to a permanent failure with the pod\'s termination message', async (t) => {
    const rig = await startExecutor(t, fake);
    await rig.executor.launch(sampleTask(jobId));
    const job = fake.job(namespace, nameOf(jobId))!;
    fake.addPod(namespace, job, failedPod(`${nameOf(jobId)}-x1`, 3, { message: 'exit 3: the source is not a media file' }));
    fake.setJobStatus(namespace, nameOf(jobId), { failed: 1, conditions: [{ type: 'FailureTarget', status: 'True', reason: 'PodFailurePolicy', message: `Container worker for pod ${namespace}/${nameOf(jobId)}-x1 failed with exit code 3 matching FailJob rule at index 1` }] });
    const exit = await rig.waitForExit(jobId);
    assert.equal(exit.exitCode, ExitCode.badInput);
    assert.match(exit.stderrTail, /the source is not a media file/);
    const result = attemptResult(storedJob(jobId), exit, undefined, { baseMs: 1000, maxMs: 1000 }, new Date());
    assert.equal(result.state, 'failed', 'never retried');
    fake.setJobStatus(namespace, nameOf(jobId), { failed: 1, conditions: [{ type: 'FailureTarget', status: 'True', reason: 'PodFailurePolicy' }, { type: 'Failed', status: 'True', reason: 'PodFailurePolicy' }] });
    await sleep(200);
    assert.equal(rig.exits.filter((e) => e.jobId === jobId).length, 1, 'Failed after FailureTarget is not a second exit');
  });

  it('maps an OOM kill past backoffLimit to a retryable crash that names the memory limit', async (t) => {
    const rig = await startExecutor(t, fake);
    await rig.executor.launch(sampleTask(jobId));
    const job = fake.job(namespace, nameOf(jobId))!;
    fake.addPod(namespace, job, failedPod(`${nameOf(jobId)}-a`, 137, { reason: 'OOMKilled' }));
    fake.setJobStatus(namespace, nameOf(jobId), { failed: 2, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] });
    const exit = await rig.waitForExit(jobId);
    assert.equal(exit.signal, 'SIGKILL');
    assert.match(exit.stderrTail, /OOM-killed: raise executor\.resources\.limits\.memory/);
    const result = attemptResult(storedJob(jobId), exit, undefined, { baseMs: 1000, maxMs: 1000 }, new Date());
    assert.equal(result.state, 'queued', 'retried with a new attempt');
  });

  it('rides out a disruption (the Job replaces the pod) and reports only the final completion', async (t) => {
    const rig = await startExecutor(t, fake);
    await rig.executor.launch(sampleTask(jobId));
    const job = fake.job(namespace, nameOf(jobId))!;
    fake.setJobStatus(namespace, nameOf(jobId), running);
    fake.addPod(namespace, job, failedPod(`${nameOf(jobId)}-spot`, 130, { disruption: 'TerminationByKubelet' }));
    fake.setJobStatus(namespace, nameOf(jobId), { active: 0, terminating: 1 });
    await waitFor('the disruption notice', () => rig.logs.find((l) => /disrupted/.test(l.message)), { timeoutMs: 3000, intervalMs: 10 });
    fake.setJobStatus(namespace, nameOf(jobId), { active: 1, terminating: 0 });
    await sleep(100);
    assert.deepEqual(rig.exits, [], 'a disrupted pod is not the end of the attempt');
    fake.setJobStatus(namespace, nameOf(jobId), complete);
    assert.equal((await rig.waitForExit(jobId)).exitCode, 0);
  });

  it('requeues without using an attempt when a Job ends failed because its pod was disrupted', async (t) => {
    const rig = await startExecutor(t, fake);
    await rig.executor.launch(sampleTask(jobId));
    const job = fake.job(namespace, nameOf(jobId))!;
    fake.addPod(namespace, job, failedPod(`${nameOf(jobId)}-p`, 130, { disruption: 'PreemptionByScheduler' }));
    fake.setJobStatus(namespace, nameOf(jobId), { conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }] });
    const exit = await rig.waitForExit(jobId);
    assert.equal(exit.stopReason, 'preempt');
    const result = attemptResult(storedJob(jobId), exit, undefined, { baseMs: 1000, maxMs: 1000 }, new Date());
    assert.deepEqual([result.state, result.state === 'queued' ? result.outcome : ''], ['queued', 'preempted']);
  });

  it('cancels by deleting the Job with background propagation (its Secret goes with it)', async (t) => {
    const rig = await startExecutor(t, fake);
    await rig.executor.launch(sampleTask(jobId));
    await rig.executor.stop(jobId, 'cancel');
    const deletes = fake.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith(`/jobs/${nameOf(jobId)}`));
    assert.equal(deletes.length, 1);
    assert.equal(deletes[0]?.query['propagationPolicy'], 'Background');
    assert.equal(fake.job(namespace, nameOf(jobId)), undefined);
    assert.equal(fake.secret(namespace, nameOf(jobId)), undefined, 'garbage-collected with its owner');
    const exit = await rig.waitForExit(jobId);
    assert.equal(exit.stopReason, 'cancel');
    await sleep(100);
    assert.equal(rig.exits.filter((e) => e.jobId === jobId).length, 1, 'the DELETED event is not a second exit');
  });

  it('reports a Job deleted behind its back as a crash (retried)', async (t) => {
    const rig = await startExecutor(t, fake);
    await rig.executor.launch(sampleTask(jobId));
    fake.deleteJobBehindTheBack(namespace, nameOf(jobId));
    const exit = await rig.waitForExit(jobId);
    assert.equal(exit.signal, 'SIGKILL');
    assert.match(exit.stderrTail, /deleted outside live2vod/);
  });

  it('restarts the watch with backoff after errors and catches up on what it missed', async (t) => {
    const rig = await startExecutor(t, fake);
    await rig.executor.launch(sampleTask(jobId));
    await waitFor('a watch', () => fake.openWatches > 0, { timeoutMs: 3000, intervalMs: 10 });
    const watchesBefore = fake.watchRequests().length;
    // The next two watch requests fail; the open one is cut; the Job completes meanwhile.
    fake.failNextWatches(2);
    fake.breakWatches();
    fake.setJobStatus(namespace, nameOf(jobId), complete);
    const exit = await rig.waitForExit(jobId);
    assert.equal(exit.exitCode, 0, 'the completion was seen after the watch came back');
    await waitFor('a watch again', () => fake.openWatches > 0, { timeoutMs: 3000, intervalMs: 10 });
    assert.ok(fake.watchRequests().length - watchesBefore >= 3, 'two refused watches, then a working one');
    assert.ok(rig.executor.watchRestarts >= 2, `restarts counted: ${rig.executor.watchRestarts}`);
    assert.ok(rig.logs.some((l) => l.level === 'warn' && /watch of Jobs failed/.test(l.message)));

    // An ERROR event in the stream and an expired resourceVersion (410) are survived too.
    const second = `${jobId}-b`;
    await rig.executor.launch(sampleTask(second));
    fake.sendWatchError(500);
    await waitFor('a watch after the ERROR event', () => fake.openWatches > 0, { timeoutMs: 3000, intervalMs: 10 });
    fake.compact();
    fake.sendWatchError(410);
    await waitFor('a watch after 410', () => fake.openWatches > 0, { timeoutMs: 3000, intervalMs: 10 });
    fake.setJobStatus(namespace, nameOf(second), complete);
    assert.equal((await rig.waitForExit(second)).exitCode, 0);
  });

  it('fails to start with a clear error when the API refuses the list', async () => {
    // A wrong token stands for missing credentials or RBAC.
    const denied = new KubernetesExecutor({ api: new ClientNodeKubeApi(fake.kubeConfig('wrong-token')), config: executorConfig() });
    await assert.rejects(denied.start(), /list Jobs: HTTP 401/);
    await denied.close();
  });

  it('watches only its own installation\'s worker Jobs', async (t) => {
    const listsBefore = fake.requests.length;
    await startExecutor(t, fake, { config: { instance: 'blue' } });
    const list = fake.requests.slice(listsBefore).find((r) => r.method === 'GET' && r.path.endsWith('/jobs') && r.query['watch'] !== 'true');
    assert.equal(list?.query['labelSelector'], workerSelector('blue'));
    assert.match(workerSelector('blue'), /app\.kubernetes\.io\/instance=blue/);
    const watch = await waitFor('the watch', () => fake.requests.slice(listsBefore).find((r) => r.query['watch'] === 'true'), { timeoutMs: 3000, intervalMs: 10 });
    assert.equal(watch.query['labelSelector'], workerSelector('blue'));
  });
});
