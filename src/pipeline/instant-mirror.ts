// Keeps the instant remux's growing playlist and its segments in step at an object-store
// destination: new segments first, then the playlist that lists them, again every interval
// while the copy runs, and a last time once it has ended (the playlist then has its ENDLIST).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { instantDir, instantPlaylist } from '../media/remux-command.ts';
import type { AssetPublisher } from './asset-publisher.ts';

export class InstantMirror {
  readonly #publisher: AssetPublisher;
  readonly #staging: string;
  readonly #intervalMs: number;
  readonly #sent = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #finished = false;
  #syncing: Promise<void> = Promise.resolve();

  constructor(publisher: AssetPublisher, staging: string, intervalMs = 1000) {
    this.#publisher = publisher;
    this.#staging = staging;
    this.#intervalMs = intervalMs;
  }

  /** Publishes what is there now and keeps following it; resolves once the first sync is up. */
  start(): Promise<void> {
    // A copy that ended before its first segment was seen needs no following.
    if (!this.#finished) this.#timer ??= setInterval(() => void this.sync().catch(() => undefined), this.#intervalMs);
    return this.sync();
  }

  /** The last sync, after the copy has ended. */
  async finish(): Promise<void> {
    this.#finished = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.sync();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One pass, after the one before it: segments not yet sent, then the playlist. */
  sync(): Promise<void> {
    this.#syncing = this.#syncing.catch(() => undefined).then(async () => {
      const dir = path.join(this.#staging, instantDir);
      const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => !n.endsWith('.tmp') && n !== path.basename(instantPlaylist)).sort();
      for (const name of names) {
        const rel = `${instantDir}/${name}`;
        if (this.#sent.has(rel)) continue;
        await this.#publisher.uploadNow(rel);
        this.#sent.add(rel);
      }
      // Written aside and renamed by ffmpeg, so what is read is a whole playlist; its segments are up.
      await this.#publisher.uploadNow(instantPlaylist);
    });
    return this.#syncing;
  }
}
