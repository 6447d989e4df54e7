// Keeps the last bytes of a process's stderr: enough to explain a failure, bounded in memory.

export class StderrTail {
  #text = '';
  readonly #limit: number;

  constructor(limitBytes = 16_384) {
    this.#limit = limitBytes;
  }

  push(chunk: string): void {
    this.#text += chunk;
    if (this.#text.length > this.#limit * 2) this.#text = this.#text.slice(-this.#limit);
  }

  /** The last `lines` non-empty lines. */
  lines(lines = 15): string {
    return this.#text.slice(-this.#limit).split('\n').map((l) => l.trimEnd()).filter((l) => l !== '').slice(-lines).join('\n');
  }

  get text(): string {
    return this.#text.slice(-this.#limit);
  }
}
