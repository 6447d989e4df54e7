// Times each step and reports its start and end.
import type { EventSink, StepName } from './events.ts';

export class Stopwatch {
  readonly timingsMs: Record<string, number> = {};
  readonly #emit: EventSink;

  constructor(emit: EventSink) {
    this.#emit = emit;
  }

  async step<T>(name: StepName, action: () => Promise<T>): Promise<T> {
    const started = performance.now();
    this.#emit({ type: 'step', step: name, state: 'start' });
    const result = await action();
    const ms = Math.round(performance.now() - started);
    this.timingsMs[name] = ms;
    this.#emit({ type: 'step', step: name, state: 'end', ms });
    return result;
  }
}
