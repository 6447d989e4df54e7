// The createJob group-commit batcher, without a database.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBatcher } from '../../src/store/batcher.ts';

describe('createBatcher', () => {
  it('writes calls made in one turn of the event loop as one batch, answering in order', async () => {
    const batches: number[][] = [];
    const batcher = createBatcher({ maxBatch: 100, maxInFlight: 1, run: async (inputs: number[]) => (batches.push(inputs), inputs.map((n) => n * 10)) });
    const results = await Promise.all([1, 2, 3, 4].map((n) => batcher.submit(n)));
    assert.deepEqual(results, [10, 20, 30, 40]);
    assert.deepEqual(batches, [[1, 2, 3, 4]]);
  });

  it('splits at maxBatch and never runs more than maxInFlight batches at once', async () => {
    let running = 0;
    let most = 0;
    const sizes: number[] = [];
    const batcher = createBatcher({
      maxBatch: 3,
      maxInFlight: 2,
      run: async (inputs: number[]) => {
        running += 1;
        most = Math.max(most, running);
        sizes.push(inputs.length);
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
        return inputs;
      },
    });
    const inputs = Array.from({ length: 10 }, (_, i) => i);
    assert.deepEqual(await Promise.all(inputs.map((n) => batcher.submit(n))), inputs);
    assert.equal(most, 2);
    assert.ok(sizes.every((size) => size <= 3));
    assert.equal(sizes.reduce((a, b) => a + b, 0), 10);
  });

  it('coalesces calls that arrive while a batch is being written', async () => {
    const batches: number[][] = [];
    const batcher = createBatcher({
      maxBatch: 100,
      maxInFlight: 1,
      run: async (inputs: number[]) => {
        batches.push(inputs);
        await new Promise((resolve) => setTimeout(resolve, 10));
        return inputs;
      },
    });
    const first = batcher.submit(1);
    await new Promise((resolve) => setTimeout(resolve, 2)); // the first batch is now in flight
    const rest = [2, 3, 4].map((n) => batcher.submit(n));
    await Promise.all([first, ...rest]);
    assert.deepEqual(batches, [[1], [2, 3, 4]]);
  });

  it('fails only the input that breaks a batch', async () => {
    const batcher = createBatcher({
      maxBatch: 100,
      maxInFlight: 1,
      run: async (inputs: string[]) => {
        if (inputs.includes('bad')) throw new Error('constraint violated');
        return inputs.map((s) => s.toUpperCase());
      },
    });
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((s) => batcher.submit(s)));
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason))), ['A', 'Error: constraint violated', 'C']);
  });

  it('drains: resolves once everything submitted is written', async () => {
    let written = 0;
    const batcher = createBatcher({
      maxBatch: 2,
      maxInFlight: 1,
      run: async (inputs: number[]) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        written += inputs.length;
        return inputs;
      },
    });
    await batcher.drain(); // idle: at once
    for (let i = 0; i < 5; i++) void batcher.submit(i);
    await batcher.drain();
    assert.equal(written, 5);
  });
});
