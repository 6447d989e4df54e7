// Launching: unit keys in running(), one exit per worker with its unit, attempt and exit code, and
// no more workers than `capacity`.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { unitKey } from '../../../src/jobs/work-unit.ts';
import { capacity, chunkTasks, fullTask, newJobId, stageTask, type Suite } from './fixtures.ts';

export function launchTests(suite: Suite): void {
  it('knows each worker by its unit key: the job id for a whole recording, <job>/<stage> for a stage', async () => {
    const { executor } = suite.current();
    const [a, b] = [newJobId(), newJobId()];
    const tasks = [fullTask(a), stageTask(b, 'split', 2), chunkTasks(b, 4, 2)[3]!];
    for (const task of tasks) await executor.launch(task);
    assert.deepEqual(executor.running().sort(), [a, `${b}/split`, `${b}/chunk-3`].sort());
    assert.deepEqual(tasks.map(unitKey).sort(), executor.running().sort(), 'the keys of src/jobs/work-unit.ts');
  });

  it('refuses a second launch of a unit that runs', async () => {
    const { executor } = suite.current();
    const jobId = newJobId();
    await executor.launch(stageTask(jobId, 'stitch'));
    await assert.rejects(executor.launch(stageTask(jobId, 'stitch')), /already running/);
    assert.deepEqual(executor.running(), [`${jobId}/stitch`]);
  });

  it('reports an exit once, with the unit, job, attempt and exit code of the worker', async () => {
    const underTest = suite.current();
    const { executor } = underTest;
    const [ok, bad, later] = [newJobId(), newJobId(), newJobId()];
    await executor.launch(fullTask(ok, 2));
    await executor.launch(stageTask(bad, 'stitch', 3));
    await underTest.started(ok);
    await underTest.started(`${bad}/stitch`);
    await underTest.finish(ok, 0);
    await underTest.finish(`${bad}/stitch`, 3);
    const okExit = await suite.exitOf(ok);
    const badExit = await suite.exitOf(`${bad}/stitch`);
    assert.deepEqual([okExit.unit, okExit.jobId, okExit.attempt, okExit.exitCode, okExit.stopReason], [ok, ok, 2, 0, undefined]);
    assert.deepEqual([badExit.unit, badExit.jobId, badExit.attempt, badExit.exitCode, badExit.stopReason], [`${bad}/stitch`, bad, 3, 3, undefined]);
    assert.equal(typeof badExit.stderrTail, 'string');
    assert.deepEqual(executor.running(), [], 'an ended worker is no longer running');
    // A worker launched and ended after them: a second report of theirs would have come before its.
    await executor.launch(fullTask(later));
    await underTest.started(later);
    await underTest.finish(later, 0);
    await suite.exitOf(later);
    const units = suite.exits().map((e) => e.unit);
    assert.deepEqual(units.slice(0, 2).sort(), [ok, `${bad}/stitch`].sort());
    assert.deepEqual(units.slice(2), [later], 'one exit each: no second report came before the later worker\'s');
  });

  it(`refuses a launch beyond its capacity (${capacity}) and takes one again once a worker ended`, async () => {
    const underTest = suite.current();
    const { executor } = underTest;
    assert.equal(executor.capacity, capacity);
    const ids = Array.from({ length: capacity + 1 }, newJobId);
    for (const id of ids.slice(0, capacity)) await executor.launch(fullTask(id));
    const last = ids[capacity]!;
    await assert.rejects(executor.launch(fullTask(last)), /slot/);
    assert.equal(executor.running().length, capacity);
    assert.ok(!executor.running().includes(last));
    await underTest.started(ids[0]!);
    await underTest.finish(ids[0]!, 0);
    await suite.exitOf(ids[0]!);
    await executor.launch(fullTask(last));
    assert.ok(executor.running().includes(last));
  });
}
