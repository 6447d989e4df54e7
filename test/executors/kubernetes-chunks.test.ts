// Chunked attempts on the KubernetesExecutor against the FAKE API server: every stage's task as a
// Job of its own unit (split, stitch), all chunks as ONE Indexed Job driven by the FAKE
// Indexed Job controller (test/k8s/fake-indexed-job-controller.ts), which follows the Job's own
// spec — so a retryable failure is retried for its index alone, a permanent one fails the group at
// once, a disrupted pod costs no retry — and adoption, the orphan sweep, retry generations and stop
// per unit.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ExitCode } from '../../src/errors/index.ts';
import type { Job } from '../../src/jobs/job.ts';
import { attemptResult } from '../../src/jobs/retry-policy.ts';
import { buildChunkGroupJob } from '../../src/k8s/chunk-group-job.ts';
import { waitFor } from '../helpers/serve.ts';
import { FakeIndexedJobController } from '../k8s/fake-indexed-job-controller.ts';
import { FakeKubeApi } from '../k8s/fake-kube-api.ts';
import { chunkTasks, complete, executorConfig, namespace, stageTask, startExecutor } from './kubernetes-rig.ts';

let fake: FakeKubeApi;
let seq = 0;
let jobId = '';

before(async () => {
  fake = await FakeKubeApi.start();
});
after(() => fake.close());
beforeEach(() => {
  jobId = `chunked-${++seq}`;
});

const groupName = (id: string, attempt = 1) => `live2vod-${id}-a${attempt}-chunks`;

function storedJob(id: string): Job {
  const now = new Date().toISOString();
  return { id, seq: 1, kind: 'transcode', idempotencyKey: id, source: 's3://x', sourceKind: 'api', priority: 'normal', state: 'running', progress: 0, attempts: 1, maxAttempts: 3, outputPrefix: `assets/${id}`, metadata: {}, sourceFacts: {}, cancelRequested: false, createdAt: now, updatedAt: now };
}

type Spec = { template: { spec: { containers: { resources: { requests: Record<string, string> } }[] } }; activeDeadlineSeconds: number };

