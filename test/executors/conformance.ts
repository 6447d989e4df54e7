// The Executor conformance suite: every Executor must pass it (the scheduler does not know which one
// it talks to). Each test gets a fresh executor from the factory with capacity 3; its exits are
// recorded from the start, and its cleanup runs afterwards.
import { afterEach, beforeEach, describe } from 'node:test';
import type { WorkerExit } from '../../src/executors/executor.ts';
import { capacity, waitForExit, type ExecutorFactory, type ExecutorUnderTest, type Suite } from './conformance/fixtures.ts';
import { groupTests } from './conformance/groups.ts';
import { launchTests } from './conformance/launch.ts';
import { stopTests } from './conformance/stop.ts';

export type { ExecutorFactory, ExecutorUnderTest } from './conformance/fixtures.ts';

export function runExecutorConformance(name: string, factory: ExecutorFactory, options: { groups: boolean }): void {
  describe(`${name} executor conformance`, () => {
    let current: ExecutorUnderTest | undefined;
    let exits: WorkerExit[] = [];
    beforeEach(async () => {
      exits = [];
      current = await factory({ capacity });
      current.executor.onExit((exit) => exits.push(exit));
    });
    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    const suite: Suite = {
      current: () => {
        if (!current) throw new Error('no executor: used outside a test');
        return current;
      },
      exits: () => exits,
      exitOf: (unit) => waitForExit(() => exits, unit),
    };
    launchTests(suite);
    stopTests(suite);
    groupTests(suite, options.groups);
  });
}
