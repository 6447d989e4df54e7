// The handler-map pattern of src/pipeline/stage-handlers.ts with more than one stage, as the task
// union will have: each handler receives its own member, dispatch needs no cast, and a map missing
// a stage does not compile (tsc checks this file; the test only runs the dispatch).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

type Task = { stage: 'full'; output: string } | { stage: 'chunk'; index: number; count: number } | { stage: 'stitch'; chunks: number };
type Stage = Task['stage'];
type TaskOf<S extends Stage> = Extract<Task, { stage: S }>;
type Handlers = { [S in Stage]: (task: TaskOf<S>) => Promise<string> };

// The same shape as runWith in stage-handlers.ts.
function runWith<S extends Stage>(handlers: Handlers, stage: S, task: TaskOf<S>): Promise<string> {
  const handler: (task: TaskOf<S>) => Promise<string> = handlers[stage];
  return handler(task);
}
const run = (handlers: Handlers, task: Task) => runWith(handlers, task.stage, task);

const handlers: Handlers = {
  full: async (task) => task.output,
  chunk: async (task) => `${task.index + 1}/${task.count}`,
  stitch: async (task) => `${task.chunks} chunks`,
};

// @ts-expect-error -- no handler for `stitch`
const incomplete: Handlers = { full: async (task) => task.output, chunk: async (task) => String(task.index) };
// @ts-expect-error -- the chunk handler cannot read a full task's field
const mismatched: Handlers = { ...handlers, chunk: async (task) => task.output };

describe('a handler map over a union of several stages', () => {
  it('dispatches each task to its stage\'s handler', async () => {
    assert.equal(await run(handlers, { stage: 'full', output: '/out' }), '/out');
    assert.equal(await run(handlers, { stage: 'chunk', index: 2, count: 8 }), '3/8');
    assert.equal(await run(handlers, { stage: 'stitch', chunks: 8 }), '8 chunks');
    assert.ok(incomplete && mismatched);
  });
});
