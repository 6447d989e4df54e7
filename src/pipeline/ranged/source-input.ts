// The input of a whole transcode: a local source as it is; a remote one downloaded into scratch
// and, when the instant remux wants it, also opened for ranged reads at once, so that the probe
// and the remux need not wait for the download (the encodes read the download: `localInput`).
import type { SourceFetchPolicy } from '../../jobs/source-fetch.ts';
import type { SourceLocation } from '../../jobs/source-location.ts';
import type { EventSink } from '../events.ts';
import { materializeSource } from '../materialize-source.ts';
import type { Stopwatch } from '../stopwatch.ts';
import { openRangedInput } from './open-ranged-input.ts';

export interface SourceInput {
  input: string;
  localInput?: () => Promise<string>;
  /** Stops a download still running and the ranged reader; call before scratch is removed. */
  close(): Promise<void>;
}

export interface SourceInputOptions {
  /** Where a download goes. */
  scratch: string;
  policy: SourceFetchPolicy;
  /** Read by ranges while downloading (the instant remux is on). */
  ranged: boolean;
  /** With ranges: start the download once this settles (the remux has its head start), not at once. */
  downloadAfter?: Promise<unknown> | undefined;
  signal?: AbortSignal;
  emit: EventSink;
  stopwatch: Stopwatch;
}

export async function openSourceInput(source: SourceLocation, options: SourceInputOptions): Promise<SourceInput> {
  if (source.kind === 'local') return { input: source.path, close: async () => undefined };
  const { scratch, policy, stopwatch } = options;
  const fetching = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, fetching.signal]) : fetching.signal;
  const reader = options.ranged ? await openRangedInput(source, { policy, signal, emit: options.emit }) : undefined;
  if (!reader) {
    const input = await stopwatch.step('fetch', () => materializeSource(source, scratch, policy, signal));
    return { input, close: async () => undefined };
  }
  const download = (options.downloadAfter ?? Promise.resolve()).catch(() => undefined).then(() => stopwatch.step('fetch', () => materializeSource(source, scratch, policy, signal)));
  // Awaited by the encodes, or by close() when the run ends before them.
  download.catch(() => undefined);
  return {
    input: reader.url,
    localInput: () => download,
    async close() {
      fetching.abort();
      await download.catch(() => undefined);
      await reader.close();
    },
  };
}
