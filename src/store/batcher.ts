// Group commit for createJob. Calls that arrive within one turn of the event loop, or while earlier
// batches are still being written, are written together in one transaction: a burst of webhooks
// then costs one commit (one fsync, one WAL append, one round trip) per batch instead of per job.
// A lone call waits only for the next turn of the event loop.

export interface BatcherOptions<I, O> {
  /** Writes the inputs in one transaction and answers in input order. */
  run(inputs: I[]): Promise<O[]>;
  maxBatch: number;
  /** Batches being written at once (PostgreSQL: connections this may hold). */
  maxInFlight: number;
}

export interface Batcher<I, O> {
  submit(input: I): Promise<O>;
  /** Resolves once everything submitted so far has been written. */
  drain(): Promise<void>;
}

interface Pending<I, O> {
  input: I;
  resolve(output: O): void;
  reject(error: unknown): void;
}

export function createBatcher<I, O>({ run, maxBatch, maxInFlight }: BatcherOptions<I, O>): Batcher<I, O> {
  const queue: Pending<I, O>[] = [];
  const idleWaiters: (() => void)[] = [];
  let inFlight = 0;
  let scheduled = false;

  function schedule(): void {
    if (scheduled || inFlight >= maxInFlight || queue.length === 0) return;
    scheduled = true;
    setImmediate(flush);
  }

  function flush(): void {
    scheduled = false;
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      inFlight += 1;
      void write(batch).finally(() => {
        inFlight -= 1;
        schedule();
        if (inFlight === 0 && queue.length === 0) idleWaiters.splice(0).forEach((wake) => wake());
      });
    }
  }

  async function write(batch: Pending<I, O>[]): Promise<void> {
    let outputs: O[];
    try {
      outputs = await run(batch.map((pending) => pending.input));
    } catch (error) {
      const [only] = batch;
      if (batch.length === 1 && only) return only.reject(error);
      // One bad input must not fail its neighbours: write them one by one.
      for (const pending of batch) await write([pending]);
      return;
    }
    batch.forEach((pending, i) => {
      const output = outputs[i];
      if (output === undefined) pending.reject(new Error('store: a batch answered fewer results than inputs'));
      else pending.resolve(output);
    });
  }

  return {
    submit(input) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ input, resolve, reject });
        schedule();
      });
    },
    drain() {
      if (inFlight === 0 && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
