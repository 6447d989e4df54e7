// Job conditions and pod status → the job's phase and the WorkerExit the scheduler settles.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exitCodeFromMessage, jobPhase, jobRef, lastPodFailure, parseIndexSet } from '../../src/k8s/job-status.ts';
import { finishedJobExit, vanishedJobExit } from '../../src/executors/kubernetes/worker-exit.ts';

const cond = (type: string, reason?: string, message?: string) => ({ type, status: 'True', ...(reason ? { reason } : {}), ...(message ? { message } : {}) });
const ref = { unit: 'j', jobId: 'j', attempt: 1 };

describe('Job phase', () => {
  it('reads conditions: success, failure (also the early FailureTarget), suspension, running', () => {
    assert.deepEqual(jobPhase({ status: { conditions: [cond('SuccessCriteriaMet')] } }), { phase: 'succeeded' });
    assert.deepEqual(jobPhase({ status: { conditions: [cond('Complete')] } }), { phase: 'succeeded' });
    assert.deepEqual(jobPhase({ status: { conditions: [cond('FailureTarget', 'PodFailurePolicy', 'm')] } }), { phase: 'failed', reason: 'PodFailurePolicy', message: 'm' });
    assert.equal(jobPhase({ status: { conditions: [cond('Failed', 'DeadlineExceeded')] } }).phase, 'failed');
    assert.equal(jobPhase({ status: { conditions: [{ type: 'Failed', status: 'False' }], active: 1 } }).phase, 'running', 'a False condition is no condition');
    assert.equal(jobPhase({ spec: { suspend: true } }).phase, 'pending');
    assert.equal(jobPhase({ status: { active: 1 } }).phase, 'running');
    assert.equal(jobPhase({}).phase, 'pending');
  });

  it('finds job id, attempt and unit on the Job (a Job of before chunking is its job\'s whole-recording unit)', () => {
    assert.deepEqual(jobRef({ metadata: { annotations: { 'live2vod.io/job-id': 'Odd.Id' }, labels: { 'live2vod.io/attempt': '3' } } }), { jobId: 'Odd.Id', attempt: 3, unit: 'Odd.Id' });
    assert.deepEqual(jobRef({ metadata: { annotations: { 'live2vod.io/job-id': 'j', 'live2vod.io/unit': 'j/chunks' }, labels: { 'live2vod.io/attempt': '1' } } }), { jobId: 'j', attempt: 1, unit: 'j/chunks' });
    assert.equal(jobRef({ metadata: { labels: { 'live2vod.io/attempt': '3' } } }), undefined);
  });

  it('parses the exit code out of a PodFailurePolicy message', () => {
    assert.equal(exitCodeFromMessage('Container worker for pod ns/p failed with exit code 5 matching FailJob rule at index 1'), 5);
    assert.equal(exitCodeFromMessage('no code here'), undefined);
  });
});

describe('pod failures', () => {
  const pod = (name: string, finishedAt: string, terminated: Record<string, unknown>, conditions: Record<string, unknown>[] = []) => ({
    metadata: { name },
    status: { phase: 'Failed', conditions: conditions as never, containerStatuses: [{ name: 'worker', state: { terminated: { finishedAt, ...terminated } as never } }] },
  });

  it('takes the most recent failed pod, its exit code, reason, message and disruption', () => {
    const failure = lastPodFailure([
      pod('old', '2026-01-01T00:00:00Z', { exitCode: 1, reason: 'Error' }),
      pod('new', '2026-01-01T01:00:00Z', { exitCode: 130, reason: 'Error', message: 'exit 130: stopped' }, [cond('DisruptionTarget', 'EvictionByEvictionAPI', 'drained')]),
      { metadata: { name: 'running' }, status: { phase: 'Running' } },
    ]);
    assert.deepEqual(failure, { pod: 'new', exitCode: 130, reason: 'Error', message: 'exit 130: stopped', disruption: { reason: 'EvictionByEvictionAPI', message: 'drained' } });
    assert.equal(lastPodFailure([{ metadata: { name: 'ok' }, status: { phase: 'Succeeded' } }]), undefined);
  });
});

