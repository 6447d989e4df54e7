// launchGroup, where an executor has it (Kubernetes: an Indexed Job): all chunks of an attempt run
// as one unit, `<job>/chunks`, in one slot, and end once.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { chunkGroupKey } from '../../../src/jobs/work-unit.ts';
import { chunkTasks, fullTask, newJobId, type Suite } from './fixtures.ts';

export function groupTests(suite: Suite, hasGroups: boolean): void {
  const skip = hasGroups ? false : 'this executor has no launchGroup: the scheduler launches each chunk on its own';

  it(`${hasGroups ? 'has' : 'has no'} launchGroup, as its factory says`, () => {
    assert.equal(typeof suite.current().executor.launchGroup === 'function', hasGroups);
  });

  it('launchGroup runs all chunks of an attempt as one unit in one slot, which ends once', { skip }, async () => {
    const underTest = suite.current();
    const { executor } = underTest;
    assert.ok(executor.launchGroup);
    const jobId = newJobId();
    const group = chunkGroupKey(jobId);
    await executor.launchGroup(chunkTasks(jobId, 5, 2));
    assert.deepEqual(executor.running(), [group], 'one unit for five chunks');
    await executor.launch(fullTask(newJobId()));
    assert.equal(executor.running().length, 2, 'the group took one slot');
    await underTest.started(group);
    await underTest.finish(group, 0);
    const exit = await suite.exitOf(group);
    assert.deepEqual([exit.unit, exit.jobId, exit.attempt, exit.exitCode], [group, jobId, 2, 0]);
    assert.equal(suite.exits().filter((e) => e.unit === group).length, 1);
  });

  it('a group is stopped as one unit, with the reason in its exit', { skip }, async () => {
    const underTest = suite.current();
    const { executor } = underTest;
    assert.ok(executor.launchGroup);
    const jobId = newJobId();
    const group = chunkGroupKey(jobId);
    await executor.launchGroup(chunkTasks(jobId, 3));
    await underTest.started(group);
    await executor.stop(group, 'preempt');
    const exit = await suite.exitOf(group);
    assert.deepEqual([exit.unit, exit.stopReason], [group, 'preempt']);
    assert.equal(underTest.stopRequests(group), 1);
    assert.deepEqual(executor.running(), []);
  });

  it('refuses a group without tasks', { skip }, async () => {
    const { executor } = suite.current();
    assert.ok(executor.launchGroup);
    await assert.rejects(executor.launchGroup([]), /got none/);
  });
}
