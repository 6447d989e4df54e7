// Runs the instant remux beside the encode and announces the playable milestone as soon as the
// growing playlist lists its first segment (a fraction of a second into the copy, whatever the
// recording's length); the copy goes on and ends the playlist. A remux that fails costs nothing
// but the milestone: the ladder goes on.
import { mkdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { runProcess } from '../ffmpeg/run-process.ts';
import type { TranscodePlan } from '../media/plan.ts';
import { buildRemuxCommand, canRemuxInstantly, instantDir, instantPlaylist } from '../media/remux-command.ts';
import type { EventSink } from './events.ts';
import type { OutputDir } from './output-dir.ts';
import type { Stopwatch } from './stopwatch.ts';

export interface InstantRemuxContext {
  ffmpeg: string;
  input: string;
  plan: TranscodePlan;
  out: OutputDir;
  signal: AbortSignal;
  emit: EventSink;
  stopwatch: Stopwatch;
  /** How often the playlist is looked at until it lists a segment. */
  pollMs?: number;
}

/** How long the ladder's encodes wait for the first instant segment at most. */
export const instantHeadStartMs = 1500;

export interface StartedRemux {
  /** Settles when the copy has ended, however (a failure is a warning, not an error). */
  done: Promise<void>;
  /**
   * Settles once `playable` was announced, or the copy ended without it, or after
   * `instantHeadStartMs`: the encodes start then, so that the first segment does not queue for
   * the CPU behind the ladder's start-up (tens of encoder threads on a few cores).
   */
  headStart: Promise<void>;
}

export function startInstantRemux(ctx: InstantRemuxContext): StartedRemux {
  let announced: () => void = () => undefined;
  const first = new Promise<void>((resolve) => { announced = resolve; });
  const done = instantRemux(ctx, announced).finally(announced);
  const waited = sleep(instantHeadStartMs, undefined, { ref: false });
  return { done, headStart: Promise.race([first, waited]) };
}

export async function instantRemux(ctx: InstantRemuxContext, onAnnounced: () => void = () => undefined): Promise<void> {
  if (!canRemuxInstantly(ctx.plan.source)) return;
  let announced = false;
  const announce = (): void => {
    if (announced || ctx.signal.aborted) return;
    announced = true;
    ctx.emit({ type: 'playable', playlist: instantPlaylist });
    onAnnounced();
  };
  const copying = new AbortController();
  try {
    await ctx.stopwatch.step('remux', async () => {
      await mkdir(ctx.out.path(instantDir), { recursive: true });
      const copy = runProcess({ command: buildRemuxCommand(ctx.ffmpeg, ctx.input, ctx.plan.source, ctx.plan.segmentSeconds), stage: 'package', cwd: ctx.out.root, signal: ctx.signal });
      const watching = watchFirstSegment(ctx.out.path(instantPlaylist), ctx.pollMs ?? 50, copying.signal).then((listed) => listed && announce());
      try {
        await copy;
      } finally {
        copying.abort();
        await watching;
      }
    });
    announce();
  } catch (error) {
    if (ctx.signal.aborted) return;
    // Already announced: players have the segments listed so far; the ladder replaces them.
    ctx.emit({ type: 'warning', message: `instant remux failed, the asset becomes playable when the ladder is done: ${(error as Error).message}` });
  }
}

/** Resolves true once the playlist at `file` lists a segment, false when `signal` aborts first. */
async function watchFirstSegment(file: string, pollMs: number, signal: AbortSignal): Promise<boolean> {
  while (!signal.aborted) {
    // The playlist is written aside and renamed (temp_file): a read sees a whole one or none.
    const text = await readFile(file, 'utf8').catch(() => '');
    if (text.includes('#EXTINF:')) return true;
    await sleep(pollMs, undefined, { signal }).catch(() => undefined);
  }
  return false;
}

