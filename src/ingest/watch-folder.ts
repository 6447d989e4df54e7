// The inbox watch folder: drop a recording into the directory and it becomes a job once it has
// stopped growing. Polling (not fs.watch): it works the same on every file system, network mounts
// included, and "stopped growing" needs repeated looks anyway.
//
// A file is reported when its size and mtime are the same in three consecutive polls (unchanged
// over two poll intervals) and it is not empty. Only the directory itself is scanned (not
// recursive); dotfiles, `*.part`, `*.tmp` and anything that is not a regular file (directories,
// symlinks, sockets) are skipped, so uploaders can write `x.mp4.part` and rename it when done.
// Each version of a file (path, size, mtime) is reported once per process; a file replaced by a
// new version is reported again once that version is stable.
import { lstat, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { knownFacts } from '../jobs/source-facts.ts';
import type { JobRequest } from '../jobs/job-request.ts';
import { localRecordingKey } from '../jobs/recording-key.ts';

export interface WatchFolderConfig {
  dir: string;
  intervalMs: number;
}

export interface WatchFolderOptions extends WatchFolderConfig {
  /**
   * Called once per stable file version. A throw or rejection is passed to onError and the file
   * is offered again on the next poll (so let it fail when the job was not created).
   */
  onStable(job: JobRequest): void | Promise<unknown>;
  /** Poll failures (e.g. the directory is missing) and onStable failures. */
  onError?(error: unknown): void;
}

interface Observation {
  size: number;
  mtimeMs: number;
  /** Consecutive polls that saw the same size and mtime as the one before. */
  unchangedPolls: number;
}

/** The number of consecutive unchanged polls after which a file counts as finished. */
export const stablePolls = 2;

export function isIgnoredInboxName(name: string): boolean {
  const lower = name.toLowerCase();
  return name.startsWith('.') || lower.endsWith('.part') || lower.endsWith('.tmp');
}

export class WatchFolder {
  readonly #options: WatchFolderOptions;
  readonly #seen = new Map<string, Observation>();
  /** `${size}:${mtimeMs}` of the version last reported, per file name. */
  readonly #reported = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #inFlight: Promise<void> | undefined;

  constructor(options: WatchFolderOptions) {
    if (!Number.isFinite(options.intervalMs) || options.intervalMs <= 0) throw new Error(`watch folder intervalMs must be a positive number, got ${options.intervalMs}`);
    this.#options = options;
  }

  /** Starts polling (the first poll runs at once). Calling it again while running does nothing. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    // After a stop() whose poll is still running, that poll's completion schedules the next one.
    if (this.#timer === undefined && this.#inFlight === undefined) this.#schedule(0);
  }

  /** Stops polling; resolves when a poll in progress has finished. No timer is left behind. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  /** One scan of the directory. Exposed for tests and for a "scan now" action; start() calls it on a timer. */
  async poll(): Promise<void> {
    const dir = this.#options.dir;
    const entries = await readdir(dir, { withFileTypes: true });
    const present = new Set<string>();
    for (const entry of entries) {
      if (!entry.isFile() || isIgnoredInboxName(entry.name)) continue;
      const file = path.join(dir, entry.name);
      let stats;
      try {
        stats = await lstat(file);
      } catch {
        continue; // removed or renamed between readdir and lstat
      }
      if (!stats.isFile()) continue;
      present.add(entry.name);
      const size = stats.size;
      const mtimeMs = Math.trunc(stats.mtimeMs);
      const before = this.#seen.get(entry.name);
      const unchanged = before !== undefined && before.size === size && before.mtimeMs === mtimeMs;
      const observation: Observation = { size, mtimeMs, unchangedPolls: unchanged ? before.unchangedPolls + 1 : 0 };
      this.#seen.set(entry.name, observation);

      const version = `${size}:${mtimeMs}`;
      if (observation.unchangedPolls < stablePolls || size === 0 || this.#reported.get(entry.name) === version) continue;
      let canonical: string;
      try {
        canonical = await realpath(file);
      } catch {
        continue;
      }
      const job: JobRequest = {
        source: { kind: 'local', path: canonical },
        facts: knownFacts({ bytes: size }),
        // The recording's key, shared with every other intake: one file, one job.
        idempotencyKey: localRecordingKey({ path: canonical, size, mtimeMs }),
        metadata: { fileName: entry.name },
      };
      try {
        await this.#options.onStable(job);
        this.#reported.set(entry.name, version);
      } catch (error) {
        this.#options.onError?.(error);
      }
    }
    // Forget files that went away, so a new file of the same name starts afresh.
    for (const name of this.#seen.keys()) if (!present.has(name)) this.#seen.delete(name);
    for (const name of this.#reported.keys()) if (!present.has(name)) this.#reported.delete(name);
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const run = this.poll().catch((error: unknown) => this.#options.onError?.(error));
      this.#inFlight = run;
      void run.finally(() => {
        if (this.#inFlight === run) this.#inFlight = undefined;
        // Polls never overlap: the next one is scheduled when this one is done.
        if (this.#running && this.#timer === undefined) this.#schedule(this.#options.intervalMs);
      });
    }, delayMs);
  }
}
