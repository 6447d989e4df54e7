// Stopping: each StopReason comes back in the exit; an unknown unit is a no-op; a second stop of a
// unit being stopped asks its worker nothing more; close() stops everything.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { StopReason } from '../../../src/executors/executor.ts';
import { fullTask, newJobId, stageTask, type Suite } from './fixtures.ts';

const reasons: StopReason[] = ['cancel', 'preempt', 'shutdown', 'lease-lost'];

export function stopTests(suite: Suite): void {
  it(`reports the reason of a stop in the exit (${reasons.join(', ')})`, async () => {
    const underTest = suite.current();
    const { executor } = underTest;
    const units = reasons.map(() => newJobId());
    // Capacity 3: the fourth starts once the first has been stopped.
    for (const [i, reason] of reasons.entries()) {
      const unit = units[i]!;
      await executor.launch(fullTask(unit, 1 + i));
      await underTest.started(unit);
      await executor.stop(unit, reason);
      const exit = await suite.exitOf(unit);
      assert.deepEqual([exit.unit, exit.jobId, exit.attempt, exit.stopReason], [unit, unit, 1 + i, reason], `stop(${reason})`);
      assert.notEqual(exit.exitCode, 0, 'a stopped worker did not succeed');
      assert.ok(!executor.running().includes(unit));
    }
  });

  it('a stop of a unit it does not run is a no-op', async () => {
    const underTest = suite.current();
    const { executor } = underTest;
    const jobId = newJobId();
    await executor.launch(fullTask(jobId));
    await underTest.started(jobId);
    await executor.stop(`${jobId}/split`, 'cancel');
    await executor.stop(newJobId(), 'cancel');
    assert.deepEqual(executor.running(), [jobId]);
    assert.equal(underTest.stopRequests(jobId), 0);
    assert.deepEqual(suite.exits(), []);
  });

  it('a second stop while the first is under way, or after the exit, asks the worker nothing more', async () => {
    const underTest = suite.current();
    const { executor } = underTest;
    const unit = `${newJobId()}/stitch`;
    await executor.launch(stageTask(unit.split('/')[0]!, 'stitch'));
    await underTest.started(unit);
    // Both calls before either can finish: the second finds the first under way.
    const stops = [executor.stop(unit, 'cancel'), executor.stop(unit, 'preempt')];
    const results = await Promise.allSettled(stops);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled']);
    const exit = await suite.exitOf(unit);
    assert.equal(exit.stopReason, 'cancel', 'the first reason is the one reported');
    assert.equal(underTest.stopRequests(unit), 1, 'one stop request reached the worker');
    await executor.stop(unit, 'shutdown');
    assert.equal(underTest.stopRequests(unit), 1, 'nothing after the exit either');
    assert.equal(suite.exits().filter((e) => e.unit === unit).length, 1, 'one exit');
  });

  it('close() stops every worker, reporting each as stopped for shutdown', async () => {
    const underTest = suite.current();
    const { executor } = underTest;
    const jobId = newJobId();
    const units = [jobId, `${jobId}-b/split`];
    await executor.launch(fullTask(jobId));
    await executor.launch(stageTask(`${jobId}-b`, 'split'));
    for (const unit of units) await underTest.started(unit);
    await executor.close();
    assert.deepEqual(executor.running(), []);
    assert.deepEqual(suite.exits().map((e) => [e.unit, e.stopReason]).sort(), units.map((u) => [u, 'shutdown']).sort());
  });
}
