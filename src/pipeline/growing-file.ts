// Reads a file that another process (ffmpeg) is still appending to, so that its start can be
// packaged while its end is being encoded. A read waits until the bytes it asks for exist; once
// the writer is done, a read past the end comes back short, as on any complete file, so the MP4
// readers report a truncated file exactly as they would after the encode. The file may not exist
// yet at first (ffmpeg creates its outputs a moment after it starts).
//
// The writer must only append: bytes once in the file never change. ffmpeg's fragmented MP4 output
// (empty_moov, each moof + mdat written whole, the mfra last) is written that way.

import { open, type FileHandle } from 'node:fs/promises';
import { readUpTo, type ByteSource } from '../media/mp4/file-boxes.ts';

export interface GrowingFileOptions {
  /**
   * Settles when the writer has finished: fulfilled when it succeeded (the file now has its final
   * size), rejected when it failed (reads then reject with a WriterFailedError). `finish()` and
   * `fail()` say the same from outside.
   */
  writerDone?: Promise<void>;
  /** Aborting it rejects pending and later reads with the signal's reason. */
  signal?: AbortSignal;
  /** How often the size is looked at while a read waits; 100 ms by default. */
  pollMs?: number;
}

/** The writer of a growing file failed before finishing it; `cause` is its error. */
export class WriterFailedError extends Error {
  readonly path: string;
  constructor(path: string, cause: unknown) {
    super(`${path}: its writer failed before finishing it`, { cause });
    this.name = 'WriterFailedError';
    this.path = path;
  }
}

type WriterState = { state: 'writing' } | { state: 'done' } | { state: 'failed'; error: WriterFailedError };

export class GrowingFile implements ByteSource {
  readonly path: string;
  readonly #signal: AbortSignal | undefined;
  readonly #pollMs: number;
  #writer: WriterState = { state: 'writing' };
  #handle: FileHandle | undefined;
  #opening: Promise<FileHandle | undefined> | undefined;
  /** The largest size seen so far. */
  #known = 0;
  /** The size once the writer is done. */
  #final: number | undefined;
  #closed = false;
  /** Resolvers of the sleeps in progress: finishing, failing and aborting wake them at once. */
  readonly #sleepers = new Set<() => void>();
  readonly #onAbort = (): void => this.#wake();

  constructor(path: string, options: GrowingFileOptions = {}) {
    this.path = path;
    this.#signal = options.signal;
    this.#pollMs = options.pollMs ?? 100;
    options.signal?.addEventListener('abort', this.#onAbort, { once: true });
    options.writerDone?.then(() => this.finish(), (error: unknown) => this.fail(error));
  }

  /** The writer is done: the file has its final size. */
  finish(): void {
    if (this.#writer.state !== 'writing') return;
    this.#writer = { state: 'done' };
    this.#wake();
  }

  /** The writer failed: reads reject from now on with a WriterFailedError caused by `error`. */
  fail(error: unknown): void {
    if (this.#writer.state !== 'writing') return;
    this.#writer = { state: 'failed', error: new WriterFailedError(this.path, error) };
    this.#wake();
  }

  /** Whether the writer is done (successfully). */
  get finished(): boolean {
    return this.#writer.state === 'done';
  }

  /**
   * Resolves with the file's size once it holds at least `end` bytes, or with its final size once
   * the writer is done and it holds fewer. Rejects when the writer failed, on abort, and when the
   * writer is done and the file was never created (with the error opening it gave).
   */
  async waitForSize(end: number): Promise<number> {
    for (;;) {
      this.#check();
      if (this.#final !== undefined) return this.#final;
      if (end <= this.#known) return this.#known;
      // Looked at before the size: a size taken after the writer was done is the final size.
      const done = this.#writer.state === 'done';
      const size = await this.#size(done);
      this.#check();
      if (done) {
        this.#final = size;
        return size;
      }
      if (size >= end) return size;
      // The writer finished while the size was being taken: look again at once.
      if (this.#writer.state !== 'writing') continue;
      await this.#sleep();
    }
  }

  sizeFor(end: number): Promise<number> {
    return this.waitForSize(end);
  }

  /**
   * `length` bytes from `position` once they exist; once the writer is done, what exists of them
   * (a short read, possibly empty).
   */
  async read(position: number, length: number): Promise<Buffer> {
    const size = await this.waitForSize(position + length);
    const available = Math.max(0, Math.min(length, size - position));
    if (available === 0) return Buffer.alloc(0);
    const handle = this.#handle;
    if (!handle) throw new Error(`${this.path}: not open`); // a size above 0 was read through it
    return readUpTo(handle, position, available);
  }

  /** Stops listening and closes the file; pending reads are not waited for. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#wake();
    const handle = this.#handle ?? (await this.#opening?.catch(() => undefined));
    this.#handle = undefined;
    await handle?.close();
  }

  #check(): void {
    if (this.#closed) throw new Error(`${this.path}: read after close`);
    this.#signal?.throwIfAborted();
    if (this.#writer.state === 'failed') throw this.#writer.error;
  }

  /** The size now; 0 while the file does not exist, unless `final` (then opening it must work). */
  async #size(final: boolean): Promise<number> {
    const handle = this.#handle ?? (await this.#open(final));
    if (!handle) return 0;
    const { size } = await handle.stat();
    if (size < this.#known) throw new Error(`${this.path} shrank from ${this.#known} to ${size} bytes while being read`);
    this.#known = size;
    return size;
  }

  async #open(final: boolean): Promise<FileHandle | undefined> {
    this.#opening ??= open(this.path, 'r').then(
      (handle) => {
        if (this.#closed) return handle.close().then(() => undefined);
        this.#handle = handle;
        return handle;
      },
      (error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        return undefined;
      },
    ).finally(() => {
      this.#opening = undefined;
    });
    const handle = await this.#opening;
    // Once the writer is done a missing file stays missing: fail as opening a complete file would.
    if (!handle && final && !this.#closed) this.#handle = await open(this.path, 'r');
    return this.#handle;
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, this.#pollMs);
      this.#sleepers.add(wake);
    });
  }

  #wake(): void {
    for (const wake of [...this.#sleepers]) wake();
  }
}