describe('WorkerExit of a finished Job', () => {
  it('is 0 for success, the FailJob exit code, the pod\'s code after backoff, never 0 for a failure', () => {
    assert.equal(finishedJobExit(ref, { status: { conditions: [cond('Complete')] } }, undefined).exitCode, 0);
    assert.equal(finishedJobExit(ref, { status: { conditions: [cond('Failed', 'PodFailurePolicy', 'Container worker for pod a/b failed with exit code 3 matching FailJob rule at index 1')] } }, undefined).exitCode, 3);
    assert.equal(finishedJobExit(ref, { status: { conditions: [cond('Failed', 'BackoffLimitExceeded')] } }, { pod: 'p', exitCode: 4 }).exitCode, 4);
    assert.equal(finishedJobExit(ref, { status: { conditions: [cond('Failed', 'BackoffLimitExceeded')] } }, undefined).exitCode, 1);
    assert.equal(finishedJobExit(ref, { status: { conditions: [cond('Failed', 'BackoffLimitExceeded')] } }, { pod: 'p', exitCode: 0 }).exitCode, 1);
  });

  it('is a kill for a deadline and an OOM, a preemption for a disruption', () => {
    const deadline = finishedJobExit(ref, { metadata: { name: 'n' }, status: { conditions: [cond('Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline')] } }, undefined);
    assert.deepEqual([deadline.exitCode, deadline.signal], [null, 'SIGKILL']);
    assert.match(deadline.stderrTail, /Job n failed: DeadlineExceeded/);
    const oom = finishedJobExit(ref, { status: { conditions: [cond('Failed', 'BackoffLimitExceeded')] } }, { pod: 'p', exitCode: 137, reason: 'OOMKilled' });
    assert.match(oom.stderrTail, /OOM-killed/);
    const disrupted = finishedJobExit(ref, { status: { conditions: [cond('Failed', 'BackoffLimitExceeded')] } }, { pod: 'p', exitCode: 130, disruption: { reason: 'PreemptionByScheduler', message: '' } });
    assert.equal(disrupted.stopReason, 'preempt');
    const outOfTime = finishedJobExit(ref, { status: { conditions: [cond('Failed', 'DeadlineExceeded')] } }, { pod: 'p', exitCode: 130, disruption: { reason: 'PreemptionByScheduler', message: '' } });
    assert.deepEqual([outOfTime.stopReason, outOfTime.signal], [undefined, 'SIGKILL'], 'a deadline is a deadline, disrupted pod or not: never a free requeue');
    assert.throws(() => finishedJobExit(ref, { status: { active: 1 } }, undefined), /has not finished/);
    assert.match(vanishedJobExit(ref, 'n').stderrTail, /deleted outside live2vod/);
  });
});

describe('Indexed Jobs (all chunks of an attempt)', () => {
  const indexedPod = (name: string, index: number, finishedAt: string, terminated: Record<string, unknown>, conditions: Record<string, unknown>[] = []) => ({
    metadata: { name, labels: { 'batch.kubernetes.io/job-completion-index': String(index) } },
    status: { phase: 'Failed', conditions: conditions as never, containerStatuses: [{ name: 'worker', state: { terminated: { finishedAt, ...terminated } as never } }] },
  });
  const group = (status: Record<string, unknown>) => ({ metadata: { name: 'live2vod-j-a1-chunks' }, spec: { completionMode: 'Indexed', completions: 6 }, status });
  const groupRef = { unit: 'j/chunks', jobId: 'j', attempt: 1 };

  it('reads index sets as the Job controller writes them', () => {
    assert.deepEqual(parseIndexSet('1,3-5'), [1, 3, 4, 5]);
    assert.deepEqual(parseIndexSet('0'), [0]);
    assert.deepEqual(parseIndexSet(''), []);
    assert.deepEqual(parseIndexSet(undefined), []);
    assert.throws(() => parseIndexSet('1,x'), /not a list of indexes/);
    assert.throws(() => parseIndexSet('5-3'), /not a list of indexes/);
  });

  it('explains a failure by the pods of the failed indexes, not a disrupted pod of another index', () => {
    const pods = [
      indexedPod('bad', 3, '2026-01-01T00:00:00Z', { exitCode: 3, reason: 'Error', message: 'exit 3: not a media file' }),
      indexedPod('reclaimed', 1, '2026-01-01T01:00:00Z', { exitCode: 130, reason: 'Error' }, [cond('DisruptionTarget', 'DeletionByTaintManager', 'spot reclaim')]),
    ];
    assert.equal(lastPodFailure(pods)?.pod, 'reclaimed', 'without indexes: the latest');
    assert.deepEqual(lastPodFailure(pods, [3]), { pod: 'bad', index: 3, exitCode: 3, reason: 'Error', message: 'exit 3: not a media file' });
  });

  it('ends once: success without failed indexes; failure with failedIndexes and the failed chunk\'s exit code', () => {
    const ok = finishedJobExit(groupRef, group({ completedIndexes: '0-5', succeeded: 6, conditions: [cond('SuccessCriteriaMet'), cond('Complete')] }), undefined);
    assert.deepEqual({ unit: ok.unit, exitCode: ok.exitCode, failedIndexes: ok.failedIndexes }, { unit: 'j/chunks', exitCode: 0, failedIndexes: undefined });
    const failed = finishedJobExit(groupRef, group({ completedIndexes: '0-2,4', failedIndexes: '3', conditions: [cond('FailureTarget', 'MaxFailedIndexesExceeded', 'Job has exceeded the specified maximal number of failed indexes')] }), { pod: 'bad', index: 3, exitCode: 3, message: 'exit 3: not a media file' });
    assert.deepEqual(failed.failedIndexes, [3]);
    assert.equal(failed.exitCode, 3, 'bad input: the scheduler fails the job without retrying');
    assert.match(failed.stderrTail, /pod bad \(chunk 3\) exited with code 3/);
    assert.match(failed.stderrTail, /4 of 6 chunks completed; failed chunks: 3/);
    const unreadable = finishedJobExit(groupRef, group({ failedIndexes: 'garbage', conditions: [cond('Failed', 'MaxFailedIndexesExceeded')] }), undefined);
    assert.equal(unreadable.failedIndexes, undefined);
    assert.match(unreadable.stderrTail, /status.failedIndexes unreadable/);
    assert.equal(unreadable.exitCode, 1);
  });
});
