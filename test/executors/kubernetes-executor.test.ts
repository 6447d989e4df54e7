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
import { controlPlaneRole } from '../../src/k8s/install/rbac.ts';
import { installOptionsSchema } from '../../src/k8s/install/options.ts';
import { workerSelector } from '../../src/k8s/labels.ts';
import { buildWorkerJob } from '../../src/k8s/worker-job.ts';
import { waitFor } from '../helpers/serve.ts';
import { ClientNodeKubeApi } from '../../src/executors/kubernetes/client-node-kube-api.ts';
import { retryGeneration } from '../../src/executors/kubernetes/retry-generation.ts';
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
  return { id, seq: 1, kind: 'transcode', idempotencyKey: id, source: 's3://x', sourceKind: 'api', priority: 'normal', state: 'running', progress: 0, attempts: 1, maxAttempts: 3, outputPrefix: `assets/${id}`, metadata: {}, sourceFacts: {}, cancelRequested: false, createdAt: now, updatedAt: now };
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
    await rig.executor.launch(sampleTask(jobId), { priority: 'high', facts: { durationSeconds: 600, bytes: 500_000_000 } });
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
    await rig.executor.launch(sampleTask(jobId), { priority: 'normal', facts: {} });
    assert.equal(posts() - before, 1, 'one create, answered 409');
    assert.equal(fake.jobs(namespace).filter((j) => j.metadata.name === nameOf(jobId)).length, 1);
    assert.equal(fake.job(namespace, nameOf(jobId))?.metadata.uid, seeded.metadata.uid, 'the same Job, not a replacement');
    assert.ok(rig.logs.some((l) => l.message === 'adopted existing worker Job'));
    assert.deepEqual(rig.exits, [], 'still running');
    fake.setJobStatus(namespace, nameOf(jobId), complete);
    const exit = await rig.waitForExit(jobId);
    assert.equal(exit.exitCode, 0);
  });

  it('replaces a Job of the same name from before a retry by hand (attempts count from 1 again), failed or complete', async (t) => {
    for (const [id, status] of [[jobId, { failed: 2, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] }], [`${jobId}-ok`, complete]] as const) {
      const old = buildWorkerJob({ task: sampleTask(id), priority: 'normal', facts: {}, config: executorConfig(), retryGeneration: 0 }).job;
      const seeded = fake.seedJob(namespace, old);
      fake.setJobStatus(namespace, nameOf(id), status);
      const rig = await startExecutor(t, fake, { retryGeneration: async () => 1 });
      await rig.executor.launch(sampleTask(id));
      const now = fake.job(namespace, nameOf(id));
      assert.notEqual(now?.metadata.uid, seeded.metadata.uid, 'a new Job');
      assert.equal(now?.metadata.annotations?.['live2vod.io/retry-generation'], '1');
      await sleep(100);
      assert.deepEqual(rig.exits, [], 'the old result is not reported as this attempt\'s');
    }
  });

  it('adopts a Job of this very attempt that failed while no control plane watched, and reports its failure', async (t) => {
    // FailJob (bad input, exit 3) and BackoffLimitExceeded: reported, not re-run.
    const seeded = fake.seedJob(namespace, buildWorkerJob({ task: sampleTask(jobId, 2), priority: 'normal', facts: {}, config: executorConfig(), retryGeneration: 1 }).job);
    fake.addPod(namespace, seeded, failedPod(`${nameOf(jobId, 2)}-x1`, 3, { message: 'exit 3: the source is not a media file' }));
    fake.setJobStatus(namespace, nameOf(jobId, 2), { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'PodFailurePolicy', message: `Container worker for pod ${namespace}/${nameOf(jobId, 2)}-x1 failed with exit code 3 matching FailJob rule at index 1` }] });
    const crashed = `${jobId}-crash`;
    const other = fake.seedJob(namespace, buildWorkerJob({ task: sampleTask(crashed), priority: 'normal', facts: {}, config: executorConfig() }).job);
    fake.setJobStatus(namespace, nameOf(crashed), { failed: 2, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] });

    const rig = await startExecutor(t, fake, { retryGeneration: async ({ jobId: id }) => (id === jobId ? 1 : 0) });
    await rig.executor.launch(sampleTask(jobId, 2));
    await rig.executor.launch(sampleTask(crashed));
    const exit = await rig.waitForExit(jobId);
    assert.equal(exit.exitCode, ExitCode.badInput);
    assert.match(exit.stderrTail, /the source is not a media file/);
    assert.equal(attemptResult(storedJob(jobId), exit, undefined, { baseMs: 1000, maxMs: 1000 }, new Date()).state, 'failed');
    const crash = await rig.waitForExit(crashed);
    assert.equal(crash.exitCode, 1, 'a Job that ran out of pod retries is a retryable failure of this attempt');
    assert.equal(fake.job(namespace, nameOf(jobId, 2))?.metadata.uid, seeded.metadata.uid, 'not replaced');
    assert.equal(fake.job(namespace, nameOf(crashed))?.metadata.uid, other.metadata.uid, 'not replaced');
  });

  it('gives a replacement Job its own token Secret, not the old Job\'s that the garbage collector is about to delete', async (t) => {
    const old = fake.seedJob(namespace, buildWorkerJob({ task: sampleTask(jobId), priority: 'normal', facts: {}, config: executorConfig() }).job);
    fake.setJobStatus(namespace, nameOf(jobId), { failed: 2, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] });
    const rig = await startExecutor(t, fake, { retryGeneration: async () => 1 });
    // The old Job's Secret, as an earlier launch created it.
    const oldSecret = buildWorkerJob({ task: sampleTask(jobId), priority: 'normal', facts: {}, config: executorConfig() }).secret?.({ name: nameOf(jobId), uid: old.metadata.uid ?? '' });
    assert.ok(oldSecret);
    await new ClientNodeKubeApi(fake.kubeConfig()).createSecret(namespace, oldSecret);
    fake.deferGarbageCollection(true);
    t.after(() => fake.deferGarbageCollection(false));
    await rig.executor.launch(sampleTask(jobId));
    fake.collectGarbage(); // The collector catches up with the deleted old Job.
    const job = fake.job(namespace, nameOf(jobId));
    assert.notEqual(job?.metadata.uid, old.metadata.uid);
    const secret = fake.secret(namespace, nameOf(jobId));
    assert.ok(secret, 'the new Job still has a token Secret');
    assert.deepEqual(secret.metadata.ownerReferences?.map((r) => r.uid), [job?.metadata.uid], 'owned by the new Job');
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
    fake.setJobStatus(namespace, nameOf(jobId), { failed: 2, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] });
    const exit = await rig.waitForExit(jobId);
    assert.equal(exit.stopReason, 'preempt');
    const result = attemptResult(storedJob(jobId), exit, undefined, { baseMs: 1000, maxMs: 1000 }, new Date());
    assert.deepEqual([result.state, result.state === 'queued' ? result.outcome : ''], ['queued', 'preempted']);
  });

  it('counts a Job that ran out of its deadline as a failed attempt, even when its last pod was disrupted', async (t) => {
    const rig = await startExecutor(t, fake);
    await rig.executor.launch(sampleTask(jobId));
    const job = fake.job(namespace, nameOf(jobId))!;
    fake.addPod(namespace, job, failedPod(`${nameOf(jobId)}-p`, 130, { disruption: 'PreemptionByScheduler' }));
    fake.setJobStatus(namespace, nameOf(jobId), { conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }] });
    const exit = await rig.waitForExit(jobId);
    assert.equal(exit.stopReason, undefined);
    assert.match(exit.stderrTail, /activeDeadlineSeconds/);
    const result = attemptResult(storedJob(jobId), exit, undefined, { baseMs: 1000, maxMs: 1000 }, new Date());
    assert.deepEqual([result.state, result.state === 'queued' ? result.outcome : ''], ['queued', 'failed'], 'a retry that uses an attempt');
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

  it('deletes a Job whose launch was cancelled while the create was on its way (nothing left unsupervised)', async (t) => {
    const rig = await startExecutor(t, fake);
    const hold = fake.holdNextJobCreate();
    const launching = rig.executor.launch(sampleTask(jobId));
    await hold.arrived;
    await rig.executor.stop(jobId, 'cancel'); // Its delete finds no Job yet (404).
    assert.equal((await rig.waitForExit(jobId)).stopReason, 'cancel');
    hold.release();
    await launching;
    assert.equal(fake.job(namespace, nameOf(jobId)), undefined, 'the Job created after the stop was deleted');
    assert.equal(fake.secret(namespace, nameOf(jobId)), undefined, 'and no token Secret was made for it');
    assert.deepEqual(rig.executor.running(), []);
    assert.equal(rig.exits.filter((e) => e.jobId === jobId).length, 1);
  });

  it('leaves the Job running when the control plane lost the job\'s lease (another adopts it), also mid-create', async (t) => {
    const rig = await startExecutor(t, fake);
    await rig.executor.launch(sampleTask(jobId));
    const uid = fake.job(namespace, nameOf(jobId))?.metadata.uid;
    await rig.executor.stop(jobId, 'lease-lost');
    const exit = await rig.waitForExit(jobId);
    assert.equal(exit.stopReason, 'lease-lost');
    assert.equal(fake.job(namespace, nameOf(jobId))?.metadata.uid, uid, 'not deleted');
    assert.deepEqual(rig.executor.running(), []);
    fake.setJobStatus(namespace, nameOf(jobId), complete);
    await sleep(100);
    assert.equal(rig.exits.filter((e) => e.jobId === jobId).length, 1, 'no longer watched here');

    const second = `${jobId}-b`;
    const hold = fake.holdNextJobCreate();
    const launching = rig.executor.launch(sampleTask(second));
    await hold.arrived;
    await rig.executor.stop(second, 'lease-lost');
    hold.release();
    await launching;
    assert.ok(fake.job(namespace, nameOf(second)), 'a Job handed over mid-create is kept for its adopter');
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

  // Last: it reads every request the tests above made.
  it('needs exactly the rights the installed Role grants: nothing more, nothing unused', () => {
    const used = new Set<string>();
    for (const request of fake.requests) {
      const match = /^\/(?:apis\/(batch)\/v1|api\/v1)\/namespaces\/[^/]+\/([a-z]+)(\/[^/]+)?$/.exec(request.path);
      assert.ok(match, `an API path: ${request.path}`);
      const [, group = '', resource, name] = match;
      const verb = request.method === 'POST' ? 'create' : request.method === 'DELETE' ? 'delete' : name ? 'get' : request.query['watch'] === 'true' ? 'watch' : 'list';
      used.add(`${group}/${resource} ${verb}`);
    }
    const granted = new Set(controlPlaneRole(installOptionsSchema.parse({})).rules?.flatMap((rule) => (rule.resources ?? []).flatMap((resource) => rule.verbs.map((verb) => `${rule.apiGroups?.[0] ?? ''}/${resource} ${verb}`))));
    assert.deepEqual([...used].sort(), [...granted].sort());
  });
});

describe('retry generation', () => {
  it('stays the same across interrupted relaunches of an attempt and grows with each retry by hand', () => {
    const rows = (...counts: boolean[]) => counts.map((c) => ({ counts: c }));
    assert.equal(retryGeneration(rows(true), 1), 0, 'first claim');
    assert.equal(retryGeneration(rows(false, true), 1), 0, 'attempt 1 again after an interruption');
    assert.equal(retryGeneration(rows(true, false, false, true), 2), 0, 'attempt 2 after a failure and two interruptions');
    assert.equal(retryGeneration(rows(true, true, true), 1), 2, 'retried by hand after two counted attempts');
    assert.equal(retryGeneration(rows(true, true, false, true), 1), 2, 'and interrupted in the new round');
  });
});
