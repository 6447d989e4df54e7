// Job conditions and pod status → the job's phase and the WorkerExit the scheduler settles.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exitCodeFromMessage, jobPhase, jobRef, lastPodFailure } from '../../src/k8s/job-status.ts';
import { finishedJobExit, vanishedJobExit } from '../../src/k8s/worker-exit.ts';

const cond = (type: string, reason?: string, message?: string) => ({ type, status: 'True', ...(reason ? { reason } : {}), ...(message ? { message } : {}) });
const ref = { jobId: 'j', attempt: 1 };

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

  it('finds job id and attempt on the Job', () => {
    assert.deepEqual(jobRef({ metadata: { annotations: { 'live2vod.io/job-id': 'Odd.Id' }, labels: { 'live2vod.io/attempt': '3' } } }), { jobId: 'Odd.Id', attempt: 3 });
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
