// Keeps the instant remux's growing playlist and its segments in step at an object-store
// destination: new segments first, then the playlist that lists them, again every interval
// while the copy runs, and a last time once it has ended (the playlist then has its ENDLIST).
// Should a pass fail, the asset's publication at the end puts the final playlist all the same.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { instantDir, instantPlaylist } from '../media/remux-command.ts';
import type { AssetPublisher } from './asset-publisher.ts';
import type { EventSink } from './events.ts';

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

  /**
   * One pass, after the one before it: the playlist as it is now, the segments it lists that are
   * not up yet, then that very playlist, so a player never finds a segment listed but missing.
   */
  sync(): Promise<void> {
    this.#syncing = this.#syncing.catch(() => undefined).then(async () => {
      // Written aside and renamed by ffmpeg: what is read is a whole playlist, whose files exist.
      const playlist = await readFile(path.join(this.#staging, instantPlaylist)).catch(() => undefined);
      if (!playlist) return;
      const listed = playlist.toString('utf8').split('\n').map((line) => line.trim()).filter((line) => line.length > 0 && !line.startsWith('#'));
      const map = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist.toString('utf8'))?.[1];
      for (const name of [...(map ? [map] : []), ...listed]) {
        const rel = `${instantDir}/${name}`;
        if (this.#sent.has(rel)) continue;
        await this.#publisher.uploadNow(rel);
        this.#sent.add(rel);
      }
      await this.#publisher.uploadSnapshot(instantPlaylist, playlist);
    });
    return this.#syncing;
  }
}

/**
 * A run's events with its instant remux mirrored: `playable` is passed on only once the growing
 * playlist is up at the destination (playable means playable there), and the mirror's last pass
 * follows the remux's end. `settled` waits for what was queued. A failed pass is a warning: the
 * ladder does not depend on it.
 */
export function mirrorInstantEvents(mirror: InstantMirror, emit: EventSink): { emit: EventSink; settled: () => Promise<void> } {
  let pending: Promise<void> = Promise.resolve();
  const warn = (error: unknown): void => emit({ type: 'warning', message: `instant remux not published: ${(error as Error).message}` });
  return {
    emit: (event) => {
      if (event.type === 'step' && event.step === 'remux' && event.state === 'end') pending = pending.then(() => mirror.finish()).catch(warn);
      if (event.type !== 'playable') return emit(event);
      pending = pending.then(async () => {
        await mirror.start();
        emit(event);
      }).catch(warn);
    },
    settled: () => pending,
  };
}