describe('chunked attempts on Kubernetes', () => {
  it('runs the split and the stitch as Jobs of their own units, sized for what they do, each ending with its unit', async (t) => {
    const rig = await startExecutor(t, fake);
    const facts = { durationSeconds: 3600, bytes: 2_700_000_000 };
    for (const stage of ['split', 'stitch'] as const) await rig.executor.launch(stageTask(jobId, stage), { priority: 'normal', facts });
    assert.deepEqual(rig.executor.running().sort(), [`${jobId}/split`, `${jobId}/stitch`]);
    const cpu = (stage: string) => (fake.job(namespace, `live2vod-${jobId}-a1-${stage}`)?.spec as Spec | undefined)?.template.spec.containers[0]?.resources.requests['cpu'];
    assert.deepEqual([cpu('split'), cpu('stitch')], ['1', '2'], 'no video encode: small requests');
    const labels = fake.job(namespace, `live2vod-${jobId}-a1-split`)?.metadata.labels;
    assert.equal(labels?.['live2vod.io/stage'], 'split');
    assert.equal(fake.job(namespace, `live2vod-${jobId}-a1-split`)?.metadata.annotations?.['live2vod.io/unit'], `${jobId}/split`);
    fake.setJobStatus(namespace, `live2vod-${jobId}-a1-split`, complete);
    const exit = await rig.waitForUnit(`${jobId}/split`);
    assert.deepEqual({ unit: exit.unit, jobId: exit.jobId, exitCode: exit.exitCode }, { unit: `${jobId}/split`, jobId, exitCode: 0 });
    assert.deepEqual(rig.executor.running(), [`${jobId}/stitch`], 'the other runs on');
    await rig.executor.stop(`${jobId}/stitch`, 'cancel');
    assert.equal(fake.job(namespace, `live2vod-${jobId}-a1-stitch`), undefined, 'stop deletes that unit\'s Job');
    assert.ok(fake.job(namespace, `live2vod-${jobId}-a1-split`), 'and only that one');
    assert.equal((await rig.waitForUnit(`${jobId}/stitch`)).stopReason, 'cancel');
  });

  it('runs all chunks as one Indexed Job; a chunk failing once is retried alone and the group ends once, succeeded', async (t) => {
    const rig = await startExecutor(t, fake, { config: { chunks: { parallelism: 2, backoffLimitPerIndex: 1 } } });
    await rig.executor.launchGroup(chunkTasks(jobId, 4), { priority: 'low', facts: { durationSeconds: 1440 } });
    assert.deepEqual(rig.executor.running(), [`${jobId}/chunks`]);
    assert.equal(fake.jobs(namespace).filter((j) => j.metadata.name.startsWith(`live2vod-${jobId}-`)).length, 1, 'one Job for four chunks');
    const secret = fake.secret(namespace, groupName(jobId));
    assert.ok(secret, 'one token Secret for the group');

    const controller = new FakeIndexedJobController(fake, namespace, groupName(jobId));
    controller.start();
    assert.deepEqual(controller.running(), [0, 1], 'parallelism 2');
    controller.succeed(0);
    controller.fail(1, ExitCode.internal, { message: 'exit 1: ffmpeg crashed' });
    assert.deepEqual(controller.running(), [1, 2], 'index 1 runs again, beside the next chunk');
    controller.succeed(1);
    controller.succeed(2);
    controller.succeed(3);
    const exit = await rig.waitForUnit(`${jobId}/chunks`);
    assert.deepEqual({ unit: exit.unit, exitCode: exit.exitCode, failedIndexes: exit.failedIndexes }, { unit: `${jobId}/chunks`, exitCode: 0, failedIndexes: undefined });
    assert.deepEqual(controller.podsByIndex.map((pods) => pods.length), [1, 2, 1, 1], 'only the failed chunk ran twice');
    assert.equal(rig.exits.length, 1, 'the group ends once');
  });

  it('fails the group at once when a chunk exits with a permanent code, naming the failed index and why', async (t) => {
    const rig = await startExecutor(t, fake, { config: { chunks: { parallelism: 3, backoffLimitPerIndex: 2 } } });
    await rig.executor.launchGroup(chunkTasks(jobId, 3));
    const controller = new FakeIndexedJobController(fake, namespace, groupName(jobId));
    controller.start();
    controller.succeed(0);
    controller.fail(1, ExitCode.badInput, { message: 'exit 3: chunk 1: the source has no frames after 360 s' });
    const exit = await rig.waitForUnit(`${jobId}/chunks`);
    assert.deepEqual(exit.failedIndexes, [1]);
    assert.equal(exit.exitCode, ExitCode.badInput);
    assert.match(exit.stderrTail, /\(chunk 1\) exited with code 3/);
    assert.match(exit.stderrTail, /no frames after 360 s/);
    assert.match(exit.stderrTail, /1 of 3 chunks completed; failed chunks: 1/);
    assert.match(exit.stderrTail, /MaxFailedIndexesExceeded/);
    assert.equal(controller.podsByIndex[1]?.length, 1, 'no retry of a permanent failure');
    assert.equal(attemptResult(storedJob(jobId), exit, undefined, { baseMs: 1000, maxMs: 1000 }, new Date()).state, 'failed', 'the scheduler fails the job');
  });

  it('does not count a disrupted chunk pod (preempted, spot reclaim) against its retries', async (t) => {
    const rig = await startExecutor(t, fake, { config: { chunks: { parallelism: 2, backoffLimitPerIndex: 0 } } });
    await rig.executor.launchGroup(chunkTasks(jobId, 2));
    const controller = new FakeIndexedJobController(fake, namespace, groupName(jobId));
    controller.start();
    controller.fail(1, ExitCode.cancelled, { disruption: 'PreemptionByScheduler' });
    controller.fail(1, ExitCode.cancelled, { disruption: 'DeletionByTaintManager' });
    assert.deepEqual(controller.running(), [0, 1], 'replaced twice with no retries allowed');
    controller.succeed(0);
    controller.succeed(1);
    const exit = await rig.waitForUnit(`${jobId}/chunks`);
    assert.equal(exit.exitCode, 0);
  });

  it('retries a chunk that keeps failing up to backoffLimitPerIndex, then fails the group as retryable', async (t) => {
    const rig = await startExecutor(t, fake, { config: { chunks: { parallelism: 2, backoffLimitPerIndex: 1 } } });
    await rig.executor.launchGroup(chunkTasks(jobId, 2));
    const controller = new FakeIndexedJobController(fake, namespace, groupName(jobId));
    controller.start();
    controller.fail(0, 137);
    controller.fail(0, 137);
    const exit = await rig.waitForUnit(`${jobId}/chunks`);
    assert.deepEqual(exit.failedIndexes, [0]);
    assert.equal(exit.exitCode, 137);
    assert.equal(attemptResult(storedJob(jobId), exit, undefined, { baseMs: 1000, maxMs: 1000 }, new Date()).state, 'queued', 'the attempt is retried (its finished chunks are kept by the work area)');
  });

  it('adopts a running group after a control-plane restart and reports its end', async (t) => {
    const tasks = chunkTasks(jobId, 3);
    const first = await startExecutor(t, fake);
    await first.executor.launchGroup(tasks, { priority: 'high', facts: {} });
    const uid = fake.job(namespace, groupName(jobId))?.metadata.uid;
    const controller = new FakeIndexedJobController(fake, namespace, groupName(jobId));
    controller.start();
    controller.succeed(0);
    await first.executor.close();
    assert.equal((await first.waitForUnit(`${jobId}/chunks`)).stopReason, 'shutdown', 'left running for the next owner');
    assert.ok(fake.job(namespace, groupName(jobId)), 'the Job runs on');

    const second = await startExecutor(t, fake, { isWanted: async () => true });
    await second.executor.launchGroup(tasks, { priority: 'high', facts: {} });
    assert.equal(fake.job(namespace, groupName(jobId))?.metadata.uid, uid, 'adopted, not replaced');
    assert.ok(second.logs.some((l) => l.message === 'adopted existing worker Job' && l.fields['unit'] === `${jobId}/chunks`));
    controller.succeed(1);
    controller.succeed(2);
    assert.equal((await second.waitForUnit(`${jobId}/chunks`)).exitCode, 0);
  });

  it('replaces a group Job of an earlier retry by hand; deletes an unwanted one on list, asking by unit', async (t) => {
    const old = fake.seedJob(namespace, buildChunkGroupJob({ tasks: chunkTasks(jobId, 2), priority: 'normal', facts: {}, config: executorConfig(), retryGeneration: 0 }).job);
    const rig = await startExecutor(t, fake, { retryGeneration: async () => 1, isWanted: async () => true });
    await rig.executor.launchGroup(chunkTasks(jobId, 2));
    assert.notEqual(fake.job(namespace, groupName(jobId))?.metadata.uid, old.metadata.uid);
    assert.equal(fake.job(namespace, groupName(jobId))?.metadata.annotations?.['live2vod.io/retry-generation'], '1');

    const orphan = `${jobId}-orphan`;
    fake.seedJob(namespace, buildChunkGroupJob({ tasks: chunkTasks(orphan, 2), priority: 'normal', facts: {}, config: executorConfig() }).job);
    const asked: { jobId: string; attempt: number; unit: string }[] = [];
    await startExecutor(t, fake, { isWanted: async (ref) => { asked.push(ref); return ref.jobId !== orphan; } });
    await waitFor('the orphan group deleted', () => fake.job(namespace, groupName(orphan)) === undefined, { timeoutMs: 5000, intervalMs: 10 });
    assert.ok(asked.some((r) => r.jobId === orphan && r.unit === `${orphan}/chunks` && r.attempt === 1));
  });

  it('stops a group on cancel by deleting its one Job; refuses tasks that are not one attempt\'s chunks, tracking nothing', async (t) => {
    const rig = await startExecutor(t, fake);
    await rig.executor.launchGroup(chunkTasks(jobId, 3));
    await rig.executor.stop(`${jobId}/chunks`, 'cancel');
    assert.equal(fake.job(namespace, groupName(jobId)), undefined);
    const exit = await rig.waitForUnit(`${jobId}/chunks`);
    assert.deepEqual([exit.stopReason, exit.unit], ['cancel', `${jobId}/chunks`]);

    const mixed = chunkTasks(`${jobId}-mixed`, 3);
    mixed[2] = { ...mixed[2]!, plan: 'another-plan-0123456789' };
    await assert.rejects(rig.executor.launchGroup(mixed), /chunk task 2 differs from chunk 0 in more than its time range/);
    await assert.rejects(rig.executor.launchGroup([]), /got none/);
    assert.deepEqual(rig.executor.running(), []);
    assert.equal(fake.job(namespace, groupName(`${jobId}-mixed`)), undefined);
  });
});
