// Runs the instant remux beside the encode and announces the playable milestone. A remux that
// fails costs nothing but the milestone: the ladder goes on.
import { mkdir } from 'node:fs/promises';
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
}

export async function instantRemux(ctx: InstantRemuxContext): Promise<void> {
  if (!canRemuxInstantly(ctx.plan.source)) return;
  try {
    await ctx.stopwatch.step('remux', async () => {
      await mkdir(ctx.out.path(instantDir), { recursive: true });
      await runProcess({ command: buildRemuxCommand(ctx.ffmpeg, ctx.input, ctx.plan.source, ctx.plan.segmentSeconds), stage: 'package', cwd: ctx.out.root, signal: ctx.signal });
    });
    ctx.emit({ type: 'playable', playlist: instantPlaylist });
  } catch (error) {
    if (ctx.signal.aborted) return;
    ctx.emit({ type: 'warning', message: `instant remux failed, the asset becomes playable when the ladder is done: ${(error as Error).message}` });
  }
}
